import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { ModelPackageError, ProviderUnavailableError } from '../../../src/core/onnx/errors';
import { LocalModel } from '../../../src/core/onnx/localModel';
import { parseManifest } from '../../../src/core/onnx/manifest';
import { onnxRuntime, openOnProvider, type OrtApi } from '../../../src/core/onnx/providers';
import { CancelledError } from '../../../src/core/worker/cancellation';
import { REPO_ROOT } from '../../support/paths';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/models');
const fixture = (name: string) => path.join(FIXTURES, name);
const TEXT = 'You are a helpful assistant. Summarize the customer email in 3 bullet points and reply in JSON: {"summary": "..."}. Keep order number 12345.';

/** A copy of a fixture to break. */
function copyFixture(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `capsule-model-${name}-`));
  cpSync(fixture(name), dir, { recursive: true });
  return dir;
}

function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): void {
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  edit(manifest);
  writeFileSync(file, JSON.stringify(manifest));
}

/** Counts stage runs, so a test can see that a shallow depth skips blocks. */
function countingApi(): { api: OrtApi; runs: string[] } {
  const real = onnxRuntime();
  const runs: string[] = [];
  return {
    runs,
    api: {
      ...real,
      createSession: async (file, provider) => {
        const session = await real.createSession(file, provider);
        return {
          inputNames: session.inputNames,
          outputNames: session.outputNames,
          release: () => session.release(),
          run: (feeds) => {
            runs.push(path.basename(file));
            return session.run(feeds);
          },
        };
      },
    },
  };
}

describe('local model runtime', () => {
  test('chaining the stage graphs equals the single graph of the whole model', async () => {
    const model = LocalModel.load(fixture('causal-byte'), 'cpu');
    const text = 'Keep order 1234.'; // within one 16-token window: the single graph has 16 positions
    const scores = await model.score(text, { depth: 2, precision: 'fp32' });
    const full = await ort.InferenceSession.create(path.join(fixture('causal-byte'), 'full.onnx'));
    const ids = BigInt64Array.from(Buffer.from(text), (b) => BigInt(b));
    const out = await full.run({ input_ids: new ort.Tensor('int64', ids, [1, ids.length]) });
    const expected = out.surprisal!.data as Float32Array;
    assert.equal(scores.ids.length, ids.length);
    assert.ok(Number.isNaN(scores.scores[0]!), 'the first token has no prediction');
    for (let t = 1; t < ids.length; t++) assert.ok(Math.abs(scores.scores[t]! - expected[t]! / Math.LN2) < 1e-4, `token ${t}: ${scores.scores[t]} vs ${expected[t]! / Math.LN2}`);
    await model.dispose();
  });

  test('depth k runs k block stages; shallower depths give other scores', async () => {
    const { api, runs } = countingApi();
    const model = LocalModel.load(fixture('classifier-wordpiece'), 'cpu', api);
    const short = 'Reply in JSON, keep order 12345.'; // one window
    const shallow = await model.score(short, { depth: 1, precision: 'fp32' });
    assert.deepEqual(runs, ['embed.onnx', 'block-1.onnx', 'head.onnx']);
    runs.length = 0;
    const deep = await model.score(short, { depth: 3, precision: 'int8' });
    assert.deepEqual(runs, ['embed.onnx', 'block-1.int8.onnx', 'block-2.int8.onnx', 'block-3.int8.onnx', 'head.int8.onnx']);
    assert.notDeepEqual(Array.from(shallow.scores), Array.from(deep.scores));
    assert.equal(deep.scale, 'keep-probability');
    for (const p of deep.scores) assert.ok(p >= 0 && p <= 1);
    await assert.rejects(model.score(TEXT, { depth: 4, precision: 'fp32' }), /depth must be 1\.\.3/);
    await model.dispose();
  });

  test('long inputs: overlapping windows, each token read where it has context', async () => {
    const model = LocalModel.load(fixture('causal-byte'), 'cpu');
    const text = 'abcdefghij'.repeat(7); // 70 byte tokens, window 16, overlap 4: 6 windows
    const scores = await model.score(text, { depth: 2, precision: 'fp32' });
    assert.equal(scores.windows, 6);
    for (let t = 1; t < 70; t++) assert.ok(Number.isFinite(scores.scores[t]!), `token ${t} scored`);
    // Token 30 lies in the window starting at 24 (owned from 28): the same as scoring that slice alone.
    const slice = await model.score(text.slice(24, 40), { depth: 2, precision: 'fp32' });
    assert.ok(Math.abs(scores.scores[30]! - slice.scores[6]!) < 1e-4);
    await model.dispose();
  });

  test('on a GPU provider windows of one length are batched, with the same scores as one at a time', async () => {
    const real = onnxRuntime();
    let largestBatch = 0;
    // A stand-in CUDA provider (CPU sessions that record the batch size they are given).
    const gpu: OrtApi = {
      tensor: real.tensor,
      createSession: async (file) => {
        const session = await real.createSession(file, 'cpu');
        return {
          inputNames: session.inputNames,
          outputNames: session.outputNames,
          release: () => session.release(),
          run: (feeds) => {
            largestBatch = Math.max(largestBatch, Object.values(feeds)[0]!.dims[0]!);
            return session.run(feeds);
          },
        };
      },
    };
    const text = 'abcdefghij'.repeat(7);
    const batched = await LocalModel.load(fixture('causal-byte'), 'auto', gpu).score(text, { depth: 2, precision: 'fp32' });
    const single = await LocalModel.load(fixture('causal-byte'), 'cpu').score(text, { depth: 2, precision: 'fp32' });
    assert.equal(largestBatch, 5, 'the five full windows went together');
    for (let t = 1; t < 70; t++) assert.ok(Math.abs(batched.scores[t]! - single.scores[t]!) < 1e-4, `token ${t}`);
  });

  test('cancellation between batches', async () => {
    const model = LocalModel.load(fixture('causal-byte'), 'cpu');
    let reads = 0;
    const signal = {
      get aborted() {
        return ++reads > 1;
      },
    };
    // 80 windows, one at a time on the CPU: the signal is read before the second.
    await assert.rejects(model.score('x'.repeat(16 * 80), { depth: 1, precision: 'fp32' }, signal), CancelledError);
    await model.dispose();
  });

  test('byte-level BPE and WordPiece tokens land on the right characters', () => {
    const bpe = LocalModel.load(fixture('masked-bpe'), 'cpu').tokenizer;
    const text = 'the cat 你好 🙂 in';
    const t = bpe.encode(text);
    const pieces = Array.from(t.ids, (_, i) => text.slice(t.starts[i], t.ends[i]));
    assert.equal(pieces.join(''), text, 'byte-level tokens cover the text exactly');
    // An added token typed in the prompt stands there verbatim: the tokens after it stay on their words.
    const special = 'say <|endoftext|> then the cat';
    const s = bpe.encode(special);
    assert.equal(Array.from(s.ids, (_, i) => special.slice(s.starts[i], s.ends[i])).join(''), special);
    assert.equal(s.ends.at(-1), special.length);
    const wp = LocalModel.load(fixture('classifier-wordpiece'), 'cpu').tokenizer;
    const w = wp.encode('Reply in JSON, Customer EMAIL summarizes');
    const words = Array.from(w.ids, (_, i) => 'Reply in JSON, Customer EMAIL summarizes'.slice(w.starts[i], w.ends[i]));
    assert.deepEqual(words, ['Reply', 'in', 'JSON', ',', 'Customer', 'EMAIL', 'summar', 'ize', 's']);
  });
});

describe('bad model packages: one error naming the file', () => {
  const cases: Array<[string, (dir: string) => void, RegExp]> = [
    ['missing manifest', (d) => rmSync(path.join(d, 'manifest.json')), /^manifest\.json: missing/],
    ['manifest not JSON', (d) => writeFileSync(path.join(d, 'manifest.json'), '{nope'), /^manifest\.json: is not valid JSON/],
    ['unknown manifest version', (d) => editManifest(d, (m) => (m.version = 7)), /^manifest\.json: unknown manifest version 7/],
    ['unknown kind', (d) => editManifest(d, (m) => (m.kind = 'seq2seq')), /^manifest\.json: kind must be one of/],
    ['missing stage file', (d) => rmSync(path.join(d, 'block-2.onnx')), /^block-2\.onnx: missing from/],
    ['empty stage file', (d) => writeFileSync(path.join(d, 'head.onnx'), ''), /^head\.onnx: is empty/],
    ['tokenizer mismatch', (d) => editManifest(d, (m) => ((m.tokenizer as { vocabSize: number }).vocabSize = 30000)), /^tokenizer\.json: has 265 tokens but manifest\.json says the model has 30000/],
    ['corrupt tokenizer', (d) => writeFileSync(path.join(d, 'tokenizer.json'), '[]'), /^tokenizer\.json: /],
  ];
  for (const [name, breakIt, message] of cases) {
    test(name, () => {
      const dir = copyFixture('masked-bpe');
      breakIt(dir);
      assert.throws(
        () => LocalModel.load(dir, 'cpu'),
        (e: unknown) => e instanceof ModelPackageError && message.test(e.message),
      );
    });
  }

  test('a corrupt ONNX file is named when it is first opened', async () => {
    const dir = copyFixture('causal-byte');
    writeFileSync(path.join(dir, 'block-1.onnx'), Buffer.from('this is not a protobuf at all'));
    const model = LocalModel.load(dir, 'auto');
    await assert.rejects(model.score(TEXT, { depth: 2, precision: 'fp32' }), (e: unknown) => e instanceof ModelPackageError && /^block-1\.onnx: onnxruntime could not load it/.test(e.message));
  });

  test('wrong shapes: a block of another hidden size is named', async () => {
    const dir = copyFixture('causal-byte');
    copyFileSync(path.join(fixture('causal-wide'), 'block-2.onnx'), path.join(dir, 'block-2.onnx'));
    const model = LocalModel.load(dir, 'cpu');
    await assert.rejects(model.score(TEXT, { depth: 2, precision: 'fp32' }), (e: unknown) => e instanceof ModelPackageError && /^block-2\.onnx: failed to run/.test(e.message));
  });

  test('a head that does not return what its kind needs is named', async () => {
    const dir = copyFixture('causal-byte');
    editManifest(dir, (m) => (m.kind = 'token-classifier'));
    const model = LocalModel.load(dir, 'cpu');
    await assert.rejects(model.score(TEXT, { depth: 1, precision: 'fp32' }), (e: unknown) => e instanceof ModelPackageError && /^head\.onnx: a token-classifier head must return 'keep_probability'/.test(e.message));
  });

  test('manifest fields are checked before anything loads', () => {
    const base = JSON.parse(readFileSync(path.join(fixture('causal-byte'), 'manifest.json'), 'utf8'));
    assert.throws(() => parseManifest({ ...base, overlap: 12 }), /overlap must be an integer from 0 to half the window/);
    // A window that holds no more than its overlap would never move forward.
    assert.throws(() => parseManifest({ ...base, overlap: 8, tokenizer: { type: 'byte', windowPrefix: [1, 2, 3, 4, 5, 6, 7, 8] } }), /window \(16\) less the prefix and suffix ids \(8\) must exceed the overlap \(8\)/);
    assert.throws(() => parseManifest({ ...base, tokenizer: { type: 'byte', windowSuffix: [300] } }), /tokenizer\.windowSuffix must be a list of token ids below 256/);
    assert.throws(() => parseManifest({ ...base, depths: [] }), /depths must have one entry per block stage/);
    assert.throws(() => parseManifest({ ...base, stages: { ...base.stages, head: { int8: 'x.onnx' } } }), /stages\.head\.fp32 must name an ONNX file/);
    assert.throws(() => parseManifest({ ...base, stages: { ...base.stages, head: { fp32: '../../etc/passwd' } } }), /must be a file name inside the model folder/);
  });
});

describe('execution providers', () => {
  const failing = (fails: string[]): OrtApi => {
    const real = onnxRuntime();
    return {
      tensor: real.tensor,
      createSession: async (file, provider) => {
        if (fails.includes(provider)) throw new Error(`${provider} failed: Failed to load shared library\nmore detail`);
        return real.createSession(file, provider);
      },
    };
  };
  const file = () => path.join(fixture('causal-byte'), 'embed.onnx');

  test('auto tries CUDA, then WebGPU, then CPU, and says why each failed', async () => {
    const { provider, attempts } = await openOnProvider(failing(['cuda', 'webgpu']), file(), 'embed.onnx', 'auto');
    assert.equal(provider, 'cpu');
    assert.deepEqual(attempts.map((a) => [a.provider, a.ok]), [['cuda', false], ['webgpu', false], ['cpu', true]]);
    assert.match(attempts[0]!.reason!, /^cuda failed: Failed to load shared library \(CUDA needs/);
  });

  test('auto takes the first provider that works', async () => {
    const real = onnxRuntime();
    // A stand-in WebGPU that works (a CPU session), so the test runs on any machine.
    const api: OrtApi = { tensor: real.tensor, createSession: (f, p) => (p === 'cuda' ? Promise.reject(new Error('no CUDA')) : real.createSession(f, 'cpu')) };
    const { provider, attempts } = await openOnProvider(api, file(), 'embed.onnx', 'auto');
    assert.equal(provider, 'webgpu');
    assert.deepEqual(attempts.map((a) => [a.provider, a.ok]), [['cuda', false], ['webgpu', true]]);
  });

  test('an explicit provider that is missing says so (the file itself is fine)', async () => {
    await assert.rejects(openOnProvider(failing(['cuda']), file(), 'embed.onnx', 'cuda'), (e: unknown) => e instanceof ProviderUnavailableError && /^the cuda execution provider cannot run embed\.onnx: cuda failed: .*; the CPU provider can$/.test(e.message));
  });

  test('a provider found missing beforehand is not tried', async () => {
    let tried = 0;
    const real = onnxRuntime();
    const api: OrtApi = { ...real, unavailable: (p) => (p === 'cpu' ? undefined : `no ${p} here`), createSession: (f, p) => (tried++, real.createSession(f, p)) };
    const { provider, attempts } = await openOnProvider(api, file(), 'embed.onnx', 'auto');
    assert.equal(provider, 'cpu');
    assert.equal(tried, 1);
    assert.deepEqual(attempts.map((a) => a.reason), ['no cuda here', 'no webgpu here', undefined]);
  });
});
