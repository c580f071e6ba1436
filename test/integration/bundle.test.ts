import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT } from '../support/paths';

// Activation must stay cheap: tokenizers, the capsulator and the simulator belong in
// dist/worker.js, never in the bundle the extension host loads at start-up.
describe('bundles', () => {
  const extension = readFileSync(path.join(REPO_ROOT, 'dist/extension.js'), 'utf8');
  const worker = readFileSync(path.join(REPO_ROOT, 'dist/worker.js'), 'utf8');

  test('the extension host bundle carries no tokenizer, capsulator or simulator code', () => {
    assert.doesNotMatch(extension, /BytePairEncodingCore|bpeRanks/, 'tokenizer');
    assert.doesNotMatch(extension, /function compressPrompt\b/, 'capsulator');
    assert.doesNotMatch(extension, /function simulate\b/, 'simulator');
    // The LLM backend's HTTP client runs in the worker too.
    assert.doesNotMatch(extension, /APIConnectionTimeoutError/, 'openai client');
    assert.ok(statSync(path.join(REPO_ROOT, 'dist/extension.js')).size < 600_000);
  });

  test('the worker bundle has them all', () => {
    assert.match(worker, /BytePairEncodingCore/);
    assert.match(worker, /function compressPrompt\b/);
    assert.match(worker, /function simulate\b/);
    assert.match(worker, /APIConnectionTimeoutError/);
  });

  test('onnxruntime-node and vscode stay external', () => {
    assert.match(extension, /require\("vscode"\)/);
    assert.doesNotMatch(extension, /onnxruntime_binding/);
  });
});
