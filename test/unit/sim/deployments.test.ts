import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findGoodput, searchPlacement } from '../../../src/core/sim/goodput';
import { DISTSERVE_OPT13B } from '../../../src/core/sim/scenarios';
import { SimulationConfig, simulate, simulateDetailed } from '../../../src/core/sim/simulate';

describe('DistServe: disaggregation under a tight TPOT SLO', () => {
  // The seed's setting: a 13B model on A100s, 512 input / 64 output tokens, tight TPOT.
  const base = DISTSERVE_OPT13B;

  test('the placement search finds clearly more goodput per GPU than any colocated TP degree', () => {
    const colocated = [1, 2, 4].map((tp) => findGoodput({ ...base, deployment: { mode: 'colocated', tensorParallel: tp } }).goodputPerGpu);
    const search = searchPlacement(base, { maxGpus: 8 });
    assert.ok(search.best);
    const bestColocated = Math.max(...colocated);
    assert.ok(search.best.goodputPerGpu >= 1.3 * bestColocated, `disaggregated ${search.best.goodputPerGpu.toFixed(2)} vs colocated ${bestColocated.toFixed(2)} req/s/GPU`);
    // Prefill interrupting decodes is what hurts colocation: TP1 colocated is far behind. The
    // paper's Figure 1 (this setting) has 3.3 against 1.6 req/s per GPU, 2.1x; the model gives
    // 1.9x since round 11's refit (2.03x before: its A100 matmuls and weight streaming are faster).
    assert.ok(search.best.goodputPerGpu >= 1.8 * colocated[0]!, `disaggregated ${search.best.goodputPerGpu.toFixed(2)} vs colocated TP1 ${colocated[0]!.toFixed(2)} req/s/GPU`);
  });

  test('goodput meets the attainment target at the rate it reports, and fails just above', () => {
    const g = findGoodput({ ...base, deployment: { mode: 'disaggregated', prefillInstances: 2, decodeInstances: 1 } });
    assert.ok(g.goodputRps > 0 && g.attainment >= 0.9);
    const above = simulate({ ...base, deployment: { mode: 'disaggregated', prefillInstances: 2, decodeInstances: 1 }, workload: { ...base.workload, arrival: { kind: 'poisson', rate: g.goodputRps * 1.1 } } });
    assert.ok((above.sloAttainment ?? 1) < 0.9);
  });
});

describe('Llumnix: load imbalance', () => {
  // Bursty arrivals and heavy-tailed output lengths over 4 instances of a 13B model, near
  // saturation (the paper's load-balancing experiments have no priorities). Near saturation
  // today is 6 req/s: round-robin preempts (227 times after round 11's refit, 264 after round
  // 10's) and its p99 TTFT is 13 s. Round 9's smoothed roofline and refit made A100 weight
  // streaming faster, so round 6's 5.5 req/s is now lighter (14 preemptions, p99 0.4 s); at
  // 6.5 req/s every instance is past saturation and moving requests between overloaded
  // instances cannot shorten the queue (docs/research/sim-fidelity.md, rounds 6, 9-11).
  const base: SimulationConfig = {
    model: 'llama-2-13b',
    gpu: 'a100-80gb',
    deployment: { mode: 'colocated', instances: 4 },
    workload: {
      requests: 3000,
      arrival: { kind: 'gamma', rate: 6, cv: 2 },
      input: { kind: 'uniform', min: 64, max: 1024 },
      output: { kind: 'zipf', min: 16, max: 2048, theta: 0.6 },
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
});

describe('Llumnix: priorities', () => {
  // Loaded but below saturation (5 req/s of bursty traffic on 4 x A100, normal instances at
  // about 65% KV use), 10% of the requests high priority: the paper's priority setting.
  const workload: SimulationConfig['workload'] = {
    requests: 3000,
    arrival: { kind: 'gamma', rate: 5, cv: 2 },
    input: { kind: 'uniform', min: 64, max: 1024 },
    output: { kind: 'zipf', min: 16, max: 2048, theta: 0.6 },
    highPriorityFraction: 0.1,
    seed: 3,
  };
  const config: SimulationConfig = { model: 'llama-2-13b', gpu: 'a100-80gb', deployment: { mode: 'llumnix', instances: 4 }, workload };
  const withPriorities = simulate(config);
  const withoutPriorities = simulate({ ...config, workload: { ...workload, highPriorityFraction: 0 } });

  test('high-priority requests finish clearly faster: they gather on a lightly loaded instance and decode faster', () => {
    const high = withPriorities.highPriority!;
    const normal = withPriorities.normalPriority!;
    assert.ok(high.requests > 200 && normal.requests > 2000);
    const meanRatio = normal.e2eMs.mean / high.e2eMs.mean;
    const p99Ratio = normal.e2eMs.p99 / high.e2eMs.p99;
    assert.ok(meanRatio >= 1.2, `mean E2E normal/high ${meanRatio.toFixed(2)}`);
    assert.ok(p99Ratio >= 1.2, `P99 E2E normal/high ${p99Ratio.toFixed(2)}`);
    assert.ok(high.tpotMs.mean < normal.tpotMs.mean, 'the speed-up comes from faster decoding');
    assert.ok(high.ttftMs.mean < normal.ttftMs.mean);
    assert.ok(withPriorities.migrations > 0, 'normal requests are migrated away');
  });

  test('normal requests are not starved: their mean E2E stays within 15% of a run without priorities', () => {
    assert.equal(withPriorities.completedRequests, workload.requests);
    const slowdown = withPriorities.normalPriority!.e2eMs.mean / withoutPriorities.e2eMs.mean;
    assert.ok(slowdown <= 1.15, `normal mean E2E x${slowdown.toFixed(2)} of the run without priorities`);
  });

  test('inside one instance, waiting high-priority requests are admitted first and preempted last', () => {
    // One L4 just below saturation, under memory pressure: only the instance scheduler acts.
    const single = simulateDetailed({
      model: 'llama-2-7b',
      gpu: 'l4',
      deployment: { mode: 'colocated' },
      workload: { requests: 400, arrival: { kind: 'poisson', rate: 0.16 }, input: { kind: 'uniform', min: 64, max: 1500 }, output: { kind: 'zipf', min: 8, max: 1500, theta: 0.6 }, highPriorityFraction: 0.1, seed: 5 },
    });
    const preemptionsPerRequest = (high: boolean) => {
      const group = single.requests.filter((r) => r.highPriority === high);
      return group.reduce((sum, r) => sum + r.preemptions, 0) / group.length;
    };
    assert.ok(single.result.preemptions > 0);
    assert.ok(preemptionsPerRequest(true) < preemptionsPerRequest(false));
    assert.ok(single.result.highPriority!.ttftMs.mean * 2 < single.result.normalPriority!.ttftMs.mean);
  });
});
