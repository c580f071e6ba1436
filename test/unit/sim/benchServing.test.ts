/**
 * sglang.bench_serving's random-dataset requests replayed (issue 14): NumPy's legacy generator
 * bit for bit, and the DataCrunch runs' own totals from the lengths it draws.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NumpyRandomState, benchServingRandomRequests, benchServingTrace } from '../../../src/core/sim/benchServing';
import { VALIDATION_ROWS, servingSimulation } from '../../../src/core/sim/validation';
import { planRequests } from '../../../src/core/sim/workload';

describe("sglang.bench_serving's random requests, replayed", () => {
  test('the generator is MT19937 seeded as np.random.seed(int) seeds it', () => {
    // The C++ standard's check: the 10,000th output of mt19937 seeded with 5489 is 4123659995.
    const standard = new NumpyRandomState(5489);
    assert.equal(standard.nextUint32(), 3499211612);
    for (let i = 2; i < 10_000; i++) standard.nextUint32();
    assert.equal(standard.nextUint32(), 4123659995);
    // NumPy 2.4: np.random.seed(7); [np.random.random_sample() for _ in range(3)]
    const seven = new NumpyRandomState(7);
    assert.deepEqual([seven.nextDouble(), seven.nextDouble(), seven.nextDouble()], [0.07630828937395717, 0.7799187922401146, 0.4384092314408935]);
    // np.random.seed(1); np.random.randint(1, 4097, size=5): masked rejection, mask 4095
    assert.deepEqual(new NumpyRandomState(1).randint(1, 4097, 5), [1062, 236, 3981, 1097, 3840]);
    assert.deepEqual(new NumpyRandomState(3).randint(5, 6, 3), [5, 5, 5]);
    assert.throws(() => new NumpyRandomState(1).randint(4, 4, 1), RangeError);
  });

  test('a run draws its prompts, then its outputs, then its send intervals from one stream', () => {
    // np.random.seed(1); a = randint(1, 1025, 300); b = randint(0, 1025, 300); then exponential(1.0) x 299
    const run = benchServingRandomRequests({ requests: 300, inputLen: 1024, outputLen: 1024, rangeRatio: 0, rate: 1, seed: 1 });
    assert.deepEqual(run.inputs.slice(0, 5), [38, 236, 909, 73, 768]);
    assert.deepEqual(run.outputs.slice(0, 5), [24, 1002, 788, 44, 475]);
    assert.equal(run.arrivals[0], 0);
    assert.equal(run.arrivals[1], 0.01041834430296359);
    assert.equal(run.arrivals[3], 0.01041834430296359 + 0.7735490649784784 + 0.0030225198340434697);
    // At 4 req/s the same draws come four times as close together.
    const faster = benchServingRandomRequests({ requests: 300, inputLen: 1024, outputLen: 1024, rangeRatio: 0, rate: 4, seed: 1 });
    assert.ok(Math.abs(faster.arrivals[299]! - run.arrivals[299]! / 4) < 1e-9);
    // Everything at once: no intervals drawn.
    assert.ok(benchServingRandomRequests({ requests: 10, inputLen: 8, outputLen: 8, rangeRatio: 0, seed: 1 }).arrivals.every((t) => t === 0));
    // A range ratio raises the floors, truncated as Python's int() does: int(1000 x 0.33) = 330,
    // int(999 x 0.33) = 329 (rounded, 330). NumPy: np.random.seed(1); randint(330, 1001, 5);
    // randint(329, 1000, 5); exponential(1 / 3)
    const ratio = benchServingRandomRequests({ requests: 5, inputLen: 1000, outputLen: 999, rangeRatio: 0.33, rate: 3, seed: 1 });
    assert.deepEqual(ratio.inputs, [367, 565, 402, 975, 474]);
    assert.deepEqual(ratio.outputs, [458, 912, 837, 719, 610]);
    assert.equal(ratio.arrivals[1], 0.2579865916202524);
  });

  test("every replayed SGLang row draws the run's own requests: their sums are the totals the run printed", () => {
    const rows = VALIDATION_ROWS.filter((r) => r.scenario.kind === 'serving' && r.scenario.benchServingDraws !== undefined);
    assert.equal(rows.length, 23);
    for (const row of rows) {
      const s = row.scenario;
      assert.ok(s.kind === 'serving' && s.benchServingDraws && s.input.kind === 'uniform' && s.output.kind === 'uniform');
      // The quote is the output line's fields as Python printed them (an offline run's rate is inf).
      const field = (name: string): number => Number(new RegExp(`"${name}": (\\d+)`).exec(row.quote ?? '')?.[1]);
      const quoted = { completed: field('completed'), total_input_tokens: field('total_input_tokens'), total_output_tokens: field('total_output_tokens') };
      assert.equal(quoted.completed, s.requests, row.id);
      const run = benchServingRandomRequests({ requests: s.requests, inputLen: s.input.max, outputLen: s.output.max, rangeRatio: s.benchServingDraws.rangeRatio, rate: s.rate, seed: s.benchServingDraws.seed });
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      assert.equal(sum(run.inputs), quoted.total_input_tokens, row.id);
      assert.equal(sum(run.outputs), quoted.total_output_tokens, row.id);
    }
  });

  test('the simulation of a replayed row runs those requests at those times, an empty output as one token', () => {
    const row = VALIDATION_ROWS.find((r) => r.id === 'sglang-dc-llama-3.1-405b-h200-tp8-poisson-1024-1024-r1-e2eMeanMs');
    assert.ok(row && row.scenario.kind === 'serving');
    const sent = benchServingRandomRequests({ requests: 300, inputLen: 1024, outputLen: 1024, rangeRatio: 0, rate: 1, seed: 1 });
    const planned = planRequests(servingSimulation(row, row.scenario).workload);
    assert.deepEqual(planned.map((p) => p.arrival), sent.arrivals);
    assert.deepEqual(planned.map((p) => p.input), sent.inputs);
    assert.deepEqual(planned.map((p) => p.output), sent.outputs.map((n) => Math.max(1, n)));
    const empty = benchServingTrace({ inputs: [5, 6], outputs: [0, 3], arrivals: [0, 0] });
    assert.deepEqual(empty, [{ input: 5, output: 1 }, { input: 6, output: 3 }]);
  });

  test('replayed send times must cover every request, in order', () => {
    const plan = (seconds: number[]) => planRequests({ requests: 3, arrival: { kind: 'times', seconds }, input: { kind: 'fixed', tokens: 1 }, output: { kind: 'fixed', tokens: 1 }, seed: 1 });
    assert.throws(() => plan([0, 1]), /3 requests need 3 send times/);
    assert.throws(() => plan([0, 2, 1]), /send time 2 \(1 s\)/);
    assert.throws(() => plan([-1, 0, 1]), /send time 0/);
    assert.throws(() => plan([0, Number.NaN, 1]), /send time 1/);
    assert.deepEqual(plan([0, 0, 5, 9]).map((p) => p.arrival), [0, 0, 5]);
  });
});
