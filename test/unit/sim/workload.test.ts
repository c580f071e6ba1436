import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrace, planRequests } from '../../../src/core/sim/workload';

describe('workloads', () => {
  test('Poisson arrivals have the requested rate', () => {
    const plans = planRequests({ requests: 20_000, arrival: { kind: 'poisson', rate: 5 }, input: { kind: 'fixed', tokens: 1 }, output: { kind: 'fixed', tokens: 1 }, seed: 1 });
    const last = plans[plans.length - 1]!.arrival;
    assert.ok(Math.abs(plans.length / last - 5) / 5 < 0.03);
  });

  test('Gamma arrivals keep the rate and have the requested burstiness', () => {
    const plans = planRequests({ requests: 40_000, arrival: { kind: 'gamma', rate: 2, cv: 3 }, input: { kind: 'fixed', tokens: 1 }, output: { kind: 'fixed', tokens: 1 }, seed: 2 });
    const gaps = plans.slice(1).map((p, i) => p.arrival - plans[i]!.arrival);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length);
    assert.ok(Math.abs(mean - 0.5) / 0.5 < 0.05, `mean gap ${mean}`);
    assert.ok(Math.abs(sd / mean - 3) / 3 < 0.1, `cv ${sd / mean}`);
  });

  test('rates scale one arrival pattern (same seed)', () => {
    const spec = { requests: 50, input: { kind: 'fixed' as const, tokens: 1 }, output: { kind: 'fixed' as const, tokens: 1 }, seed: 9 };
    const a = planRequests({ ...spec, arrival: { kind: 'poisson', rate: 1 } });
    const b = planRequests({ ...spec, arrival: { kind: 'poisson', rate: 4 } });
    a.forEach((p, i) => assert.ok(Math.abs(p.arrival / 4 - b[i]!.arrival) < 1e-12));
  });

  test('uniform and Zipf lengths stay in range; Zipf favours short ones', () => {
    const plans = planRequests({ requests: 5000, arrival: { kind: 'offline' }, input: { kind: 'uniform', min: 10, max: 20 }, output: { kind: 'zipf', min: 1, max: 1000, theta: 0.9 }, seed: 3 });
    assert.ok(plans.every((p) => p.input >= 10 && p.input <= 20 && p.output >= 1 && p.output <= 1000 && p.arrival === 0));
    const short = plans.filter((p) => p.output <= 100).length;
    assert.ok(short > plans.length / 2, `${short} of ${plans.length} outputs <= 100`);
  });

  test('JSONL traces accept common field names and cycle', () => {
    const trace = parseTrace('{"input": 10, "output": 5}\n\n{"prompt_tokens": 7, "completion_tokens": 3}\n{"num_prefill_tokens": 4, "num_decode_tokens": 2}\n');
    assert.deepEqual(trace, [{ input: 10, output: 5 }, { input: 7, output: 3 }, { input: 4, output: 2 }]);
    const plans = planRequests({ requests: 4, arrival: { kind: 'offline' }, input: { kind: 'fixed', tokens: 1 }, output: { kind: 'fixed', tokens: 1 }, trace, seed: 1 });
    assert.deepEqual(plans.map((p) => p.input), [10, 7, 4, 10]);
    assert.throws(() => parseTrace('{"input": 1}'), /line 1/);
    assert.throws(() => parseTrace('not json'), /line 1: not JSON/);
  });
});
