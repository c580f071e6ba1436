import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ModelEntry } from '../../../src/core/catalog/types';
import { capsuleSavings, describeSavings } from '../../../src/core/cost/savings';

const exact: ModelEntry = {
  id: 'gpt-4o', name: 'GPT-4o', provider: 'OpenAI', tokenizer: 'o200k_base', tokenizerExact: true,
  inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10, contextWindow: 128000, maxOutputTokens: 16384,
  vision: true, source: 'https://x', asOf: '2026-01-01',
};
const estimated: ModelEntry = { ...exact, id: 'claude', name: 'Claude', tokenizerExact: false, estimateRatio: 1.2, inputPerMTok: 3 };

describe('capsule savings', () => {
  test('exact model: counts as they are, cost at the input price', () => {
    const s = capsuleSavings({ originalTokens: 1000, capsuleTokens: 400, tokenizer: 'o200k_base' }, exact);
    assert.equal(s.originalTokens, 1000);
    assert.equal(s.capsuleTokens, 400);
    assert.equal(s.originalCostUsd, 0.0025);
    assert.equal(s.capsuleCostUsd, 0.001);
    assert.equal(describeSavings(s), '1,000 → 400 tokens (−60%), saves $0.0015 per call on GPT-4o');
  });

  test('estimated model: scaled by its ratio, like its count everywhere else', () => {
    const s = capsuleSavings({ originalTokens: 1000, capsuleTokens: 500, tokenizer: 'o200k_base' }, estimated);
    assert.equal(s.originalTokens, 1200);
    assert.equal(s.capsuleTokens, 600);
  });
});
