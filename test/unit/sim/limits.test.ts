import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findGoodput } from '../../../src/core/sim/goodput';
import { simulate, type EventBudget, type SimulationConfig } from '../../../src/core/sim/simulate';
import { SharedCancelFlag } from '../../../src/core/worker/cancellation';

const config = (rate: number, requests: number, mode: 'colocated' | 'llumnix' = 'colocated', input = 512): SimulationConfig => ({
  model: 'llama-3.1-8b',
  gpu: 'h100-sxm',
  precision: 'bf16',
  deployment: { mode, instances: 2 },
  workload: { requests, arrival: { kind: 'poisson', rate }, input: { kind: 'fixed', tokens: input }, output: { kind: 'fixed', tokens: 128 }, seed: 7 },
  slo: { ttftMs: 500, tpotMs: 100 },
});

describe('simulation work bounds', () => {
  test('a raised cancel flag stops a run inside its event loop', () => {
    const flag = new SharedCancelFlag();
    flag.abort();
    assert.throws(() => simulate(config(20, 2000), { signal: flag }), { name: 'AbortError' });
  });

  test('runs draw from a shared event budget and stop when it is spent', () => {
    const alone = simulate(config(4, 200));
    const budget: EventBudget = { total: alone.events * 2 + 10, remaining: alone.events * 2 + 10 };
    const first = simulate(config(4, 200), { budget });
    assert.deepEqual(first.ttftMs, alone.ttftMs, 'a budget never changes a result');
    assert.equal(budget.remaining, alone.events + 10);
    simulate(config(4, 200), { budget });
    assert.equal(budget.remaining, 10);
    assert.throws(() => simulate(config(4, 200), { budget }), { name: 'SimulationWorkLimitError' });
  });

  test('llumnix at a trickle skips its idle migration checks: each request runs alone', () => {
    // One request every ~3 hours: a 50 ms check cadence would be ~200k checks per request.
    const trickle = simulate(config(1e-4, 50, 'llumnix'));
    assert.ok(trickle.events < 50 * 400, `${trickle.events} events for 50 requests`);
    const lone = simulate({ ...config(1, 1, 'colocated'), deployment: { mode: 'colocated', instances: 1 } });
    assert.ok(Math.abs(trickle.ttftMs.p50 - lone.ttftMs.p50) < 1e-6, 'alone on an idle cluster, as a lone request');
    // Under load, the checks run every interval and migrations happen as before.
    const busy = simulate(config(30, 600, 'llumnix', 2048));
    assert.ok(busy.migrations >= 0 && busy.completedRequests === 600);
  });

  test('goodput is 0 at once when a lone request already misses the SLOs', () => {
    const result = findGoodput(config(4, 400, 'colocated', 60_000), { attainment: 0.9 });
    assert.equal(result.goodputRps, 0);
    assert.equal(result.simulations, 1, 'no halving search');
  });
});
