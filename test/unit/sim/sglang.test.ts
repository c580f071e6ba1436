/**
 * The SGLang engine profile's mechanisms (issue 14), by hand: its admission with a share of the
 * outputs reserved (new_token_ratio), the per-layer cost of iterations outside a CUDA graph
 * (cuda_graph_max_bs), its decode attention on CUDA cores (FlashInfer 0.1.6's grouped kernels),
 * its memory share by TP degree (mem_fraction_static), and the inter-token latency its rows
 * measure.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUNDLED_CALIBRATION, CalibrationTable, MEMORY_SETTINGS } from '../../../src/core/sim/calibration';
import { getGpu, getPrecision, getServingModel, kvBytesPerToken, storedWeightBytes } from '../../../src/core/sim/catalog';
import { Instance, InstanceHost, SchedulerOptions } from '../../../src/core/sim/instance';
import { allReduceMicros, measuredAllReduceCurve } from '../../../src/core/sim/allreduce';
import { decodeShape, prefillShape } from '../../../src/core/sim/latency';
import { memoryUtilizationAt, planMemory } from '../../../src/core/sim/memory';
import { summarizeWeighted } from '../../../src/core/sim/metrics';
import { Phase, SimRequest } from '../../../src/core/sim/request';
import { SimulationConfig, buildLatencyModel, memorySettingsFor, simulateDetailed } from '../../../src/core/sim/simulate';
import { VALIDATION_ROWS, servingSimulation } from '../../../src/core/sim/validation';

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

/** An instance whose host only keeps the clock: the test drives its iterations. */
function instanceWith(capacityTokens: number, options: Partial<SchedulerOptions>): { instance: Instance; host: InstanceHost & { now: number } } {
  const host = { now: 0, scheduleStepEnd() {}, onFinish() {}, onPrefillHandoff() {}, onPreempt() {}, onPausedForMigration() {} };
  const latency = buildLatencyModel(config(table({ plain: { ...FIXED } }), 'plain'), 1);
  const base: SchedulerOptions = { maxBatch: 100, maxBatchedTokens: 10_000, chunkedPrefill: false, chunkTokens: 512, watermark: 0 };
  return { instance: new Instance(0, 'mixed', latency, capacityTokens, { ...base, ...options }, host), host };
}

/** Prompts (100 tokens, 200 out) admitted in the iteration after the first one's prefill, on 1,000 KV tokens. */
function admittedBesideOne(options: Partial<SchedulerOptions> = {}): number {
  const { instance, host } = instanceWith(1000, options);
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
    assert.equal(admittedBesideOne({ outputReservation: { initialShare: 0.5, minShare: 0.5, decaySteps: 1, retractLookaheadSteps: 1 } }), 3);
    // A share of 1 is a full reservation: r1 600, r2 900, r3 1,200 waits. Two.
    assert.equal(admittedBesideOne({ outputReservation: { initialShare: 1, minShare: 1, decaySteps: 1, retractLookaheadSteps: 1 } }), 2);
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

  test('decode attention on CUDA cores (FlashInfer 0.1.6 for 1, 2, 4 or 8 query heads per KV head) is bound by its products a second where the group is large, by hand', () => {
    const cudaCoreDecode = { queryHeadsPerKvHead: [1, 2, 4, 8], productsPerSmClock: { hopper: 26.1, ampere: 22.2 }, basis: 'test' };
    const t = table({ cudaCores: { ...FIXED, cudaCoreDecode }, plain: { ...FIXED } });
    const contextTokens = 64 * 4096;
    const decodeAttention = (engine: string, model: string, gpu: string, tp: number) =>
      buildLatencyModel({ ...config(t, engine), model, gpu, precision: 'bf16' }, tp).breakdown(decodeShape(64, contextTokens)).attentionSeconds;
    const kvBytesPerGpu = (model: string, tp: number) => (kvBytesPerToken(getServingModel(model), getPrecision('bf16')) / tp) * contextTokens;
    const close = (a: number, b: number) => assert.ok(Math.abs(a / b - 1) < 1e-12, `${a} vs ${b}`);
    // Llama-3.1-70B at TP4 on an H200: 16 query heads and 2 KV heads a GPU, so 8 products per
    // 2-byte KV element, 4 a byte, at 132 SMs x 1,980 MHz x 26.1 = 6.82 T products/s: the reads
    // run at 1.71 TB/s, where HBM would give 4.8 TB/s x the profile's efficiency.
    const hopperRate = 132 * 1980e6 * 26.1;
    close(decodeAttention('cudaCores', 'llama-3.1-70b', 'h200', 4), (kvBytesPerGpu('llama-3.1-70b', 4) * 4) / hopperRate);
    assert.ok(decodeAttention('cudaCores', 'llama-3.1-70b', 'h200', 4) > 2 * decodeAttention('plain', 'llama-3.1-70b', 'h200', 4));
    // At TP8 each GPU keeps one of the 8 KV heads for its 8 query heads: still a group of 8.
    close(decodeAttention('cudaCores', 'llama-3.1-70b', 'h200', 8), (kvBytesPerGpu('llama-3.1-70b', 8) * 4) / hopperRate);
    // The group is a GPU's, not the model's: at TP16 each GPU keeps a copy of one KV head for its
    // 4 query heads (2 products a byte: 3.4 TB/s, still under HBM's), where 64 / 8 would give 8.
    close(decodeAttention('cudaCores', 'llama-3.1-70b', 'h200', 16), (kvBytesPerGpu('llama-3.1-70b', 16) * 2) / hopperRate);
    // Llama-3.1-405B at TP8: 16 query heads for one KV head, not a compiled group: the
    // tensor-core kernel, bound by HBM as in the plain profile; at TP16, 8 for one: CUDA cores.
    assert.equal(decodeAttention('cudaCores', 'llama-3.1-405b', 'h200', 8), decodeAttention('plain', 'llama-3.1-405b', 'h200', 8));
    close(decodeAttention('cudaCores', 'llama-3.1-405b', 'h200', 16), (kvBytesPerGpu('llama-3.1-405b', 16) * 4) / hopperRate);
    // Llama-2-7B (one query head per KV head): half a product a byte, faster than HBM: as before.
    assert.equal(decodeAttention('cudaCores', 'llama-2-7b', 'h200', 1), decodeAttention('plain', 'llama-2-7b', 'h200', 1));
    // An A100 at Ampere's rate: 108 SMs x 1,410 MHz x 22.2 = 3.38 T products/s.
    close(decodeAttention('cudaCores', 'llama-3.1-70b', 'a100-80gb', 4), (kvBytesPerGpu('llama-3.1-70b', 4) * 4) / (108 * 1410e6 * 22.2));
    // A GPU without a measured rate (the L4 has no SM count in gpus.json) keeps the HBM bound,
    // even for a group of 8.
    assert.equal(decodeAttention('cudaCores', 'llama-3.1-70b', 'l4', 4), decodeAttention('plain', 'llama-3.1-70b', 'l4', 4));
    // The bundled SGLang profile runs that kernel for the 70B build and not the 405B's.
    assert.deepEqual(BUNDLED_CALIBRATION.engines.sglang?.cudaCoreDecode?.queryHeadsPerKvHead, [1, 2, 4, 8]);
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

  test("a serving row whose launch set --mem-fraction-static sizes the KV pool by it, not by the profile's share for its TP degree, by hand (Llama-3.1-405B, 8 x H200)", () => {
    const row = VALIDATION_ROWS.find((r) => r.id === 'sglang-dc-llama-3.1-405b-h200-tp8-poisson-1024-1024-r4-outputTokensPerSec');
    assert.ok(row && row.scenario.kind === 'serving');
    // DataCrunch's benchmarking commands launch the 405B build with --mem-frac 0.87.
    assert.equal(row.scenario.memoryFraction, 0.87);
    const model = getServingModel('llama-3.1-405b');
    const gpu = getGpu('h200');
    const precision = getPrecision('bf16');
    const GIB = 1024 ** 3;
    const poolTokens = (fraction: number): number => {
      const perGpu = gpu.memoryGiB * GIB * fraction - MEMORY_SETTINGS.activationReserveGiB * GIB - storedWeightBytes(model, precision) / 8;
      const tokens = Math.floor((perGpu * 8) / kvBytesPerToken(model, precision));
      return Math.floor(tokens / MEMORY_SETTINGS.blockTokens) * MEMORY_SETTINGS.blockTokens;
    };
    const capacity = (scenario: typeof row.scenario): number => {
      const config = servingSimulation(row, scenario);
      return simulateDetailed({ ...config, workload: { ...config.workload, requests: 2 } }).result.kvCapacityTokensPerInstance[0]!;
    };
    assert.equal(capacity(row.scenario), poolTokens(0.87));
    // Without the launch's fraction the profile's share at TP8 (0.81) applies.
    const { memoryFraction: _launch, ...defaults } = row.scenario;
    assert.equal(capacity(defaults), poolTokens(0.81));
    assert.ok(poolTokens(0.87) > 1.4 * poolTokens(0.81));
    // The rule lives in the shared settings: a share the caller sets replaces the engine's
    // share by TP degree; one the caller sets by TP degree itself is kept.
    const sglang = { engineProfile: 'sglang' };
    assert.equal(memoryUtilizationAt(memorySettingsFor(sglang), 8), 0.81);
    assert.equal(memoryUtilizationAt(memorySettingsFor({ ...sglang, memory: { gpuMemoryUtilization: 0.87 } }), 8), 0.87);
    const ownSteps = [{ minTp: 1, fraction: 0.5 }];
    assert.equal(memoryUtilizationAt(memorySettingsFor({ ...sglang, memory: { gpuMemoryUtilization: 0.87, gpuMemoryUtilizationByTp: ownSteps } }), 8), 0.5);
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

const SHARE = { initialShare: 0.5, minShare: 0.5, decaySteps: 1, retractLookaheadSteps: 1 };

describe('SGLang scheduling as benchmarked', () => {
  test('known outputs: a prompt is admitted only if the KV never runs out with every request running to its end, by hand', () => {
    // Capacity 1,000. Request 0 decodes: 100 KV tokens held, 199 tokens left (its prefill
    // emitted the first). A new request holds 100 and has 200 left.
    // r1: free 1,000 - 100 - 100 = 800; by tokens left [r0 199, r1 200]: 800 - 200 x 2 = 400 > 0,
    //     then 800 + 100 - 200 x 1 = 700 > 0: admitted.
    // r2: free 700; [199, 200, 200]: 700 - 200 x 3 = 100 > 0; 700 + 100 - 200 x 2 = 400 > 0;
    //     700 + 200 - 200 = 700 > 0: admitted.
    // r3: free 600; [199, 200, 200, 200]: 600 - 200 x 4 = -200: waits. Two admitted.
    assert.equal(admittedBesideOne({ outputReservation: SHARE, knownOutputs: true }), 2);
    // The share of the outputs (SGLang's path for requests that may stop early) admits three.
    assert.equal(admittedBesideOne({ outputReservation: SHARE }), 3);
  });

  test('known outputs: requests that finish early free their KV for the later ones, by hand', () => {
    // Request 0 decodes with 9 tokens left (100 held); new requests 100 in, 10 out (left 10,
    // held 100), capacity 1,000.
    // r1: free 800; [9, 10]: 800 - 10 x 2 > 0; 800 + 100 - 10 > 0. r2: free 700; [9, 10, 10]:
    // 700 - 30 > 0 ... and so on while the prompts fit: r_k is admitted while 1,000 - 100 x (k + 1)
    // - 10 x (k + 1) > 0, i.e. k <= 8; the instance caps nothing else, so all five wait for
    // nothing: five admitted. A full reservation of 110 each would also admit five; with 300
    // out (left 300) the early finisher still cannot make room: r1: 800 - 300 x 2 = 200 > 0,
    // r2: 700 - 300 x 3 < 0: one.
    const run = (output: number) => {
      const { instance, host } = instanceWith(1000, { outputReservation: SHARE, knownOutputs: true });
      const first = new SimRequest(0, 0, 100, 10, false, -1);
      const others = Array.from({ length: 5 }, (_, i) => new SimRequest(i + 1, 0, 100, output, false, -1));
      instance.enqueue(first);
      for (const r of others) instance.enqueue(r);
      host.now = 0.01;
      instance.stepEnd();
      return others.filter((r) => r.phase === Phase.Prefilling).length;
    };
    assert.equal(run(10), 5);
    assert.equal(run(300), 1);
    // The KV a finished request held counts for the ones after it. Capacity 1,900: A (800 in,
    // 6 out) decodes with 5 left; B (800 in, 11 out) is admitted (free 300: 300 - 11 x 2 > 0,
    // 300 + 800 - 11 > 0); then C (100 in, 300 out): free 200, by tokens left [A 5, B 11, C
    // 300]: 200 - 11 x 3 = 167 > 0; 200 + 800 (A's, freed) - 300 x 2 = 400 > 0; 200 + 1,600 -
    // 300 > 0: admitted; the next C: free 100, [5, 11, 300, 300]: 100 - 44 > 0, then 100 + 800 -
    // 300 x 3 = 0: waits. Without A's KV freed, not even the first C would be admitted.
    const { instance, host } = instanceWith(1900, { outputReservation: SHARE, knownOutputs: true });
    const a = new SimRequest(0, 0, 800, 6, false, -1);
    const b = new SimRequest(1, 0, 800, 11, false, -1);
    const cs = Array.from({ length: 4 }, (_, i) => new SimRequest(i + 2, 0, 100, 300, false, -1));
    instance.enqueue(a);
    instance.enqueue(b);
    for (const c of cs) instance.enqueue(c);
    host.now = 0.01;
    instance.stepEnd();
    assert.equal(b.phase, Phase.Prefilling);
    assert.equal(cs.filter((c) => c.phase === Phase.Prefilling).length, 1);
  });

  test('known outputs: the decode set stays in finishing order while requests join, finish and are cut into prefills', () => {
    // 3,000 KV tokens for twelve requests of 1,200 to 2,400 tokens each, prompts cut to 400-token
    // prefills: the plan admits a few at a time, no request is ever preempted, and every one
    // finishes (leaving the decode set checks the order each time).
    const host = { now: 0, scheduleStepEnd() {}, onPrefillHandoff() {}, onPreempt() {}, onPausedForMigration() {}, onFinish: (r: SimRequest) => (r.phase = Phase.Done) };
    const latency = buildLatencyModel(config(table({ plain: { ...FIXED } }), 'plain'), 1);
    const options: SchedulerOptions = { maxBatch: 100, maxBatchedTokens: 400, chunkedPrefill: false, chunkTokens: 512, watermark: 0, outputReservation: SHARE, knownOutputs: true, splitPrompts: true };
    const instance = new Instance(0, 'mixed', latency, 3000, options, host);
    const requests = Array.from({ length: 12 }, (_, i) => new SimRequest(i, 0, 600 + 50 * i, 600 + 50 * i, false, -1));
    for (const r of requests) instance.enqueue(r);
    for (let step = 1; step < 100_000 && requests.some((r) => r.phase !== Phase.Done); step++) {
      host.now = step * 0.01;
      instance.stepEnd();
    }
    assert.ok(requests.every((r) => r.phase === Phase.Done), 'every request finishes');
    assert.equal(instance.preemptions, 0);
  });

  test('split prompts: a prefill iteration fills its token budget and the cut prompt finishes in the next, a prefill too', () => {
    const prompts = (options: Partial<SchedulerOptions>) => {
      const { instance, host } = instanceWith(100_000, { maxBatchedTokens: 1000, ...options });
      const [r0, r1, r2] = [0, 1, 2].map((i) => new SimRequest(i, 0, 600, 50, false, -1)) as [SimRequest, SimRequest, SimRequest];
      instance.enqueue(r0); // iteration 1: r0's 600 tokens
      instance.enqueue(r1);
      instance.enqueue(r2);
      host.now = 0.01;
      instance.stepEnd(); // iteration 2 composed
      return { instance, host, r0, r1, r2 };
    };
    // With the cut: iteration 2 = r1's 600 + r2's first 400 (1,000 tokens), no decode.
    const cut = prompts({ splitPrompts: true });
    assert.equal(cut.r1.phase, Phase.Prefilling);
    assert.equal(cut.r2.phase, Phase.Prefilling);
    const decodedBefore = cut.r0.generated;
    cut.host.now = 0.02;
    cut.instance.stepEnd(); // r1 done; r2 has 400 of 600: iteration 3 = r2's last 200, no decode
    assert.equal(cut.r1.phase, Phase.Decoding);
    assert.equal(cut.r2.phase, Phase.Prefilling);
    assert.equal(cut.r2.prefillDone, 400);
    assert.equal(cut.instance.generatedOf(cut.r0), decodedBefore, 'the decodes wait for the prefills');
    cut.host.now = 0.03;
    cut.instance.stepEnd();
    assert.equal(cut.r2.phase, Phase.Decoding);
    // Whole prompts: r2 does not fit beside r1 (1,200 > 1,000) and waits in the queue.
    const whole = prompts({});
    assert.equal(whole.r1.phase, Phase.Prefilling);
    assert.equal(whole.r2.phase, Phase.Waiting);
  });

  test('overlap scheduling: a request that arrives during an iteration misses the next one too, unless the engine would idle', () => {
    const arrivingDuringFirst = (overlapScheduling: boolean, output: number) => {
      const { instance, host } = instanceWith(100_000, overlapScheduling ? { overlapScheduling } : {});
      const r0 = new SimRequest(0, 0, 100, output, false, -1);
      const r1 = new SimRequest(1, 0.001, 100, 10, false, -1);
      instance.enqueue(r0); // iteration 1 starts at 0
      host.now = 0.001;
      instance.enqueue(r1); // arrives while it runs
      host.now = 0.01;
      instance.stepEnd(); // iteration 2 was composed when iteration 1 started, at 0
      const second = r1.phase;
      host.now = 0.02;
      instance.stepEnd();
      return [second, r1.phase];
    };
    // r0 decodes on: with the overlap, iteration 2 is r0's decode alone and r1 comes in iteration 3.
    assert.deepEqual(arrivingDuringFirst(true, 10), [Phase.Waiting, Phase.Prefilling]);
    assert.deepEqual(arrivingDuringFirst(false, 10), [Phase.Prefilling, Phase.Decoding]);
    // r0 is done after its prefill (one token): nothing else to run, so r1 starts at once.
    assert.deepEqual(arrivingDuringFirst(true, 1), [Phase.Prefilling, Phase.Decoding]);
  });

  test("overlap scheduling: an iteration takes the longer of the GPU's work and the CPU's, by hand", () => {
    const t = table({
      plain: { ...FIXED },
      overlapped: { ...FIXED, batching: { chunkedPrefill: false, maxBatch: 256, overlapScheduling: true } },
      cpuBound: { ...FIXED, perSequenceUs: 1000, batching: { chunkedPrefill: false, maxBatch: 256, overlapScheduling: true } },
    });
    const layers = getServingModel('llama-2-7b').layers; // 32
    const plain = buildLatencyModel(config(t, 'plain'), 1);
    const overlapped = buildLatencyModel(config(t, 'overlapped'), 1);
    const cpuBound = buildLatencyModel(config(t, 'cpuBound'), 1);
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
    for (const batch of [1, 64]) {
      const shape = decodeShape(batch, batch * 500);
      // The plain model adds every cost: kernels + 1 ms + 10 us x 32 layers + 5 us x batch.
      const kernels = plain.iterationSeconds(shape) - (1e-3 + 10e-6 * layers + 5e-6 * batch);
      // GPU: kernels + the per-layer cost; CPU: 1 ms + 5 us x batch (1.005 / 1.32 ms): the GPU's is longer.
      close(overlapped.iterationSeconds(shape), Math.max(kernels + 10e-6 * layers, 1e-3 + 5e-6 * batch));
      assert.ok(kernels + 10e-6 * layers > 1e-3 + 5e-6 * batch);
      // 1 ms per sequence: at 64 sequences the CPU's 65 ms outlasts the GPU; at one, 2 ms does not.
      close(cpuBound.iterationSeconds(shape), Math.max(kernels + 10e-6 * layers, 1e-3 + 1e-3 * batch));
      if (batch === 64) close(cpuBound.iterationSeconds(shape), 65e-3);
      else assert.ok(cpuBound.iterationSeconds(shape) > 2e-3);
    }
  });
});
