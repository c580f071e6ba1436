import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulationConfig, simulateDetailed } from '../../../src/core/sim/simulate';

function checkConservation(config: SimulationConfig) {
  const { result, requests, finishOrder } = simulateDetailed(config);
  const n = config.workload.requests;
  assert.equal(finishOrder.length, n, 'every request finishes');
  assert.equal(new Set(finishOrder).size, n, 'no request finishes twice');
  let tokens = 0;
  for (const r of requests) {
    assert.equal(r.generated, r.output, `request ${r.id} finished after ${r.generated} of ${r.output} tokens`);
    assert.ok(r.arrival >= 0 && r.firstTokenAt >= r.arrival && r.finishAt >= r.firstTokenAt, `request ${r.id} times out of order`);
    tokens += r.output;
  }
  assert.equal(result.outputTokens, tokens);
  assert.equal(result.completedRequests, n);
  return { result, requests };
}

const workload = (requests: number, rate: number, seed = 5): SimulationConfig['workload'] => ({
  requests,
  arrival: { kind: 'poisson', rate },
  input: { kind: 'uniform', min: 64, max: 1500 },
  output: { kind: 'zipf', min: 8, max: 1500, theta: 0.6 },
  highPriorityFraction: 0.1,
  seed,
});

describe('conservation', () => {
  test('colocated under memory pressure: preempted requests still finish once with all tokens', () => {
    const { result, requests } = checkConservation({ model: 'llama-2-7b', gpu: 'l4', deployment: { mode: 'colocated' }, workload: workload(400, 4) });
    assert.ok(result.preemptions > 0, 'the scenario must preempt');
    assert.ok(requests.some((r) => r.preemptions > 0));
  });

  test('chunked prefill and multiple instances', () => {
    checkConservation({ model: 'llama-3.1-8b', gpu: 'a10g', deployment: { mode: 'colocated', instances: 3, dispatch: 'least-loaded' }, scheduler: { chunkedPrefill: true, chunkTokens: 256 }, workload: workload(400, 6) });
  });

  test('disaggregated: every request crosses from a prefill to a decode instance', () => {
    checkConservation({ model: 'llama-2-13b', gpu: 'a100-80gb', deployment: { mode: 'disaggregated', prefillInstances: 2, decodeInstances: 1 }, workload: workload(400, 8) });
  });

  test('first token from the decode step (LMDeploy v0.1.0a1), one-token prompts included: every mode keeps every token', () => {
    const scheduler = { lastPromptTokenInDecode: true };
    const shortPrompts = (requests: number, rate: number, max = 1500): SimulationConfig['workload'] => ({ ...workload(requests, rate), input: { kind: 'uniform', min: 1, max } });
    const colocated = checkConservation({ model: 'llama-2-7b', gpu: 'l4', deployment: { mode: 'colocated' }, scheduler, workload: shortPrompts(400, 4) });
    assert.ok(colocated.result.preemptions > 0, 'the scenario must preempt');
    const tiny = checkConservation({ model: 'llama-2-7b', gpu: 'l4', deployment: { mode: 'colocated' }, scheduler, workload: shortPrompts(200, 4, 3) });
    assert.ok(tiny.requests.some((r) => r.input === 1), 'the scenario must hold one-token prompts');
    checkConservation({ model: 'llama-2-13b', gpu: 'a100-80gb', deployment: { mode: 'disaggregated', prefillInstances: 1, decodeInstances: 1 }, scheduler, workload: shortPrompts(200, 8, 3) });
    checkConservation({ model: 'llama-3.1-8b', gpu: 'a10g', deployment: { mode: 'colocated', instances: 2 }, scheduler: { ...scheduler, chunkedPrefill: true, chunkTokens: 256 }, workload: shortPrompts(300, 6) });
    checkConservation({ model: 'llama-2-13b', gpu: 'a100-80gb', deployment: { mode: 'disaggregated', prefillInstances: 2, decodeInstances: 1 }, scheduler, workload: shortPrompts(300, 8) });
    const llumnix = checkConservation({ model: 'llama-2-13b', gpu: 'a100-80gb', deployment: { mode: 'llumnix', instances: 4, dispatch: 'round-robin' }, scheduler, workload: { ...shortPrompts(1000, 6), arrival: { kind: 'gamma', rate: 6, cv: 2 } } });
    assert.ok(llumnix.result.migrations > 0, 'the scenario must migrate');
  });

  test('llumnix: migrations preserve every token', () => {
    const { result, requests } = checkConservation({
      model: 'llama-2-13b',
      gpu: 'a100-80gb',
      deployment: { mode: 'llumnix', instances: 4, dispatch: 'round-robin' },
      workload: { ...workload(1500, 6, 3), arrival: { kind: 'gamma', rate: 6, cv: 2 }, input: { kind: 'uniform', min: 64, max: 1024 }, output: { kind: 'zipf', min: 16, max: 2048, theta: 0.6 } },
    });
    assert.ok(result.migrations > 0, 'the scenario must migrate');
    assert.equal(requests.reduce((s, r) => s + r.migrations, 0), result.migrations);
  });

  test('llumnix with priorities (freeness dispatch, headroom, migration): every token kept, same run twice', () => {
    const config: SimulationConfig = {
      model: 'llama-2-13b',
      gpu: 'a100-80gb',
      deployment: { mode: 'llumnix', instances: 4, migration: { highPriorityHeadroom: 0.1 } },
      workload: { ...workload(1500, 6, 4), arrival: { kind: 'gamma', rate: 6, cv: 2 }, input: { kind: 'uniform', min: 64, max: 1024 }, output: { kind: 'zipf', min: 16, max: 2048, theta: 0.6 } },
    };
    const { result, requests } = checkConservation(config);
    assert.ok(result.migrations > 0 && result.preemptions > 0, 'the scenario must migrate and preempt');
    assert.equal(requests.reduce((sum, r) => sum + r.migrations, 0), result.migrations);
    assert.deepEqual(simulateDetailed(config).finishOrder, simulateDetailed(config).finishOrder);
  });

  test('closed loop keeps at most C requests in flight and sends all N', () => {
    const { requests } = checkConservation({
      model: 'mistral-7b',
      gpu: 'h100-sxm',
      deployment: { mode: 'colocated' },
      workload: { requests: 60, arrival: { kind: 'closed', concurrency: 4 }, input: { kind: 'fixed', tokens: 200 }, output: { kind: 'fixed', tokens: 50 }, seed: 2 },
    });
    const events = requests.flatMap((r) => [{ t: r.arrival, d: 1 }, { t: r.finishAt, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
    let inFlight = 0;
    for (const e of events) {
      inFlight += e.d;
      assert.ok(inFlight <= 4);
    }
  });
});
