import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PLAN_FIELDS, parsePlanField } from '../../../src/core/plan/fields';
import { PLAN_LIMITS, parsePlanInputs } from '../../../src/core/protocol/panel';

describe('the Plan card fields', () => {
  test('every PlanInputs field has a spec, checked against the same limits as the host', () => {
    assert.deepEqual(PLAN_FIELDS.map((f) => f.key).sort(), Object.keys(PLAN_LIMITS).sort());
  });

  test('what is typed is never rewritten; each error names the allowed range', () => {
    assert.deepEqual(parsePlanField('rate', '2.5'), { ok: true, value: 2.5 });
    assert.deepEqual(parsePlanField('maxGpus', '1,000'), { ok: false, message: 'Max GPUs must be at most 64 GPUs: enter a whole number from 1 to 64 GPUs.' });
    assert.deepEqual(parsePlanField('outputTokens', '12.5'), { ok: false, message: 'Output tokens must be a whole number: enter a whole number from 1 to 32,768 tokens.' });
    assert.deepEqual(parsePlanField('sloTtftMs', '-5'), { ok: false, message: 'The TTFT SLO must be at least 1 ms: enter a number from 1 to 600,000 ms.' });
    assert.deepEqual(parsePlanField('minQuality', '1.5'), { ok: false, message: 'The quality floor must be at most 1: enter a number from 0 (off) to 1.' });
    assert.deepEqual(parsePlanField('minQuality', '0'), { ok: true, value: 0 }, '0 turns the floor off');
    assert.deepEqual(parsePlanField('maxEnergyJ', ''), { ok: false, message: 'The energy cap is empty: enter a number from 0 (off) to 1,000,000,000 J.' });
    assert.deepEqual(parsePlanField('rate', 'fast'), { ok: false, message: '“fast” is not a number: enter a number from 0.01 to 10,000 req/s.' });
  });

  test('the host refuses what the card would: a panel message outside the limits', () => {
    const ok = { outputTokens: 256, rate: 4, sloTtftMs: 500, sloTpotMs: 50, minQuality: 0, maxCostPer1kUsd: 0, maxEnergyJ: 0, maxGpus: 8 };
    assert.deepEqual(parsePlanInputs(ok), ok);
    assert.throws(() => parsePlanInputs({ ...ok, minQuality: 2 }), /minQuality must be a number between 0 and 1/);
    assert.throws(() => parsePlanInputs({ ...ok, maxGpus: 'eight' }), /maxGpus/);
  });
});
