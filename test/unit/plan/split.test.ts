import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { main } from '../../../src/cli/main';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { PUBLISHED_HOSTED_LATENCY } from '../../../src/core/plan/hosted';
import { cemaThresholdBits, splitPrompts, type PromptEntropy } from '../../../src/core/plan/split';
import { meanEntropy } from '../../../src/core/plan/splitMeasure';
import { fakeIo } from '../../support/fakeIo';

const gpt4o = bundledCatalog().models.find((m) => m.id === 'gpt-4o')!;
const prompt = (id: string, meanEntropyBits: number, cloudTokens = 1000, localPrefillMs = 20): PromptEntropy => ({ id, meanEntropyBits, cloudTokens, localPrefillMs });

describe('edge/cloud split (CEMA-style)', () => {
  test("CEMA's threshold: 0.4 x log2 of the vocabulary", () => {
    assert.equal(cemaThresholdBits(2048), 0.4 * 11);
    assert.equal(cemaThresholdBits(256, 0.5), 4);
  });

  test('low-entropy prompts stay local; cost and latency against all-cloud, by hand', () => {
    const r = splitPrompts([prompt('a', 2), prompt('b', 5), prompt('c', 3.9), prompt('d', 4)], {
      thresholdBits: 4,
      thresholdRule: 'test',
      cloud: gpt4o,
      cloudLatency: PUBLISHED_HOSTED_LATENCY.get('gpt-4o'),
      outputTokens: 101,
      localStepMs: 2,
    });
    assert.deepEqual(r.routes.map((x) => x.route), ['local', 'cloud', 'local', 'cloud'], 'strictly under the threshold stays local');
    assert.equal(r.local.share, 0.5);
    const perCloud = (1000 * 2.5 + 101 * 10) / 1e6;
    assert.equal(r.allCloud.costUsd, 4 * perCloud);
    assert.equal(r.split.costUsd, 2 * perCloud);
    assert.equal(r.savedShare, 0.5);
    const cloudMs = 450 + (100 * 1000) / 131;
    assert.equal(r.allCloud.meanLatencyMs, cloudMs);
    assert.equal(r.local.meanLatencyMs, 20 + 100 * 2);
    assert.ok(Math.abs(r.split.meanLatencyMs! - (220 + cloudMs) / 2) < 1e-9);
  });

  test('a cloud model without a latency figure: its latency is unknown, not zero', () => {
    const r = splitPrompts([prompt('a', 9)], { thresholdBits: 4, thresholdRule: 't', cloud: gpt4o, cloudLatency: undefined, outputTokens: 10, localStepMs: 1 });
    assert.equal(r.split.meanLatencyMs, null);
    assert.equal(r.allCloud.meanLatencyMs, null);
    assert.match(r.notes.join(' '), /no latency figure/);
  });

  test('mean entropy skips the positions the model did not predict', () => {
    assert.equal(meanEntropy(new Float32Array([Number.NaN, 2, 4])), 3);
    assert.ok(Number.isNaN(meanEntropy(new Float32Array([Number.NaN]))));
  });

  test('capsule split with the bundled model: a JSONL file and a folder, routed by the threshold', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'capsule-split-'));
    const jsonl = path.join(dir, 'prompts.jsonl');
    writeFileSync(jsonl, [{ id: 'faq', prompt: 'What is the capital of France? Answer in one word.' }, { id: 'code', prompt: 'def f(x):\n    return {"k": [x, x ** 2]}  # explain this' }].map((r) => JSON.stringify(r)).join('\n'));
    let io = fakeIo('', dir);
    assert.equal(await main(['split', 'prompts.jsonl', '--threshold-bits', '100', '--json'], io), 0, io.err());
    let out = JSON.parse(io.out());
    assert.equal(out.local.prompts, 2, 'every prompt is under 100 bits');
    assert.equal(out.savedShare, 1);
    assert.ok(out.routes.every((r: { meanEntropyBits: number }) => r.meanEntropyBits > 0 && r.meanEntropyBits < 11));
    io = fakeIo('', dir);
    assert.equal(await main(['split', 'prompts.jsonl', '--json'], io), 0, io.err());
    out = JSON.parse(io.out());
    assert.match(out.thresholdRule, /CEMA's 0.4 × log2\(2048\)/);
    assert.equal(out.thresholdBits, 4.4);

    const folder = path.join(dir, 'folder');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'one.txt'), 'Summarise the ticket in three bullets.');
    writeFileSync(path.join(folder, 'ignored.bin'), 'x');
    io = fakeIo('', dir);
    assert.equal(await main(['split', 'folder', '--cloud-model', 'gpt-4o-mini', '--threshold-bits', '0'], io), 0, io.err());
    assert.match(io.out(), /Cloud \(gpt-4o-mini\): 1 prompts \(100\.0%\)/);
  });

  test('capsule split: usage errors', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'capsule-split-'));
    writeFileSync(path.join(dir, 'bad.jsonl'), '{"id": 1}\n');
    for (const [argv, message] of [
      [['split'], /one PROMPTS file or folder/],
      [['split', 'missing.jsonl'], /no such file or folder/],
      [['split', 'bad.jsonl'], /line 1 has no string "prompt"/],
      [['split', 'bad.jsonl', '--margin', '0.4', '--threshold-bits', '3'], /not both/],
    ] as const) {
      const io = fakeIo('', dir);
      assert.equal(await main([...argv], io), 2, argv.join(' '));
      assert.match(io.err(), message);
    }
  });
});
