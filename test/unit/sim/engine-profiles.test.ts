/**
 * Engine profiles as data (issue 14): an engine's kernels against the hardware profile's
 * (scale), its decode kernel's grouped-query support (TensorRT-LLM 0.10's XQA) and where its
 * first token comes from (LMDeploy TurboMind v0.1.0a1's decode step).
 * Hand-computed cases.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fitCalibration } from '../../../src/core/sim/calibrate';
import { BUNDLED_CALIBRATION, CalibrationTable, efficiencyFor } from '../../../src/core/sim/calibration';
import { getGpu, getPrecision, getServingModel, kvBytesPerToken } from '../../../src/core/sim/catalog';
import { decodeShape, prefillShape } from '../../../src/core/sim/latency';
import { SimulationConfig, buildLatencyModel, simulate, simulateDetailed } from '../../../src/core/sim/simulate';

/** Two engines with the same fixed costs and kernels; only what the test names differs. */
function table(engines: CalibrationTable['engines']): CalibrationTable {
  return { ...BUNDLED_CALIBRATION, engines, defaultEngine: Object.keys(engines)[0]! };
}

const FIXED = { stepOverheadMs: 1, layerOverheadUs: 10, allReduceUs: 20, perSequenceUs: 5 };
/** A small run whose latency model the ceiling tests read, on the engine profile named 'fast'. */
const LLAMA2_7B_ON_A100: SimulationConfig = {
  model: 'llama-2-7b',
  gpu: 'a100-80gb',
  precision: 'fp16',
  engineProfile: 'fast',
  deployment: { mode: 'colocated' },
  workload: { requests: 1, arrival: { kind: 'offline' }, input: { kind: 'fixed', tokens: 8 }, output: { kind: 'fixed', tokens: 2 }, seed: 1 },
};

/** Seconds of one decode step of `batch` sequences holding `context` tokens each, on one GPU. */
function decodeStepSeconds(calibration: CalibrationTable, engineProfile: string, model: string, gpu: string, precision: string, batch: number, context: number): number {
  const config: SimulationConfig = {
    model,
    gpu,
    precision,
    calibration,
    engineProfile,
    deployment: { mode: 'colocated' },
    workload: { requests: 1, arrival: { kind: 'offline' }, input: { kind: 'fixed', tokens: 1 }, output: { kind: 'fixed', tokens: 1 }, seed: 1 },
  };
  return buildLatencyModel(config, 1).iterationSeconds(decodeShape(batch, batch * context));
}

describe('engine profiles', () => {
  test('a kernel scale multiplies the hardware efficiency and is capped at 1; a per-architecture scale overrides it there', () => {
    const t = table({
      plain: { ...FIXED },
      fast: { ...FIXED, scale: { memory: 1.5, kvMemory: 2 }, scaleByArchitecture: { ampere: { matmul: 1.1 } } },
    });
    const ampere = BUNDLED_CALIBRATION.profiles.ampere!;
    const hopper = BUNDLED_CALIBRATION.profiles.hopper!;
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
    // No matmul scale fitted on Hopper: the engine runs the Hopper profile's GEMMs there, and
    // its streaming kernels' scale still applies.
    const fastOnHopper = efficiencyFor('h100-sxm', 'fp16', 'fast', t);
    assert.equal(fastOnHopper.matmul, hopper.matmul);
    assert.ok(Math.abs(fastOnHopper.memory - Math.min(1, hopper.memory! * 1.5)) < 1e-12);
  });

  test("an architecture's own scale wins over the engine's global one for the same kind", () => {
    const t = table({ both: { ...FIXED, scale: { memory: 1.5 }, scaleByArchitecture: { ampere: { memory: 1.2 } } } });
    const ampere = BUNDLED_CALIBRATION.profiles.ampere!;
    const hopper = BUNDLED_CALIBRATION.profiles.hopper!;
    assert.ok(Math.abs(efficiencyFor('a100-80gb', 'fp16', 'both', t).memory - ampere.memory! * 1.2) < 1e-12);
    assert.ok(Math.abs(efficiencyFor('h100-sxm', 'fp16', 'both', t).memory - Math.min(1, hopper.memory! * 1.5)) < 1e-12);
  });

  test('the fit refuses a kind fitted both globally and per architecture', () => {
    const base = table({ both: { ...FIXED, fixedCostsFit: 'own-rows', fitKnobs: ['matmul', 'memory'], fitKnobsByArchitecture: ['matmul'] } });
    assert.throws(() => fitCalibration([], base), /fits matmul both globally/);
  });

  test("a scaled matmul stays under the GPU's measured ceiling (A100: 271.2 of 312 TFLOPS, 86.9%)", () => {
    const t = table({ fast: { ...FIXED, scaleByArchitecture: { ampere: { matmul: 2 } } } });
    const gpu = getGpu('a100-80gb');
    assert.equal(gpu.matmulCeiling?.fp16, 0.869);
    assert.ok(BUNDLED_CALIBRATION.profiles.ampere!.matmul! * 2 > 0.869);
    const capped = efficiencyFor('a100-80gb', 'fp16', 'fast', t, { matmulCeiling: gpu.matmulCeiling?.fp16 });
    assert.equal(capped.matmul, 0.869);
    assert.equal(efficiencyFor('a100-80gb', 'fp16', 'fast', t).matmul, Math.min(1, BUNDLED_CALIBRATION.profiles.ampere!.matmul! * 2));
    // The simulator passes the GPU's ceiling for the peak its matmuls run at, and the 16-bit
    // one for prefill attention (tensor-core matmuls too).
    const config: SimulationConfig = { ...LLAMA2_7B_ON_A100, calibration: t };
    assert.equal(buildLatencyModel(config, 1).efficiency.matmul, 0.869);
    // (Ampere's fitted prefill attention is 0.404 of the peak: scaled 3x it passes the ceiling.)
    const attention = table({ fast: { ...FIXED, scaleByArchitecture: { ampere: { attention: 3 } } } });
    assert.equal(buildLatencyModel({ ...config, calibration: attention }, 1).efficiency.attention, 0.869);
    // FP8 weights on an A100 (no FP8 tensor cores) run their matmuls at the 16-bit peak: its ceiling.
    assert.equal(buildLatencyModel({ ...config, precision: 'fp8' }, 1).efficiency.matmul, 0.869);
    // On an H100 they run at the FP8 peak, whose measured ceiling is lower (1402.6 of 1979 TFLOPS).
    const hopperFast = table({ fast: { ...FIXED, scaleByArchitecture: { hopper: { matmul: 2 } } } });
    assert.equal(buildLatencyModel({ ...config, gpu: 'h100-sxm', precision: 'fp8', calibration: hopperFast }, 1).efficiency.matmul, 0.709);
    assert.equal(buildLatencyModel({ ...config, gpu: 'h100-sxm', precision: 'fp16', calibration: hopperFast }, 1).efficiency.matmul, 0.803);
  });

  test("weight and KV streaming stop at the GPU's measured HBM read ceiling, however an engine scales them", () => {
    const streaming = table({ fast: { ...FIXED, scale: { memory: 3, kvMemory: 3 } } });
    const config: SimulationConfig = { ...LLAMA2_7B_ON_A100, calibration: streaming };
    // BabelStream Dot: 1.75 of 2.039 TB/s on an A100 80GB, 3.18 of 3.35 on an H100, 4.48 of 4.8 on an H200.
    for (const [gpu, ceiling] of [['a100-80gb', 0.858], ['h100-sxm', 0.949], ['h200', 0.933]] as const) {
      assert.equal(getGpu(gpu).hbmReadCeiling, ceiling);
      const e = buildLatencyModel({ ...config, gpu }, 1).efficiency;
      assert.equal(e.memory, ceiling, gpu);
      assert.equal(e.kvMemory, ceiling, gpu);
    }
    // A GPU without a measured figure keeps the cap at the whole bandwidth.
    assert.equal(getGpu('l4').hbmReadCeiling, undefined);
    assert.equal(buildLatencyModel({ ...config, gpu: 'l4' }, 1).efficiency.memory, 1);
    // Below the ceiling the profile's own figure stands: Ampere's fitted weight streaming.
    const ampereMemory = BUNDLED_CALIBRATION.profiles.ampere!.memory!;
    assert.ok(ampereMemory < 0.858);
    assert.equal(buildLatencyModel({ ...config, calibration: table({ plain: { ...FIXED } }), engineProfile: 'plain' }, 1).efficiency.memory, ampereMemory);
  });

  test("TensorRT-LLM 0.10's XQA serves 8 query heads per KV head: Llama-3-8B's 4 read each KV head once per query head, by hand", () => {
    const t = table({ xqa: { ...FIXED }, 'xqa-1-8': { ...FIXED, groupedDecodeRatios: [8] } });
    const gpu = getGpu('h100-sxm');
    const fp16 = getPrecision('fp16');
    const context = 2048;
    const batch = 64;
    const step = (engineProfile: string, model: string) => decodeStepSeconds(t, engineProfile, model, 'h100-sxm', 'fp16', batch, context);
    const llama3 = getServingModel('llama-3.1-8b');
    assert.equal(llama3.heads / llama3.kvHeads, 4);
    const kvBytes = kvBytesPerToken(llama3, fp16) * batch * context;
    const kvSeconds = kvBytes / (gpu.hbmGBps * 1e9 * efficiencyFor('h100-sxm', 'fp16', 'xqa', t, { hbmReadCeiling: gpu.hbmReadCeiling }).kvMemory);
    // The fallback's 4 query-head blocks per KV head read it 4 times: once from HBM, 3 times from
    // L2 (9.8 TB/s measured), and widen each 2-byte element they read to FP32 at 16 per clock on
    // 132 SMs at 1,980 MHz. On an H100 the conversions are the longest: 4 x bytes / 2 / 4.18e12.
    assert.equal(gpu.l2ReadGBps, 9800);
    const conversionSeconds = (4 * kvBytes) / 2 / (132 * 1980e6 * 16);
    assert.ok(conversionSeconds > (4 * kvBytes) / 9800e9 && conversionSeconds > kvSeconds);
    assert.ok(Math.abs(step('xqa-1-8', 'llama-3.1-8b') - step('xqa', 'llama-3.1-8b') - (conversionSeconds - kvSeconds)) < 1e-9);
    // Llama-2-70B (64 / 8 = 8) has its XQA kernel; Llama-2-7B (one query head per KV head) reads
    // each KV head once with either kernel.
    for (const model of ['llama-2-70b', 'llama-2-7b']) assert.equal(step('xqa-1-8', model), step('xqa', model), model);
    assert.deepEqual(BUNDLED_CALIBRATION.engines['tensorrt-llm-0.10']?.groupedDecodeRatios, [8]);
    assert.equal(BUNDLED_CALIBRATION.engines['tensorrt-llm']?.groupedDecodeRatios, undefined);
  });

  test("TensorRT-LLM 0.12's multi-head decode widens its FP8 cache to FP32 on CUDA cores: 1.5 conversions per element cap the KV read on H100 and H200 alike, by hand", () => {
    const t = table({ plain: { ...FIXED }, mmha: { ...FIXED, mhaDecodeWidensToFp32: true } });
    const context = 2048;
    const batch = 64;
    const step = (engineProfile: string, model: string, gpu: string, precision: string) => decodeStepSeconds(t, engineProfile, model, gpu, precision, batch, context);
    const llama2 = getServingModel('llama-2-7b');
    // FP8 cache: 2 x 32 layers x 32 heads x 128 x 1 B = 262,144 B per token; 64 x 2,048 tokens.
    const kvBytes = kvBytesPerToken(llama2, getPrecision('fp8')) * batch * context;
    assert.equal(kvBytes, 262_144 * 131_072);
    // One FP8 -> FP16x2 conversion per pair and one FP16 -> FP32 per element: 1.5 per 1-byte
    // element at 16 per clock on 132 SMs at 1,980 MHz (4.18e12 per second), on both GPUs.
    const conversionSeconds = (1.5 * kvBytes) / (132 * 1980e6 * 16);
    for (const name of ['h100-sxm', 'h200']) {
      const gpu = getGpu(name);
      const hbmSeconds = kvBytes / (gpu.hbmGBps * 1e9 * efficiencyFor(name, 'fp8', 'plain', t, { hbmReadCeiling: gpu.hbmReadCeiling }).kvMemory);
      // The conversions take longer than the HBM read on both (2.79 TB/s against 3.35 and 4.8 TB/s peaks).
      assert.ok(conversionSeconds > hbmSeconds, name);
      const extra = step('mmha', 'llama-2-7b', name, 'fp8') - step('plain', 'llama-2-7b', name, 'fp8');
      assert.ok(Math.abs(extra - (conversionSeconds - hbmSeconds)) < 1e-9, `${name}: ${extra}`);
    }
    // A 16-bit cache widens one conversion per 2-byte element (8.4 TB/s): HBM stays the roof.
    assert.equal(step('mmha', 'llama-2-7b', 'h100-sxm', 'fp16'), step('plain', 'llama-2-7b', 'h100-sxm', 'fp16'));
    // Grouped models decode with XQA (tensor cores), which takes no conversion roof.
    assert.equal(step('mmha', 'llama-3.1-8b', 'h200', 'fp8'), step('plain', 'llama-3.1-8b', 'h200', 'fp8'));
    // 0.11 runs the same masked multi-head decode (MMHA_USE_FP32_ACCUM_FOR_FMA at 0.11.0.dev2024062500).
    for (const engine of ['tensorrt-llm-0.11', 'tensorrt-llm-0.12']) assert.equal(BUNDLED_CALIBRATION.engines[engine]?.mhaDecodeWidensToFp32, true, engine);
    for (const engine of ['tensorrt-llm-0.5', 'tensorrt-llm-0.10', 'tensorrt-llm', 'current']) {
      assert.equal(BUNDLED_CALIBRATION.engines[engine]?.mhaDecodeWidensToFp32, undefined, engine);
    }
  });

  test("LMDeploy v0.1.0a1's iteration: a prefill pass without the last prompt token, then a decode pass that emits the first token; a one-token prompt skips the prefill, by hand", () => {
    const batching = { chunkedPrefill: false, maxBatch: 128, maxBatchedTokens: null };
    const t = table({ plain: { ...FIXED, batching }, turbomind: { ...FIXED, batching: { ...batching, lastPromptTokenInDecode: true } } });
    const config = (engineProfile: string, input: number, output: number, requests = 1): SimulationConfig => ({
      model: 'llama-2-7b',
      gpu: 'a100-80gb',
      precision: 'fp16',
      calibration: t,
      engineProfile,
      deployment: { mode: 'colocated' },
      workload: { requests, arrival: { kind: 'offline' }, input: { kind: 'fixed', tokens: input }, output: { kind: 'fixed', tokens: output }, seed: 1 },
    });
    const latency = (engineProfile: string) => buildLatencyModel(config(engineProfile, 128, 3), 1);
    const decode = (engineProfile: string, batch: number, context: number) => latency(engineProfile).iterationSeconds(decodeShape(batch, context));
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
    // Plain: the 128-token prefill emits token 1; two decode steps (contexts 129, 130) emit 2 and 3.
    const plain = simulate(config('plain', 128, 3));
    const plainPrefill = latency('plain').iterationSeconds(prefillShape([128]));
    close(plain.ttftMs.mean, plainPrefill * 1000);
    close(plain.e2eMs.mean, (plainPrefill + decode('plain', 1, 129) + decode('plain', 1, 130)) * 1000);
    // TurboMind, one iteration: a 127-token prefill pass without the LM head, then a decode pass
    // over the last prompt token (context 128) that emits token 1; the loop's step cost (1 ms)
    // is paid once. Two more decode steps (contexts 129, 130) emit 2 and 3.
    const loopCost = FIXED.stepOverheadMs / 1000;
    const first = latency('turbomind').iterationSeconds({ ...prefillShape([127]), logitTokens: 0 }) + decode('turbomind', 1, 128) - loopCost;
    const turbo = simulate(config('turbomind', 128, 3));
    close(turbo.ttftMs.mean, first * 1000);
    close(turbo.e2eMs.mean, (first + decode('turbomind', 1, 129) + decode('turbomind', 1, 130)) * 1000);
    assert.equal(turbo.iterations, 3);
    assert.equal(turbo.outputTokens, 3);
    // Two requests at t = 0: the idle engine starts on the first at once. The second's prefill
    // pass runs in the next iteration, whose decode pass also carries the first request (context
    // 129): a running sequence never waits for a prefill.
    const pair = simulateDetailed(config('turbomind', 128, 3, 2));
    const prefill127 = latency('turbomind').iterationSeconds({ ...prefillShape([127]), logitTokens: 0 });
    const second = prefill127 + decode('turbomind', 2, 129 + 128) - loopCost;
    const [a, b] = pair.requests;
    close(a!.firstTokenAt, first);
    close(b!.firstTokenAt, first + second);
    close(a!.finishAt, first + second + decode('turbomind', 2, 130 + 129));
    close(b!.finishAt, first + second + decode('turbomind', 2, 130 + 129) + decode('turbomind', 1, 130));
    assert.equal(pair.result.iterations, 4);
    // A one-token prompt: no prefill pass at all; the first decode step (context 1) emits token 1.
    const single = simulate(config('turbomind', 1, 2));
    close(single.ttftMs.mean, decode('turbomind', 1, 1) * 1000);
    close(single.e2eMs.mean, (decode('turbomind', 1, 1) + decode('turbomind', 1, 2)) * 1000);
    assert.equal(single.iterations, 2);
    assert.equal(BUNDLED_CALIBRATION.engines.lmdeploy?.batching?.lastPromptTokenInDecode, true);
  });
  test("TensorRT-LLM without chunked prefill (trtllm-bench 1.0's default): a prompt joins an iteration only whole, within max_num_tokens beside the decodes, else waits; one longer than the budget runs alone, by hand", () => {
    const t = table({ plain: { ...FIXED } });
    const config = (wholePrompts: boolean, input: number, requests: number): SimulationConfig => ({
      model: 'llama-2-7b',
      gpu: 'a100-80gb',
      precision: 'fp16',
      calibration: t,
      engineProfile: 'plain',
      deployment: { mode: 'colocated' },
      scheduler: { chunkedPrefill: true, chunkTokens: 150, maxBatchedTokens: 150, maxBatch: 64, wholePrompts },
      workload: { requests, arrival: { kind: 'offline' }, input: { kind: 'fixed', tokens: input }, output: { kind: 'fixed', tokens: 3 }, seed: 1 },
    });
    const latency = buildLatencyModel(config(true, 100, 2), 1);
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
    // Three 100-token prompts, a 150-token budget. The idle engine starts on the first at once,
    // alone. The second iteration holds its decode and the whole second prompt (1 + 100 <= 150);
    // the third prompt does not fit in the 49 left and waits whole, where chunking would start it
    // with a 49-token chunk and so make the second prompt's first token later.
    const whole = simulateDetailed(config(true, 100, 3));
    const cut = simulateDetailed(config(false, 100, 3));
    const first = latency.iterationSeconds(prefillShape([100]));
    close(whole.requests[0]!.firstTokenAt, first);
    close(cut.requests[0]!.firstTokenAt, first);
    assert.ok(whole.requests[1]!.firstTokenAt < cut.requests[1]!.firstTokenAt - 1e-9);
    assert.ok(whole.requests[2]!.firstTokenAt > whole.requests[1]!.firstTokenAt);
    assert.equal(whole.result.outputTokens, 9);
    assert.equal(cut.result.outputTokens, 9);
    // A 300-token prompt over the 150-token budget on an idle engine runs whole, alone.
    const long = simulateDetailed(config(true, 300, 1));
    close(long.requests[0]!.firstTokenAt, latency.iterationSeconds(prefillShape([300])));
  });
});
