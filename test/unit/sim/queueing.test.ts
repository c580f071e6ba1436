import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLatencyModel, simulate, SimulationConfig } from '../../../src/core/sim/simulate';
import { prefillShape } from '../../../src/core/sim/latency';

describe('queueing sanity', () => {
  // One request at a time, one output token: every request costs the same prefill D, so the
  // instance is an M/D/1 queue and mean TTFT = D + R D^2 / (2 (1 - R D)) (DistServe section 3.1).
  for (const load of [0.2, 0.5]) {
    test(`M/D/1 mean wait at load ${load} matches the formula within 5%`, () => {
      const base: SimulationConfig = {
        model: 'llama-3.1-8b',
        gpu: 'a100-80gb',
        deployment: { mode: 'colocated' },
        scheduler: { maxBatch: 1 },
        workload: { requests: 20_000, arrival: { kind: 'poisson', rate: 1 }, input: { kind: 'fixed', tokens: 512 }, output: { kind: 'fixed', tokens: 1 }, seed: 11 },
      };
      const service = buildLatencyModel(base, 1).iterationSeconds(prefillShape([512]));
      const rate = load / service;
      const result = simulate({ ...base, workload: { ...base.workload, arrival: { kind: 'poisson', rate } } });
      const expectedMs = (service + (rate * service * service) / (2 * (1 - load))) * 1000;
      const waitSim = result.ttftMs.mean - service * 1000;
      const waitFormula = expectedMs - service * 1000;
      assert.ok(Math.abs(result.ttftMs.mean - expectedMs) / expectedMs < 0.05, `TTFT ${result.ttftMs.mean} vs ${expectedMs}`);
      assert.ok(Math.abs(waitSim - waitFormula) / waitFormula < 0.1, `wait ${waitSim} vs ${waitFormula}`);
    });
  }

  test('an idle instance answers in exactly one prefill', () => {
    const config: SimulationConfig = {
      model: 'llama-3.1-8b',
      gpu: 'h100-sxm',
      deployment: { mode: 'colocated' },
      workload: { requests: 1, arrival: { kind: 'offline' }, input: { kind: 'fixed', tokens: 1000 }, output: { kind: 'fixed', tokens: 1 }, seed: 1 },
    };
    const d = buildLatencyModel(config, 1).iterationSeconds(prefillShape([1000])) * 1000;
    const r = simulate(config);
    assert.ok(Math.abs(r.ttftMs.mean - d) < 1e-9);
    assert.ok(Math.abs(r.e2eMs.mean - d) < 1e-9);
  });
});
