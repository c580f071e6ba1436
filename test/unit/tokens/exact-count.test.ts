import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import * as o200kModule from 'gpt-tokenizer/encoding/o200k_base';
import * as cl100kModule from 'gpt-tokenizer/encoding/cl100k_base';
import { makeExactCounter } from '../../../src/core/tokens/exact-count';
import { getTokenizer, TOKENIZER_IDS, type TokenizerId } from '../../../src/core/tokens/tokenizer';
import { loadDevPrompts } from '../../support/prompts';

// js-tiktoken (a port of OpenAI's tiktoken with the same rank files) is the reference.
interface Tiktoken {
  encode(text: string, allowedSpecial: string[], disallowedSpecial: string[]): number[];
}
const { Tiktoken } = require('js-tiktoken/lite') as { Tiktoken: new (ranks: unknown) => Tiktoken };
const ranks = (name: string): unknown => {
  const mod = require(`js-tiktoken/ranks/${name}`) as { default?: unknown };
  return mod.default ?? mod;
};
const reference: Record<TokenizerId, Tiktoken> = {
  o200k_base: new Tiktoken(ranks('o200k_base')),
  cl100k_base: new Tiktoken(ranks('cl100k_base')),
};
const referenceCount = (id: TokenizerId, text: string): number => reference[id].encode(text, [], []).length;

describe('the exact counter', () => {
  test('is in use for both encodings (the library still exposes the tables it reads)', () => {
    // If a gpt-tokenizer upgrade hides them, counting falls back to the library: still
    // exact, but slower. This test says so before the benchmarks do.
    assert.equal(typeof makeExactCounter((o200kModule as { default?: unknown }).default), 'function');
    assert.equal(typeof makeExactCounter((cl100kModule as { default?: unknown }).default), 'function');
  });

  test('declines an encoding without the expected tables (callers then use the library)', () => {
    for (const encoding of [undefined, null, {}, { bytePairEncodingCoreProcessor: {} }, { bytePairEncodingCoreProcessor: { bytePairStringRankEncoder: new Map(), tokenSplitRegex: /x/g, bytePairEncode: () => [] } }]) {
      assert.equal(makeExactCounter(encoding), undefined);
    }
  });

  // Every 2nd dev prompt (about 520, all types and lengths) keeps the test under a few seconds.
  const prompts = loadDevPrompts().filter((_, i) => i % 2 === 0);
  for (const id of TOKENIZER_IDS) {
    test(`${id}: equals the reference on ${prompts.length} dev prompts and on each of their lines`, () => {
      const tokenizer = getTokenizer(id);
      const mismatches: string[] = [];
      for (const { prompt } of prompts) {
        if (tokenizer.count(prompt) !== referenceCount(id, prompt)) mismatches.push(prompt.slice(0, 60));
        for (const line of prompt.split('\n')) {
          if (tokenizer.count(line) !== referenceCount(id, line)) mismatches.push(line.slice(0, 60));
        }
      }
      assert.deepEqual(mismatches, []);
    });
  }

  // Rare words (letter soup forces byte-pair merges), long runs of spaces and signs (past
  // the ASCII merge's length limit), digits, other scripts, and special-token strings.
  const letters = fc.stringMatching(/^[a-zA-Z]{1,14}$/);
  const part = fc.oneof(
    { weight: 4, arbitrary: letters },
    {
      weight: 3,
      arbitrary: fc.constantFrom(' ', '  ', '\t', '\n', '\n\n', ' \n', "'s", "'LL", '.', ',', '!?', '->', '{"', '":"', '123', '2024', '3.14', '_'),
    },
    { weight: 1, arbitrary: fc.constantFrom('é', 'naïve', 'Привет', '数据分析', 'Ελλάδα', '🙂', '👩‍💻', 'e\u0301', '\u00a0', '<|endoftext|>', '<|im_start|>') },
    { weight: 1, arbitrary: fc.constantFrom(' '.repeat(300), '='.repeat(270), 'ab'.repeat(140), '-'.repeat(40)) },
  );
  const text = fc.array(part, { maxLength: 40 }).map((parts) => parts.join(''));

  for (const id of TOKENIZER_IDS) {
    test(`${id}: equals the reference on generated text (fast-check)`, () => {
      const tokenizer = getTokenizer(id);
      fc.assert(
        fc.property(text, (t) => {
          assert.equal(tokenizer.count(t), referenceCount(id, t));
        }),
        { seed: 20261125, numRuns: 1500 },
      );
    });
  }
});
