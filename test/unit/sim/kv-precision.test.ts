/** KV-cache precision is a setting of its own (issue 14): fp8 KV with 16-bit weights. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { simulate, SimulationConfig, SimulationConfigError } from '../../../src/core/sim/simulate';

const base: SimulationConfig = {
  model: 'llama-3.1-8b',
  gpu: 'h100-sxm',
  precision: 'bf16',
  deployment: { mode: 'colocated' },
  workload: { requests: 4, arrival: { kind: 'offline' }, input: { kind: 'fixed', tokens: 128 }, output: { kind: 'fixed', tokens: 16 }, seed: 1 },
};

describe('KV-cache precision', () => {
  test('fp8 KV holds twice the tokens of bf16 KV in the same memory; the weights are unchanged', () => {
    const bf16 = simulate(base);
    const fp8 = simulate({ ...base, kvPrecision: 'fp8' });
    const ratio = fp8.kvCapacityTokensPerInstance[0]! / bf16.kvCapacityTokensPerInstance[0]!;
    assert.ok(Math.abs(ratio - 2) < 0.01, String(ratio));
    assert.equal(fp8.config.precision, 'bf16');
    assert.equal(fp8.config.kvPrecision, 'fp8');
  });

  test('an unknown KV precision is a configuration error, not a crash', () => {
    assert.throws(() => simulate({ ...base, kvPrecision: 'fp3' }), SimulationConfigError);
    // int8 names a weight format whose KV stays 16-bit: not a KV precision.
    assert.throws(() => simulate({ ...base, kvPrecision: 'int8' }), /KV-cache precision must be one of fp16, bf16, fp8/);
  });
});
