import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ModelEntry } from '../../../src/core/catalog/types';
import { estimateCost } from '../../../src/core/cost/cost';
import { formatCount, formatFixed, formatNumber, formatUsd } from '../../../src/core/format/numbers';

const model: ModelEntry = {
  id: 'm', name: 'M', provider: 'P', tokenizer: 'o200k_base', tokenizerExact: true,
  inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10,
  contextWindow: 1000, maxOutputTokens: 200, vision: false, source: 'https://x', asOf: '2026-01-01',
};

describe('estimateCost', () => {
  test('prices input and output per 1M tokens, per call and per day', () => {
    const c = estimateCost(model, 400, { callsPerDay: 1000, outputTokens: 100 });
    assert.equal(c.inputCostUsd, (400 * 2.5) / 1e6);
    assert.equal(c.outputCostUsd, (100 * 10) / 1e6);
    assert.equal(c.perCallUsd, 0.001 + 0.001);
    assert.ok(Math.abs(c.perDayUsd - 2) < 1e-12);
    assert.equal(c.overflowsContext, false);
    assert.equal(c.contextShare, 0.5);
  });

  test('cached input is priced at the cached rate', () => {
    const c = estimateCost(model, 1000, { callsPerDay: 1, outputTokens: 0, cachedInputShare: 0.5 });
    assert.equal(c.inputCostUsd, (500 * 2.5 + 500 * 1.25) / 1e6);
  });

  test('models without a cache price ignore the cached share', () => {
    const c = estimateCost({ ...model, cachedInputPerMTok: null }, 1000, { callsPerDay: 1, outputTokens: 0, cachedInputShare: 1 });
    assert.equal(c.inputCostUsd, 2.5e-3);
  });

  test('flags context-window and max-output overflow', () => {
    const c = estimateCost(model, 900, { callsPerDay: 1, outputTokens: 150 });
    assert.equal(c.overflowsContext, true);
    assert.equal(c.overflowsOutput, false);
    assert.equal(estimateCost(model, 10, { callsPerDay: 1, outputTokens: 201 }).overflowsOutput, true);
  });
});

describe('formatUsd', () => {
  test('shows three significant digits below a dollar, cents above', () => {
    assert.equal(formatUsd(0.00309), '$0.00309');
    assert.equal(formatUsd(0.5), '$0.5');
    assert.equal(formatUsd(12.4), '$12.40');
    assert.equal(formatUsd(1234.567), '$1,234.57');
    assert.equal(formatUsd(0), '$0');
    assert.equal(formatUsd(0.0000025), '$0.0000025');
  });
});

describe('counts and fixed decimals', () => {
  test('thousands separators everywhere a number is shown', () => {
    assert.equal(formatCount(73101), '73,101');
    assert.equal(formatCount(999), '999');
    assert.equal(formatFixed(1300.123, 2), '1,300.12');
    assert.equal(formatFixed(2114.4, 0), '2,114');
    assert.equal(formatFixed(0.5, 1), '0.5');
    assert.equal(formatFixed(3, 2), '3.00');
    assert.equal(formatNumber(10000), '10,000');
    assert.equal(formatNumber(0.25), '0.25');
  });
});
