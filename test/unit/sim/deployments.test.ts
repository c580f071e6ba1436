import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findGoodput, searchPlacement } from '../../../src/core/sim/goodput';
import { SimulationConfig, simulate } from '../../../src/core/sim/simulate';

describe('DistServe: disaggregation under a tight TPOT SLO', () => {
  // The seed's setting: a 13B model on A100s, 512 input / 64 output tokens, tight TPOT.
  const base: SimulationConfig = {
    model: 'opt-13b',
    gpu: 'a100-80gb',
    deployment: { mode: 'colocated' },
    workload: { requests: 400, arrival: { kind: 'poisson', rate: 1 }, input: { kind: 'fixed', tokens: 512 }, output: { kind: 'fixed', tokens: 64 }, seed: 7 },
    slo: { ttftMs: 400, tpotMs: 40 },
  };

  test('the placement search finds clearly more goodput per GPU than any colocated TP degree', () => {
    const colocated = [1, 2, 4].map((tp) => findGoodput({ ...base, deployment: { mode: 'colocated', tensorParallel: tp } }).goodputPerGpu);
    const search = searchPlacement(base, { maxGpus: 8 });
    assert.ok(search.best);
    const bestColocated = Math.max(...colocated);
    assert.ok(search.best.goodputPerGpu >= 1.3 * bestColocated, `disaggregated ${search.best.goodputPerGpu.toFixed(2)} vs colocated ${bestColocated.toFixed(2)} req/s/GPU`);
    // Prefill interrupting decodes is what hurts colocation: TP1 colocated is far behind.
    assert.ok(search.best.goodputPerGpu >= 2 * colocated[0]!);
  });

  test('goodput meets the attainment target at the rate it reports, and fails just above', () => {
    const g = findGoodput({ ...base, deployment: { mode: 'disaggregated', prefillInstances: 2, decodeInstances: 1 } });
    assert.ok(g.goodputRps > 0 && g.attainment >= 0.9);
    const above = simulate({ ...base, deployment: { mode: 'disaggregated', prefillInstances: 2, decodeInstances: 1 }, workload: { ...base.workload, arrival: { kind: 'poisson', rate: g.goodputRps * 1.1 } } });
    assert.ok((above.sloAttainment ?? 1) < 0.9);
  });
});

describe('Llumnix: load imbalance and priorities', () => {
  // Bursty arrivals and heavy-tailed output lengths over 4 instances of a 13B model.
  const base: SimulationConfig = {
    model: 'llama-2-13b',
    gpu: 'a100-80gb',
    deployment: { mode: 'colocated', instances: 4 },
    workload: {
      requests: 3000,
      arrival: { kind: 'gamma', rate: 6, cv: 2 },
      input: { kind: 'uniform', min: 64, max: 1024 },
      output: { kind: 'zipf', min: 16, max: 2048, theta: 0.6 },
      highPriorityFraction: 0.1,
      seed: 3,
    },
  };
  const roundRobin = simulate(base);
  const llumnix = simulate({ ...base, deployment: { mode: 'llumnix', instances: 4 } });

  test('Llumnix cuts P99 TTFT versus round-robin dispatch', () => {
    assert.ok(roundRobin.preemptions > 0);
    assert.ok(llumnix.ttftMs.p99 * 2 < roundRobin.ttftMs.p99, `p99 TTFT ${llumnix.ttftMs.p99} vs ${roundRobin.ttftMs.p99}`);
  });

  test('migration alone, on top of round-robin dispatch, also cuts P99 TTFT', () => {
    const rrWithMigration = simulate({ ...base, deployment: { mode: 'llumnix', instances: 4, dispatch: 'round-robin' } });
    assert.ok(rrWithMigration.migrations > 0);
    assert.ok(rrWithMigration.ttftMs.p99 < 0.8 * roundRobin.ttftMs.p99, `p99 TTFT ${rrWithMigration.ttftMs.p99} vs ${roundRobin.ttftMs.p99}`);
  });

  test('high-priority requests finish faster than normal ones', () => {
    assert.ok(llumnix.highPriority && llumnix.normalPriority);
    assert.ok(llumnix.highPriority.e2eMs.mean < llumnix.normalPriority.e2eMs.mean);
    assert.ok(llumnix.highPriority.ttftMs.mean < llumnix.normalPriority.ttftMs.mean);
  });
});
