import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChunkTable, TokenCoster, WordTable } from '../../../src/core/capsule/token-costs';
import { getTokenizer } from '../../../src/core/tokens/tokenizer';

const tok = getTokenizer('o200k_base');

describe('ChunkTable', () => {
  test('a shared hash never mixes up two texts: the stored text settles it', () => {
    const table = new ChunkTable(tok);
    const texts = ['hello', ' world', 'déjà vu', ' 12345', '数据', '', 'hello world, again and again'];
    // Every text under the same hash: each lookup must walk past the others.
    for (let round = 0; round < 2; round++) {
      for (const text of texts) assert.equal(table.count(text, 0, text.length, 42), tok.count(text));
    }
  });

  test('counts a slice of a longer text without building it', () => {
    const table = new ChunkTable(tok);
    const text = 'The quick brown fox jumps over the lazy dog';
    assert.equal(table.count(text, 3, 9, 7), tok.count(' quick'));
    assert.equal(table.count(' quick!', 0, 6, 7), tok.count(' quick'));
  });

  test('starts afresh past its character bound, and stays exact across the restart', () => {
    const table = new ChunkTable(tok, 64);
    const words = Array.from({ length: 200 }, (_, k) => `word${k}`);
    let mostEntries = 0;
    for (let round = 0; round < 2; round++) {
      for (const w of words) {
        assert.equal(table.countString(w), tok.count(w));
        assert.equal(table.countAfterSpace(w), tok.count(' ' + w));
        mostEntries = Math.max(mostEntries, table.entries);
      }
    }
    // 64 characters hold at most a dozen of these words.
    assert.ok(mostEntries <= 64 / 'word1'.length, `held ${mostEntries}`);
    // A chunk longer than the whole bound still counts (it is never stored).
    const long = 'x'.repeat(100);
    assert.equal(table.countString(long), tok.count(long));
    assert.equal(table.countString(long), tok.count(long));
  });

  test('stays exact while it grows (fast-check)', () => {
    const table = new ChunkTable(tok);
    const word = fc.stringMatching(/^[a-zA-Z\u00e9\u6570 ,.]{0,12}$/);
    fc.assert(
      fc.property(fc.array(word, { maxLength: 400 }), (words) => {
        for (const w of words) {
          assert.equal(table.countString(w), tok.count(w));
          assert.equal(table.countAfterSpace(w), tok.count(' ' + w));
        }
      }),
      { seed: 20251125, numRuns: 40 },
    );
  });
});

describe('WordTable', () => {
  test('one id per spelling, kept when the table grows, facts starting unknown', () => {
    const table = new WordTable();
    const ids = new Map<string, number>();
    for (let k = 0; k < 20_000; k++) {
      const word = `w${k % 9_000}`;
      const id = table.id(word);
      const known = ids.get(word);
      if (known === undefined) {
        ids.set(word, id);
        assert.equal(table.afterSpace[id], -1);
        assert.ok(Number.isNaN(table.bits[id]!));
        table.afterSpace[id] = k;
      } else assert.equal(id, known);
    }
    assert.equal(table.size, 9_000);
    // Facts written before the growth are still there.
    assert.equal(table.afterSpace[ids.get('w5')!], 5);
    table.clear();
    assert.equal(table.size, 0);
    assert.equal(table.afterSpace[table.id('w5')], -1);
  });
});

describe('TokenCoster', () => {
  test('counts short, long and spaced texts exactly', () => {
    const coster = new TokenCoster('cl100k_base');
    const cl = getTokenizer('cl100k_base');
    for (const text of ['x', 'hello', 'a'.repeat(63), 'word '.repeat(40), '数据数据', '🙂 ok']) {
      assert.equal(coster.count(text), cl.count(text));
      assert.equal(coster.countAfterSpace(text), cl.count(' ' + text));
    }
  });
});
