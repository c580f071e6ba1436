import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parseManifest } from '../../../src/core/onnx/manifest';
import { selectVariant, type LocalCalibration, type VariantTiming } from '../../../src/core/onnx/selector';
import { REPO_ROOT } from '../../support/paths';

// The classifier fixture: 3 depths, quality fp32 0.667/0.833/1.0, int8 0.657/0.823/0.99.
const manifest = parseManifest(JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/models/classifier-wordpiece/manifest.json'), 'utf8')));

/** Hand-made timings: depth d costs 10 + 20d ms per 1k tokens at fp32, 60% of it at int8. */
function calibration(): LocalCalibration {
  const variants: VariantTiming[] = [];
  for (let depth = 1; depth <= 3; depth++) {
    variants.push({ depth, precision: 'fp32', fixedMs: 2, msPerToken: (10 + 20 * depth) / 1000 });
    variants.push({ depth, precision: 'int8', fixedMs: 2, msPerToken: (0.6 * (10 + 20 * depth)) / 1000 });
  }
  return { modelId: manifest.id, runtimeRevision: 2, modelFingerprint: 'x', machine: 'test', provider: 'cpu', measuredAt: '2026-12-05T00:00:00Z', variants };
}

describe('sub-model selector', () => {
  const both = ['fp32', 'int8'] as const;

  test('a generous budget: the full model, fp32 (best quality)', () => {
    const s = selectVariant(manifest, both, calibration(), { tokens: 1000, latencyBudgetMs: 500 });
    assert.deepEqual([s.depth, s.precision, s.mode], [3, 'fp32', 'latency-budget']);
    assert.equal(s.predictedMs, 72); // 2 + 70
    assert.match(s.reason, /^depth 3\/3 fp32: the full model fits the 500 ms budget \(predicted 72 ms for 1,000 model tokens, quality 100% of the full model\)$/);
  });

  test('a tighter budget: the deepest variant that fits', () => {
    // For 1,000 tokens fp32 costs 32/52/72 ms and int8 20/32/44 ms at depths 1/2/3.
    const s = selectVariant(manifest, both, calibration(), { tokens: 1000, latencyBudgetMs: 50 });
    assert.deepEqual([s.depth, s.precision], [3, 'int8']);
    assert.match(s.reason, /the full model fits the 50 ms budget/);
    const t = selectVariant(manifest, both, calibration(), { tokens: 1000, latencyBudgetMs: 40 });
    assert.deepEqual([t.depth, t.precision], [2, 'int8']); // fp32 at depth 2 takes 52 ms
    assert.match(t.reason, /the deepest variant within the 40 ms budget/);
  });

  test('no variant fits: the fastest, and the reason says so', () => {
    const s = selectVariant(manifest, both, calibration(), { tokens: 10_000, latencyBudgetMs: 10 });
    assert.deepEqual([s.depth, s.precision], [1, 'int8']);
    assert.match(s.reason, /no variant fits the 10 ms budget; the fastest one/);
  });

  test('a quality floor: the fastest variant that meets it', () => {
    const s = selectVariant(manifest, both, calibration(), { tokens: 1000, qualityFloor: 0.8 });
    assert.deepEqual([s.depth, s.precision, s.mode], [2, 'int8', 'quality-floor']);
    const none = selectVariant(manifest, both, calibration(), { tokens: 1000, qualityFloor: 1.1 });
    assert.deepEqual([none.depth, none.precision], [3, 'fp32']);
    assert.match(none.reason, /no variant reaches quality 110%/);
  });

  test('a fixed depth and precision are taken as asked', () => {
    const s = selectVariant(manifest, both, calibration(), { tokens: 500, depth: 1, precision: 'fp32' });
    assert.deepEqual([s.depth, s.precision, s.mode], [1, 'fp32', 'depth']);
    assert.equal(s.predictedMs, 17);
  });

  test('without a calibration: the full model, and the reason says it is untimed', () => {
    const s = selectVariant(manifest, both, undefined, { tokens: 500, latencyBudgetMs: 10 });
    assert.deepEqual([s.depth, s.precision], [3, 'int8']);
    assert.match(s.reason, /no calibration on this machine yet/);
  });
});
