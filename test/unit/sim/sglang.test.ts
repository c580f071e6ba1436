/**
 * The SGLang engine profile's mechanisms (issue 14), by hand: its admission with a share of the
 * outputs reserved (new_token_ratio), the per-layer cost of iterations outside a CUDA graph
 * (cuda_graph_max_bs), its memory share by TP degree (mem_fraction_static), and the
 * inter-token latency its rows measure.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUNDLED_CALIBRATION, CalibrationTable, MEMORY_SETTINGS } from '../../../src/core/sim/calibration';
import { getGpu, getPrecision, getServingModel, kvBytesPerToken, storedWeightBytes } from '../../../src/core/sim/catalog';
import { Instance, InstanceHost, OutputReservation } from '../../../src/core/sim/instance';
import { allReduceMicros, measuredAllReduceCurve } from '../../../src/core/sim/allreduce';
import { decodeShape, prefillShape } from '../../../src/core/sim/latency';
import { memoryUtilizationAt, planMemory } from '../../../src/core/sim/memory';
import { summarizeWeighted } from '../../../src/core/sim/metrics';
import { Phase, SimRequest } from '../../../src/core/sim/request';
import { SimulationConfig, buildLatencyModel, simulateDetailed } from '../../../src/core/sim/simulate';

const FIXED = { stepOverheadMs: 1, layerOverheadUs: 10, allReduceUs: 20, perSequenceUs: 5 };

function table(engines: CalibrationTable['engines']): CalibrationTable {
  return { ...BUNDLED_CALIBRATION, engines, defaultEngine: Object.keys(engines)[0]! };
}

function config(calibration: CalibrationTable, engineProfile: string): SimulationConfig {
  return {
    model: 'llama-2-7b',
    gpu: 'a100-80gb',
    precision: 'fp16',
    calibration,
    engineProfile,
    deployment: { mode: 'colocated' },
    workload: { requests: 1, arrival: { kind: 'offline' }, input: { kind: 'fixed', tokens: 8 }, output: { kind: 'fixed', tokens: 2 }, seed: 1 },
  };
}

/** An instance of 1,000 KV tokens whose host does nothing: the test drives its iterations. */
function lonelyInstance(outputReservation?: OutputReservation): { instance: Instance; host: InstanceHost & { now: number } } {
  const host = { now: 0, scheduleStepEnd() {}, onFinish() {}, onPrefillHandoff() {}, onPreempt() {}, onPausedForMigration() {} };
  const latency = buildLatencyModel(config(table({ plain: { ...FIXED } }), 'plain'), 1);
  const options = { maxBatch: 100, maxBatchedTokens: 10_000, chunkedPrefill: false, chunkTokens: 512, watermark: 0, ...(outputReservation ? { outputReservation } : {}) };
  return { instance: new Instance(0, 'mixed', latency, 1000, options, host), host };
}

/** Prompts (100 tokens, 200 out) admitted in the iteration after the first one's prefill. */
function admittedBesideOne(outputReservation?: OutputReservation): number {
  const { instance, host } = lonelyInstance(outputReservation);
  const requests = Array.from({ length: 6 }, (_, i) => new SimRequest(i, 0, 100, 200, false, -1));
  instance.enqueue(requests[0]!); // starts a prefill of request 0 alone
  for (const r of requests.slice(1)) instance.enqueue(r); // wait: the instance is busy
  host.now = 0.01;
  instance.stepEnd(); // request 0 decodes (100 KV tokens, 200 to come); the next iteration admits
  return requests.slice(1).filter((r) => r.phase === Phase.Prefilling).length;
}

describe('SGLang engine profile', () => {
  test("admission reserves a share of every admitted request's remaining output, and the new request's whole output, by hand", () => {
    // Capacity 1,000. Request 0 holds 100 tokens with 200 to come. With a share of 0.5, each
    // new 100-token prompt needs 100 + 200 beside 0.5 x the others' remaining outputs:
    // r1: 100 + 0.5 x 200 + 300 = 500; r2: 200 + 0.5 x 400 + 300 = 700; r3: 300 + 0.5 x 600 +
    // 300 = 900; r4: 400 + 0.5 x 800 + 300 = 1,100 > 1,000 waits. Three admitted.
    assert.equal(admittedBesideOne({ initialShare: 0.5, minShare: 0.5, decaySteps: 1, retractLookaheadSteps: 1 }), 3);
    // A share of 1 is a full reservation: r1 600, r2 900, r3 1,200 waits. Two.
    assert.equal(admittedBesideOne({ initialShare: 1, minShare: 1, decaySteps: 1, retractLookaheadSteps: 1 }), 2);
    // Admission on the prompt alone (vLLM): 100 + 5 x 100 = 600 fits, all five.
    assert.equal(admittedBesideOne(), 5);
  });

  test('an iteration outside the CUDA graph (a prefill, or a decode of more sequences than the graph holds) pays the eager per-layer cost, by hand', () => {
    const t = table({ graphed: { ...FIXED, cudaGraphMaxBatch: 4, eagerLayerOverheadUs: 110 }, plain: { ...FIXED } });
    const graphed = buildLatencyModel(config(t, 'graphed'), 1);
    const plain = buildLatencyModel(config(t, 'plain'), 1);
    const layers = getServingModel('llama-2-7b').layers; // 32
    const extra = (110 - 10) * 1e-6 * layers;
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
    close(graphed.iterationSeconds(decodeShape(4, 4 * 300)) - plain.iterationSeconds(decodeShape(4, 4 * 300)), 0);
    close(graphed.iterationSeconds(decodeShape(5, 5 * 300)) - plain.iterationSeconds(decodeShape(5, 5 * 300)), extra);
    close(graphed.iterationSeconds(prefillShape([64])) - plain.iterationSeconds(prefillShape([64])), extra);
  });

  test("SGLang's all-reduce takes its measured time in a CUDA graph and its eager time outside one, plus the profile's cost per call, by hand (Llama-3.1-70B, 4 x H200)", () => {
    const profile = BUNDLED_CALIBRATION.engines.sglang!;
    assert.equal(profile.allReduceLibrary?.measured, 'sglang-custom-graph');
    assert.equal(profile.allReduceLibrary?.measuredEager, 'sglang-custom-eager');
    const run: SimulationConfig = { ...config(BUNDLED_CALIBRATION, 'sglang'), model: 'llama-3.1-70b', gpu: 'h200', precision: 'bf16' };
    const latency = buildLatencyModel(run, 4);
    const graph = measuredAllReduceCurve('sglang-custom-graph', 'h200', 4)!;
    const eager = measuredAllReduceCurve('sglang-custom-eager', 'h200', 4)!;
    const allReduces = 2 * 80;
    const hidden = 8192;
    const perCall = profile.allReduceUs!;
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
    // A decode step of 8 sequences runs in the graph: 8 x 8,192 x 2 B = 128 KiB per all-reduce.
    close(latency.breakdown(decodeShape(8, 8 * 500)).communicationSeconds, allReduces * (allReduceMicros(graph, 8 * hidden * 2) + perCall) * 1e-6);
    // 161 sequences are more than the graph holds (160): eager.
    close(latency.breakdown(decodeShape(161, 161 * 500)).communicationSeconds, allReduces * (allReduceMicros(eager, 161 * hidden * 2) + perCall) * 1e-6);
    // A prefill is always eager.
    close(latency.breakdown(prefillShape([64])).communicationSeconds, allReduces * (allReduceMicros(eager, 64 * hidden * 2) + perCall) * 1e-6);
    // The eager call is the slower: about 20 us against 4-5 us for a small message.
    assert.ok(allReduceMicros(eager, 4096) > 3 * allReduceMicros(graph, 4096));
  });

  test("the KV pool is mem_fraction_static of each GPU's memory minus the weights, the share picked by TP degree, by hand", () => {
    const steps = [
      { minTp: 1, fraction: 0.88 },
      { minTp: 2, fraction: 0.87 },
      { minTp: 4, fraction: 0.85 },
      { minTp: 8, fraction: 0.81 },
    ];
    const settings = { ...MEMORY_SETTINGS, gpuMemoryUtilizationByTp: steps };
    assert.deepEqual([1, 2, 4, 8, 16].map((tp) => memoryUtilizationAt(settings, tp)), [0.88, 0.87, 0.85, 0.81, 0.81]);
    assert.equal(memoryUtilizationAt(MEMORY_SETTINGS, 4), MEMORY_SETTINGS.gpuMemoryUtilization);
    const model = getServingModel('llama-3.1-70b');
    const gpu = getGpu('h200');
    const precision = getPrecision('bf16');
    const GIB = 1024 ** 3;
    const perGpu = gpu.memoryGiB * GIB * 0.85 - MEMORY_SETTINGS.activationReserveGiB * GIB - storedWeightBytes(model, precision) / 4;
    const tokens = Math.floor((perGpu * 4) / kvBytesPerToken(model, precision));
    const expected = Math.floor(tokens / MEMORY_SETTINGS.blockTokens) * MEMORY_SETTINGS.blockTokens;
    assert.equal(planMemory(model, gpu, precision, 4, settings).kvCapacityTokens, expected);
  });

  test('inter-token latency: a lone reply decodes one token per step; a prefill that pauses the decodes lengthens the gap it falls in, by hand', () => {
    const t = table({ plain: { ...FIXED } });
    const base: SimulationConfig = { ...config(t, 'plain'), interTokenLatency: true };
    const latency = buildLatencyModel(base, 1);
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
    // One request, 10 in, 4 out: the prefill emits token 1, three decode steps the rest, at
    // 10, 11 and 12 cached tokens, each step attending to them and its own (11, 12, 13). Its
    // three gaps are those steps.
    const lone = simulateDetailed({ ...base, workload: { ...base.workload, input: { kind: 'fixed', tokens: 10 }, output: { kind: 'fixed', tokens: 4 } } });
    const steps = [11, 12, 13].map((c) => latency.iterationSeconds(decodeShape(1, c)) * 1000);
    close(lone.result.itlMs!.mean, (steps[0]! + steps[1]! + steps[2]!) / 3);
    close(lone.result.itlMs!.p50, steps[1]!);
    // The weighted median: 3 samples of 1 ms and 1 of 10 ms give a median of 1 and a mean of 3.25.
    const w = summarizeWeighted([10, 1], [1, 3]);
    assert.equal(w.p50, 1);
    assert.equal(w.mean, 3.25);
    assert.equal(w.p99, 10);
    // Two requests, the second arriving while the first decodes, on an engine that prefills
    // before it decodes (vLLM v0, SGLang): the first reply's gap that spans the second's prefill
    // is that prefill plus a decode step, the longest gap of the run.
    const two = simulateDetailed({
      ...base,
      scheduler: { chunkedPrefill: false },
      workload: { requests: 2, arrival: { kind: 'poisson', rate: 1e6 }, input: { kind: 'fixed', tokens: 1000 }, output: { kind: 'fixed', tokens: 50 }, seed: 1 },
    });
    const prefill = latency.iterationSeconds(prefillShape([1000])) * 1000;
    assert.ok(two.result.itlMs!.p99 > prefill, `${two.result.itlMs!.p99} ms <= one prefill ${prefill} ms`);
    assert.ok(two.result.itlMs!.p50 < prefill);
    // One reply's gaps add up to its time after the first token, wherever its decodes run: its
    // mean ITL is its TPOT, also when its KV moves from a prefill instance to a decode instance
    // first (the transfer is in its first gap).
    for (const mode of ['colocated', 'disaggregated'] as const) {
      const one = simulateDetailed({
        ...base,
        deployment: { mode },
        workload: { requests: 1, arrival: { kind: 'offline' }, input: { kind: 'fixed', tokens: 512 }, output: { kind: 'fixed', tokens: 5 }, seed: 1 },
      });
      close(one.result.itlMs!.mean, one.result.tpotMs.mean);
    }
    // Runs that do not ask for it (the cards, the planner) keep no gaps and report none.
    assert.equal(simulateDetailed({ ...base, interTokenLatency: false }).result.itlMs, undefined);
  });
});
