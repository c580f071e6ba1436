/**
 * Engine profiles as data (issue 14): an engine's kernels against the hardware profile's
 * (scale) and its decode kernel's grouped-query support (TensorRT-LLM 0.10's XQA).
 * Hand-computed cases.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUNDLED_CALIBRATION, CalibrationTable, efficiencyFor } from '../../../src/core/sim/calibration';
import { getGpu, getPrecision, getServingModel, kvBytesPerToken } from '../../../src/core/sim/catalog';
import { decodeShape } from '../../../src/core/sim/latency';
import { buildLatencyModel } from '../../../src/core/sim/simulate';

/** Two engines with the same fixed costs and kernels; only what the test names differs. */
function table(engines: CalibrationTable['engines']): CalibrationTable {
  return { ...BUNDLED_CALIBRATION, engines, defaultEngine: Object.keys(engines)[0]! };
}

const FIXED = { stepOverheadMs: 1, layerOverheadUs: 10, allReduceUs: 20, perSequenceUs: 5 };

describe('engine profiles', () => {
  test('a kernel scale multiplies the hardware efficiency and is capped at 1', () => {
    const t = table({ plain: { ...FIXED }, fast: { ...FIXED, scale: { memory: 1.5, kvMemory: 2, matmul: 1.1 } } });
    const ampere = BUNDLED_CALIBRATION.profiles.ampere!;
    const plain = efficiencyFor('a100-80gb', 'fp16', 'plain', t);
    const fast = efficiencyFor('a100-80gb', 'fp16', 'fast', t);
    assert.equal(plain.memory, ampere.memory);
    assert.ok(Math.abs(fast.memory - Math.min(1, ampere.memory! * 1.5)) < 1e-12);
    assert.ok(Math.abs(fast.matmul - Math.min(1, ampere.matmul! * 1.1)) < 1e-12);
    // 0.95 x 2 would be 190% of the HBM peak: capped.
    assert.equal(fast.kvMemory, 1);
    // Fixed costs are the engine's own either way.
    assert.equal(fast.stepOverheadMs, 1);
    assert.equal(fast.attention, plain.attention);
  });

  test("TensorRT-LLM 0.10's XQA serves 8 query heads per KV head: Llama-3-8B's 4 read each KV head once per query head, by hand", () => {
    const t = table({ xqa: { ...FIXED }, 'xqa-1-8': { ...FIXED, groupedDecodeRatios: [1, 8] } });
    const gpu = getGpu('h100-sxm');
    const fp16 = getPrecision('fp16');
    const context = 2048;
    const batch = 64;
    const step = (engineProfile: string, model: string) =>
      buildLatencyModel(
        {
          model,
          gpu: 'h100-sxm',
          precision: 'fp16',
          calibration: t,
          engineProfile,
          deployment: { mode: 'colocated' },
          workload: { requests: 1, arrival: { kind: 'offline' }, input: { kind: 'fixed', tokens: 1 }, output: { kind: 'fixed', tokens: 1 }, seed: 1 },
        },
        1,
      ).iterationSeconds(decodeShape(batch, batch * context));
    const llama3 = getServingModel('llama-3.1-8b');
    assert.equal(llama3.heads / llama3.kvHeads, 4);
    const kvSeconds = (kvBytesPerToken(llama3, fp16) * batch * context) / (gpu.hbmGBps * 1e9 * efficiencyFor('h100-sxm', 'fp16', 'xqa', t).kvMemory);
    // The fallback reads the cache 4 times instead of once: 3 more reads of it.
    assert.ok(Math.abs(step('xqa-1-8', 'llama-3.1-8b') - step('xqa', 'llama-3.1-8b') - 3 * kvSeconds) < 1e-9);
    // Llama-2-70B (64 / 8 = 8) has its XQA kernel; Llama-2-7B (one query head per KV head) needs none.
    for (const model of ['llama-2-70b', 'llama-2-7b']) assert.equal(step('xqa-1-8', model), step('xqa', model), model);
    assert.deepEqual(BUNDLED_CALIBRATION.engines['tensorrt-llm-0.10']?.groupedDecodeRatios, [1, 8]);
    assert.equal(BUNDLED_CALIBRATION.engines['tensorrt-llm']?.groupedDecodeRatios, undefined);
  });
});
