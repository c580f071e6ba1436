import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseServingField, SERVING_FIELDS, type ServingNumberField } from '../../../src/core/serving/fields';
import { parsePanelMessage, SERVING_LIMITS } from '../../../src/core/protocol/panel';

const message = (field: ServingNumberField, raw: string) => {
  const parsed = parseServingField(field, raw);
  assert.equal(parsed.ok, false, `${field} "${raw}" is refused`);
  return (parsed as { message: string }).message;
};

describe('Serving card fields', () => {
  test('accepts numbers in range, with thousands separators, never rewriting them', () => {
    assert.deepEqual(parseServingField('rate', '4'), { ok: true, value: 4 });
    assert.deepEqual(parseServingField('rate', ' 0.25 '), { ok: true, value: 0.25 });
    assert.deepEqual(parseServingField('rate', '10,000'), { ok: true, value: 10000 });
    assert.deepEqual(parseServingField('outputTokens', '32,768'), { ok: true, value: 32768 });
    assert.deepEqual(parseServingField('gpus', '64'), { ok: true, value: 64 });
    assert.deepEqual(parseServingField('sloTtftMs', '1e3'), { ok: true, value: 1000 });
  });

  test('the issue\'s inputs each get a message with the allowed range', () => {
    assert.equal(message('rate', '100000'), 'The rate must be at most 10,000 req/s: enter a number from 0.01 to 10,000 req/s.');
    assert.equal(message('outputTokens', '10,000,000'), 'Output tokens must be at most 32,768 tokens: enter a whole number from 1 to 32,768 tokens.');
    assert.equal(message('gpus', '1000'), 'GPUs must be at most 64 GPUs: enter a whole number from 1 to 64 GPUs.');
    // "-5" was run at 5 req/s: it is below the minimum, never its absolute value.
    assert.equal(message('rate', '-5'), 'The rate must be at least 0.01 req/s: enter a number from 0.01 to 10,000 req/s.');
    assert.equal(message('rate', ''), 'The rate is empty: enter a number from 0.01 to 10,000 req/s.');
    assert.equal(message('rate', '0.001'), 'The rate must be at least 0.01 req/s: enter a number from 0.01 to 10,000 req/s.');
    assert.equal(message('gpus', '2.5'), 'GPUs must be a whole number: enter a whole number from 1 to 64 GPUs.');
    for (const junk of ['abc', '4 req/s', '0x10', '1,00', '.', '-', 'Infinity', 'NaN', '1e400']) assert.match(message('rate', junk), /is not a number|at most/, junk);
  });

  test('every value the panel accepts, the host accepts too (same limits)', () => {
    for (const field of Object.keys(SERVING_FIELDS) as ServingNumberField[]) {
      const { min, max } = SERVING_LIMITS[field];
      for (const value of [min, max, (min + max) / 2]) {
        const raw = String(SERVING_FIELDS[field].integer ? Math.round(value) : value);
        const parsed = parseServingField(field, raw);
        assert.ok(parsed.ok, `${field} ${raw}`);
        const inputs = { model: 'llama-3.1-8b', gpu: 'h100-sxm', precision: 'bf16', mode: 'colocated', rate: 4, outputTokens: 256, sloTtftMs: 500, sloTpotMs: 100, gpus: 2, [field]: parsed.value };
        assert.doesNotThrow(() => parsePanelMessage({ kind: 'command', method: 'setServing', params: inputs }), `${field} ${raw}`);
      }
    }
  });

  test('the TP degree: one of 1, 2, 4, 8; absent in inputs saved before it existed, so 1', () => {
    const inputs = { model: 'llama-3.1-8b', gpu: 'h100-sxm', precision: 'bf16', mode: 'colocated', rate: 4, outputTokens: 256, sloTtftMs: 500, sloTpotMs: 100, gpus: 2 };
    const parse = (extra: Record<string, unknown>) => parsePanelMessage({ kind: 'command', method: 'setServing', params: { ...inputs, ...extra } });
    assert.equal((parse({}).params as { tensorParallel: number }).tensorParallel, 1);
    assert.equal((parse({ tensorParallel: 4 }).params as { tensorParallel: number }).tensorParallel, 4);
    assert.throws(() => parse({ tensorParallel: 3 }), /tensorParallel must be one of 1, 2, 4, 8/);
    assert.throws(() => parse({ tensorParallel: '2' }), /tensorParallel/);
  });
});
