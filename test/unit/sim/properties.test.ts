import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SimulationConfig, simulate, simulateDetailed } from '../../../src/core/sim/simulate';

const SEED = 20251125;

const configArb = fc.record({
  model: fc.constantFrom('tinyllama-1.1b', 'llama-3.1-8b', 'qwen2.5-7b', 'llama-2-13b', 'gemma-2b'),
  gpu: fc.constantFrom('a100-80gb', 'h100-sxm', 'h200', 'l4', 'rtx-4090'),
  precision: fc.constantFrom('fp16', 'fp8', 'w4a16'),
  mode: fc.constantFrom('colocated', 'disaggregated', 'llumnix'),
  instances: fc.integer({ min: 1, max: 3 }),
  chunked: fc.boolean(),
  rate: fc.double({ min: 0.5, max: 40, noNaN: true }),
  input: fc.integer({ min: 1, max: 1500 }),
  output: fc.integer({ min: 1, max: 300 }),
  requests: fc.integer({ min: 5, max: 60 }),
  seed: fc.integer({ min: 0, max: 1000 }),
  maxBatch: fc.integer({ min: 1, max: 64 }),
});

type Params = typeof configArb extends fc.Arbitrary<infer T> ? T : never;

function toConfig(p: Params): SimulationConfig {
  return {
    model: p.model,
    gpu: p.gpu,
    precision: p.precision,
    deployment:
      p.mode === 'disaggregated'
        ? { mode: 'disaggregated', prefillInstances: p.instances, decodeInstances: 1 }
        : { mode: p.mode, instances: p.instances },
    scheduler: { chunkedPrefill: p.chunked, maxBatch: p.maxBatch },
    workload: { requests: p.requests, arrival: { kind: 'poisson', rate: p.rate }, input: { kind: 'uniform', min: 1, max: p.input }, output: { kind: 'uniform', min: 1, max: p.output }, seed: p.seed },
    slo: { ttftMs: 500, tpotMs: 50 },
  };
}

/** Configurations whose model does not fit the GPU are rejected up front; skip those. */
function run<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if ((err as Error).name === 'SimulationConfigError') return undefined;
    throw err;
  }
}

describe('simulator properties over random configurations', () => {
  test('no negative times, TTFT <= E2E, all requests complete, attainment in [0, 1]', () => {
    fc.assert(
      fc.property(configArb, (p) => {
        const config = toConfig(p);
        const out = run(() => simulateDetailed(config));
        if (!out) return;
        for (const r of out.requests) {
          assert.ok(r.firstTokenAt - r.arrival >= 0);
          assert.ok(r.finishAt >= r.firstTokenAt);
          assert.equal(r.generated, r.output);
        }
        const s = out.result;
        assert.equal(s.completedRequests, p.requests);
        assert.ok(s.ttftMs.p50 <= s.e2eMs.p50 + 1e-9 && s.ttftMs.mean <= s.e2eMs.mean + 1e-9);
        assert.ok(s.sloAttainment !== null && s.sloAttainment >= 0 && s.sloAttainment <= 1);
        assert.ok(s.costPer1kRequestsUsd >= 0 && s.energyJPerRequest >= 0);
        assert.ok(s.gpuUtilization.busyFraction >= 0 && s.gpuUtilization.busyFraction <= 1 + 1e-9);
      }),
      { seed: SEED, numRuns: 120 },
    );
  });

  test('deterministic: the same seed gives the same result', () => {
    fc.assert(
      fc.property(configArb, (p) => {
        const config = toConfig(p);
        const a = run(() => simulate(config));
        if (!a) return;
        assert.deepEqual(simulate(config), a);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  test('monotone in rate: more load never makes mean latency better (colocated, FCFS)', () => {
    fc.assert(
      fc.property(configArb, fc.double({ min: 1.5, max: 4, noNaN: true }), (p, factor) => {
        const config = toConfig({ ...p, mode: 'colocated', requests: 40 });
        const slow = run(() => simulate(config));
        if (!slow) return;
        const fast = simulate({ ...config, workload: { ...config.workload, arrival: { kind: 'poisson', rate: p.rate * factor } } });
        // Batching lets a busier instance amortise some work, so allow 5% of slack.
        assert.ok(fast.e2eMs.mean >= slow.e2eMs.mean * 0.95, `E2E ${fast.e2eMs.mean} at ${p.rate * factor}/s < ${slow.e2eMs.mean} at ${p.rate}/s`);
        // A prompt waits for the iteration in flight when it arrives. Scaling the arrival times
        // moves where in that iteration each one lands, which moves a light-load TTFT (one or
        // two iterations) by a share of an iteration either way: allow half a mean iteration
        // too. Mean iteration: the instances' busy seconds (busy GPU-seconds over TP) over
        // their iterations.
        const busyInstanceSeconds = (slow.gpuUtilization.busyFraction * slow.gpus * slow.makespanSec) / slow.config.tensorParallel;
        const iterationMs = (busyInstanceSeconds * 1000) / Math.max(1, slow.iterations);
        assert.ok(
          fast.ttftMs.mean >= slow.ttftMs.mean * 0.95 - iterationMs / 2,
          `TTFT ${fast.ttftMs.mean} at ${p.rate * factor}/s < ${slow.ttftMs.mean} at ${p.rate}/s (mean iteration ${iterationMs} ms)`,
        );
      }),
      { seed: SEED, numRuns: 80 },
    );
  });
});
