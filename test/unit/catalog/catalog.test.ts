import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildCatalog, bundledCatalog } from '../../../src/core/catalog/catalog';
import { exactTokenizerFor, importLiteLlm } from '../../../src/core/catalog/litellm';
import { isRowProblem, validateModelEntry } from '../../../src/core/catalog/validate';

describe('bundled catalog', () => {
  const { models, reviewed } = bundledCatalog();

  test('every row is valid, dated and sourced, with unique ids', () => {
    assert.match(reviewed, /^\d{4}-\d{2}-\d{2}$/);
    const ids = new Set<string>();
    for (const m of models) {
      assert.ok(!ids.has(m.id), `duplicate id ${m.id}`);
      ids.add(m.id);
      assert.match(m.source, /^https?:\/\//, `${m.id} source`);
      assert.match(m.asOf, /^\d{4}-\d{2}-\d{2}$/, `${m.id} asOf`);
      // Both limits are positive whole numbers, and a reply never outgrows the window it is written in.
      assert.ok(Number.isInteger(m.contextWindow) && m.contextWindow > 0, `${m.id} contextWindow ${m.contextWindow}`);
      assert.ok(Number.isInteger(m.maxOutputTokens) && m.maxOutputTokens > 0, `${m.id} maxOutputTokens ${m.maxOutputTokens}`);
      assert.ok(m.maxOutputTokens <= m.contextWindow, `${m.id}: maxOutputTokens ${m.maxOutputTokens} > contextWindow ${m.contextWindow}`);
      if (!m.tokenizerExact) assert.ok(m.estimateRatio && m.estimateBasis, `${m.id} must say how its estimate is made`);
    }
  });

  test('covers OpenAI, Anthropic, Google and open models', () => {
    const providers = models.map((m) => m.provider.toLowerCase()).join(' ');
    for (const p of ['openai', 'anthropic', 'google']) assert.ok(providers.includes(p), p);
    const ids = models.map((m) => m.id).join(' ');
    for (const family of ['llama', 'qwen', 'mistral']) assert.ok(ids.includes(family), family);
  });

  test('OpenAI models count exactly with their own tokenizer; others are estimates', () => {
    const gpt4o = models.find((m) => m.id === 'gpt-4o')!;
    assert.equal(gpt4o.tokenizer, 'o200k_base');
    assert.equal(gpt4o.tokenizerExact, true);
    for (const m of models.filter((x) => x.provider.toLowerCase() !== 'openai')) {
      assert.equal(m.tokenizerExact, false, m.id);
    }
  });
});

describe('user rows and price files', () => {
  test('a partial settings row overrides one field of a known model', () => {
    const catalog = buildCatalog({ overrides: [{ id: 'gpt-4o', inputPerMTok: 2 }] });
    const row = catalog.get('gpt-4o')!;
    assert.equal(row.inputPerMTok, 2);
    assert.equal(row.outputPerMTok, bundledCatalog().models.find((m) => m.id === 'gpt-4o')!.outputPerMTok);
    assert.equal(row.origin, 'settings');
    assert.deepEqual(catalog.problems, []);
  });

  test('a new settings row is added; a bad one is reported with every problem and left out', () => {
    const catalog = buildCatalog({
      overrides: [
        { id: 'my-model', name: 'Mine', provider: 'Local', inputPerMTok: 0.1, outputPerMTok: 0.2, contextWindow: 8192, maxOutputTokens: 1024 },
        { id: 'broken', name: 'B', provider: 'X', inputPerMTok: -1, outputPerMTok: 'a lot', contextWindow: 0, maxOutputTokens: 10 },
      ],
    });
    assert.ok(catalog.get('my-model'));
    assert.equal(catalog.get('my-model')!.tokenizerExact, false);
    assert.equal(catalog.get('broken'), undefined);
    assert.equal(catalog.problems.length, 1);
    assert.equal(catalog.problems[0]!.problems.length, 3);
  });

  test('validateModelEntry never throws on junk', () => {
    for (const junk of [null, 3, 'x', [], { id: 5 }]) {
      const result = validateModelEntry(junk, 'settings');
      assert.ok(isRowProblem(result));
    }
  });

  test('a LiteLLM price file imports chat models with per-1M prices and skips the rest', () => {
    const file = {
      sample_spec: { input_cost_per_token: 0 },
      'gpt-4o': { litellm_provider: 'openai', mode: 'chat', input_cost_per_token: 2.5e-6, output_cost_per_token: 1e-5, cache_read_input_token_cost: 1.25e-6, max_input_tokens: 128000, max_output_tokens: 16384, supports_vision: true },
      'anthropic/some-claude': { litellm_provider: 'anthropic', mode: 'chat', input_cost_per_token: 3e-6, output_cost_per_token: 1.5e-5, max_input_tokens: 200000, max_output_tokens: 64000 },
      'text-embedding-3-small': { litellm_provider: 'openai', mode: 'embedding', input_cost_per_token: 2e-8, output_cost_per_token: 0, max_input_tokens: 8191 },
    };
    const imported = importLiteLlm(file, 'prices.json', '2026-01-02', (p) => (p === 'anthropic' ? { ratio: 1.2, basis: 'test' } : undefined));
    assert.equal(imported.entries.length, 2);
    assert.equal(imported.skipped, 2);
    const gpt = imported.entries.find((e) => e.id === 'gpt-4o')!;
    assert.equal(gpt.inputPerMTok, 2.5);
    assert.equal(gpt.cachedInputPerMTok, 1.25);
    assert.equal(gpt.outputPerMTok, 10);
    assert.equal(gpt.tokenizerExact, true);
    const claude = imported.entries.find((e) => e.id === 'anthropic/some-claude')!;
    assert.equal(claude.tokenizerExact, false);
    assert.equal(claude.estimateRatio, 1.2);
    assert.equal(claude.asOf, '2026-01-02');
  });

  test('buildCatalog loads a LiteLLM file and reports a file of the wrong shape', () => {
    const ok = buildCatalog({ externalFile: { json: { 'new-model': { litellm_provider: 'x', input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, max_input_tokens: 1000 } }, path: 'p.json', modifiedDate: '2026-01-01' } });
    assert.equal(ok.get('new-model')!.inputPerMTok, 1);
    const bad = buildCatalog({ externalFile: { json: [1, 2], path: 'bad.json', modifiedDate: '2026-01-01' } });
    assert.equal(bad.problems.length, 1);
    assert.equal(bad.models.length, bundledCatalog().models.length);
  });

  test('exact tokenizers are recognised by model name', () => {
    assert.equal(exactTokenizerFor('gpt-4o-2024-08-06'), 'o200k_base');
    assert.equal(exactTokenizerFor('openai/o3-mini'), 'o200k_base');
    assert.equal(exactTokenizerFor('gpt-4-turbo'), 'cl100k_base');
    assert.equal(exactTokenizerFor('gpt-3.5-turbo'), 'cl100k_base');
    assert.equal(exactTokenizerFor('claude-3-5-sonnet'), undefined);
  });
});
