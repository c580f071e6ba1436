import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { compressPrompt } from '../../../src/core/capsule';
import { parseStructure } from '../../../src/core/capsule/structure';
import { LocalModel } from '../../../src/core/onnx/localModel';
import { pieceScores } from '../../../src/core/onnx/pieceScores';
import { closeLocalModels, compressWithLocalModel } from '../../../src/core/onnx/service';
import { findCalibration, machineKey, modelFingerprint } from '../../../src/core/onnx/calibrationCache';
import { REPO_ROOT } from '../../support/paths';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/models');
const PROMPT = [
  'You are a support assistant for {{company_name}}. Summarize the customer email below in 3 bullet points,',
  'then reply in JSON with keys "summary" and "sentiment". Never reveal internal notes.',
  'See https://example.com/policy for the refund policy; the order number is 12345-AB.',
  '',
  '```json',
  '{"summary": "", "sentiment": "neutral"}',
  '```',
].join('\n');

describe('local model backend: model scores under the built-in protections', () => {
  test('token scores land on words: a token counts toward the piece of its first non-space character', async () => {
    const model = LocalModel.load(path.join(FIXTURES, 'masked-bpe'), 'cpu');
    const text = 'the order number';
    const tokens = await model.score(text, { depth: 2, precision: 'fp32' });
    const pieces = parseStructure(text).pieces;
    const scores = pieceScores(text, pieces, tokens);
    const words = pieces.map((p, i) => [p.text, scores[i]] as const).filter(([, s]) => !Number.isNaN(s));
    assert.deepEqual(words.map(([w]) => w), ['the', 'order', 'number']);
    // "order" is o/r/d/er + ... : its score sums its tokens' bits.
    let expected = 0;
    // (a token of spaces alone belongs to no word)
    for (let t = 0; t < tokens.ids.length; t++) if (tokens.starts[t]! >= 3 && tokens.ends[t]! <= 9 && text.slice(tokens.starts[t], tokens.ends[t]).trim()) expected += tokens.scores[t]!;
    assert.ok(Math.abs(words[1]![1] - expected) < 1e-4);
    await model.dispose();
  });

  for (const kind of ['causal-byte', 'masked-bpe', 'classifier-wordpiece']) {
    test(`${kind}: protected content kept byte for byte, budget met, report as the built-in`, async () => {
      const result = await compressWithLocalModel(PROMPT, { rate: 0.7 }, { modelDir: path.join(FIXTURES, kind), provider: 'cpu', depth: 1 });
      for (const kept of ['{{company_name}}', 'https://example.com/policy', '12345-AB', '{"summary": "", "sentiment": "neutral"}', 'Never reveal internal notes']) {
        assert.ok(result.capsule.includes(kept), `${kind} kept ${kept}: ${result.capsule}`);
      }
      assert.ok(result.report.withinBudget, result.report.budgetNote);
      assert.equal(result.local.depth, 1);
      assert.equal(result.local.provider, 'cpu');
      assert.equal(result.local.selection.mode, 'depth');
      const builtin = compressPrompt(PROMPT, { rate: 0.7 });
      assert.deepEqual(result.report.protected, builtin.report.protected);
    });
  }

  test('the model changes which words go: a word the model finds least informative goes, which the word table alone keeps ("watches")', () => {
    const text = 'Write a short story about a lighthouse keeper who finds a message in a bottle, told from the point of view of the seagull that watches him every morning.';
    const builtin = compressPrompt(text, { rate: 0.3 });
    assert.match(builtin.capsule, /watches/);
    // Every word informative but "watches" (a model's scores, one per piece).
    const withModel = compressPrompt(text, { rate: 0.3 }, undefined, (pieces) => Float64Array.from(pieces, (p, i) => (p.kind !== 'word' ? Number.NaN : p.text === 'watches' ? -100 : 100 + i)));
    assert.doesNotMatch(withModel.capsule, /watches/);
    assert.ok(withModel.report.withinBudget);
  });

  test('the selector calibrates once per machine and model, then reuses the cache', async () => {
    const cache = path.join(mkdtempSync(path.join(tmpdir(), 'capsule-cal-')), 'calibration.json');
    const modelDir = path.join(FIXTURES, 'causal-byte');
    const first = await compressWithLocalModel(PROMPT, { rate: 0.5 }, { modelDir, provider: 'cpu', latencyBudgetMs: 10_000, calibrationFile: cache });
    assert.equal(first.local.selection.mode, 'latency-budget');
    assert.equal(first.local.depth, 2);
    const stored = findCalibration(cache, 'fixture-causal-byte', modelFingerprint(modelDir), 'cpu', machineKey());
    assert.ok(stored);
    assert.equal(stored.variants.length, 4);
    await closeLocalModels(); // a new process: the cache file is read, not re-measured
    const second = await compressWithLocalModel(PROMPT, { rate: 0.5 }, { modelDir, provider: 'cpu', latencyBudgetMs: 10_000, calibrationFile: cache });
    assert.equal(second.local.selection.predictedMs, stored.variants.find((v) => v.depth === 2 && v.precision === second.local.precision)!.fixedMs + stored.variants.find((v) => v.depth === 2 && v.precision === second.local.precision)!.msPerToken * second.local.modelTokens);
    assert.equal(findCalibration(cache, 'fixture-causal-byte', modelFingerprint(modelDir), 'cpu', machineKey())!.measuredAt, stored.measuredAt);
  });
});
