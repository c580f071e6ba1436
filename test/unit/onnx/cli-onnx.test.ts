import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { main } from '../../../src/cli/main';
import { bundledModelDir } from '../../../src/core/onnx/bundled';
import { LocalModel } from '../../../src/core/onnx/localModel';
import { fakeIo } from '../../support/fakeIo';
import { REPO_ROOT } from '../../support/paths';

const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/models/causal-byte');
const PROMPT = 'You are a support assistant. Summarize the customer email below in three short bullet points, then reply with the order number 12345 and a polite closing line for the customer.';

describe('capsule compress --backend onnx', () => {
  test('--json adds depth, precision, provider, modelMs and the selection reason', async () => {
    const io = fakeIo(PROMPT, REPO_ROOT, { XDG_CACHE_HOME: mkdtempSync(path.join(tmpdir(), 'capsule-cache-')) });
    assert.equal(await main(['compress', '--backend', 'onnx', '--model-dir', FIXTURE, '--depth', '1', '--precision', 'int8', '--provider', 'cpu', '--json'], io), 0, io.err());
    const out = JSON.parse(io.out());
    assert.equal(out.backend, 'onnx');
    assert.equal(out.depth, 1);
    assert.equal(out.precision, 'int8');
    assert.equal(out.provider, 'cpu');
    assert.equal(typeof out.modelMs, 'number');
    assert.match(out.selection, /^depth 1\/2 int8: the depth asked for/);
    assert.equal(out.local.modelId, 'fixture-causal-byte');
    assert.ok(out.capsule.includes('12345'));
  });

  test('the latency budget picks the sub-model from a calibration cached under XDG_CACHE_HOME', async () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'capsule-cache-'));
    const previous = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = cache;
    try {
      const io = fakeIo(PROMPT, REPO_ROOT);
      assert.equal(await main(['compress', '--backend', 'onnx', '--model-dir', FIXTURE, '--latency-budget-ms', '100000', '--provider', 'cpu', '--json'], io), 0, io.err());
      const out = JSON.parse(io.out());
      assert.equal(out.depth, 2);
      assert.match(out.selection, /the full model fits the 100,000 ms budget/);
      assert.ok(readdirSync(path.join(cache, 'prompt-capsule')).includes('local-model-calibration.json'));
    } finally {
      if (previous === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = previous;
    }
  });

  test('a bad model folder: one line naming the file, exit 1', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'capsule-bad-model-'));
    cpSync(FIXTURE, dir, { recursive: true });
    rmSync(path.join(dir, 'head.int8.onnx'));
    const io = fakeIo(PROMPT, REPO_ROOT);
    assert.equal(await main(['compress', '--backend', 'onnx', '--model-dir', dir, '--depth', '1'], io), 1);
    assert.match(io.err(), /^capsule compress: bad model package: head\.int8\.onnx: missing from /);
    assert.equal(io.out(), '');
  });

  test('a depth the model does not have is a usage error naming the model', async () => {
    const io = fakeIo(PROMPT, REPO_ROOT);
    assert.equal(await main(['compress', '--backend', 'onnx', '--model-dir', FIXTURE, '--depth', '5', '--provider', 'cpu'], io), 2);
    assert.match(io.err(), /depth 5 was asked for, but fixture-causal-byte has depths 1 to 2/);
  });

  test('local-model flags need --backend onnx; exclusive choices are refused', async () => {
    const io = fakeIo(PROMPT);
    assert.equal(await main(['compress', '--depth', '2'], io), 2);
    assert.match(io.err(), /--depth goes with --backend onnx/);
    const both = fakeIo(PROMPT);
    assert.equal(await main(['compress', '--backend', 'onnx', '--depth', '2', '--latency-budget-ms', '50'], both), 2);
    assert.match(both.err(), /mutually exclusive/);
    const provider = fakeIo(PROMPT);
    assert.equal(await main(['compress', '--backend', 'onnx', '--provider', 'tpu'], provider), 2);
  });

  test('model-info --json: manifest, depths with quality, and the calibration when asked', async () => {
    const io = fakeIo('', REPO_ROOT, {});
    const cache = mkdtempSync(path.join(tmpdir(), 'capsule-cache-'));
    const previous = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = cache;
    try {
      assert.equal(await main(['model-info', '--model-dir', FIXTURE, '--provider', 'cpu', '--calibrate', '--json'], io), 0, io.err());
    } finally {
      if (previous === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = previous;
    }
    const info = JSON.parse(io.out());
    assert.equal(info.manifest.id, 'fixture-causal-byte');
    assert.deepEqual(info.depths.map((d: { depth: number }) => d.depth), [1, 2]);
    assert.equal(info.depths[1].quality.fp32, 1);
    assert.ok(info.depths[0].msPer1kTokens.fp32 > 0);
    assert.equal(info.calibration.variants.length, 4);
  });
});

describe('the bundled model', () => {
  const dir = bundledModelDir(__dirname);

  test('ships in media/models, loads, and every depth has its measured quality', () => {
    const model = LocalModel.load(dir, 'cpu');
    assert.equal(model.manifest.kind, 'causal-lm');
    assert.deepEqual(model.precisions, ['fp32', 'int8']);
    for (const d of model.manifest.depths) {
      assert.ok(d.quality && d.quality.relative > 0 && d.quality.relative <= 1, `depth ${d.depth} quality`);
      assert.ok(d.quality.heldOutBitsPerByte?.prompts, `depth ${d.depth} held-out figure`);
    }
    assert.equal(model.manifest.depths.at(-1)!.quality!.relative, 1);
  });

  test('all its variants together take at most 15 MB', () => {
    const total = readdirSync(dir).reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);
    assert.ok(total <= 15_000_000, `${total} bytes`);
  });
});
