import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getTokenizer, type TokenizerId } from '../../../src/core/tokens/tokenizer';
import { loadDevPrompts } from '../../support/prompts';

// js-tiktoken ships ESM-only types; load its CommonJS build with require.
interface Tiktoken {
  encode(text: string, allowedSpecial: string[], disallowedSpecial: string[]): number[];
}
const { Tiktoken } = require('js-tiktoken/lite') as { Tiktoken: new (ranks: unknown) => Tiktoken };
const ranks = (name: string): unknown => {
  const mod = require(`js-tiktoken/ranks/${name}`) as { default?: unknown };
  return mod.default ?? mod;
};
const cl100k = ranks('cl100k_base');
const o200k = ranks('o200k_base');

// js-tiktoken is the reference: a port of OpenAI's tiktoken with the same rank files.
const reference: Record<TokenizerId, Tiktoken> = {
  o200k_base: new Tiktoken(o200k),
  cl100k_base: new Tiktoken(cl100k),
};

describe('exact token counts', () => {
  const prompts = loadDevPrompts();
  // Every 4th prompt (about 260, all types and lengths) keeps the test fast.
  const sample = prompts.filter((_, i) => i % 4 === 0);

  for (const id of ['o200k_base', 'cl100k_base'] as const) {
    test(`${id} equals the reference tokenizer on ${sample.length} dev prompts`, () => {
      const tokenizer = getTokenizer(id);
      const mismatches: string[] = [];
      for (const p of sample) {
        const ours = tokenizer.encode(p.prompt);
        const ref = reference[id].encode(p.prompt, [], []);
        if (ours.length !== ref.length || ours.some((t, i) => t !== ref[i])) mismatches.push(p.act);
      }
      assert.deepEqual(mismatches, []);
    });
  }

  test('special-token strings are counted as plain text, not rejected', () => {
    const text = 'before <|endoftext|> after <|im_start|>';
    for (const id of ['o200k_base', 'cl100k_base'] as const) {
      assert.equal(getTokenizer(id).count(text), reference[id].encode(text, [], []).length);
    }
  });

  test('multi-byte text round-trips and counts match the reference', () => {
    const text = 'Résumé — 東京の天気は？ Привет, мир! 👩‍💻🚀';
    for (const id of ['o200k_base', 'cl100k_base'] as const) {
      const tokenizer = getTokenizer(id);
      assert.equal(tokenizer.decode(tokenizer.encode(text)), text);
      assert.equal(tokenizer.count(text), reference[id].encode(text, [], []).length);
    }
  });

  test('empty text has zero tokens', () => {
    assert.equal(getTokenizer('o200k_base').count(''), 0);
  });
});
