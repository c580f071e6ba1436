import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import * as o200kModule from 'gpt-tokenizer/encoding/o200k_base';
import * as cl100kModule from 'gpt-tokenizer/encoding/cl100k_base';
import { asciiSplitterFor, cl100kPieceEnd, o200kPieceEnd, splitAscii, splitWithRegex, type AsciiSplitter } from '../../../src/core/tokens/ascii-split';

const regexOf = (mod: unknown): RegExp =>
  (mod as { default: { bytePairEncodingCoreProcessor: { tokenSplitRegex: RegExp } } }).default.bytePairEncodingCoreProcessor.tokenSplitRegex;

const encodings: Array<{ name: string; regex: RegExp; splitter: AsciiSplitter }> = [
  { name: 'o200k_base', regex: regexOf(o200kModule), splitter: o200kPieceEnd },
  { name: 'cl100k_base', regex: regexOf(cl100kModule), splitter: cl100kPieceEnd },
];

// ASCII text with every class the patterns tell apart, in runs: words in each case,
// contractions, digit runs past three, whitespace runs with and without breaks (at the
// end of the text too), sign runs with '/' and breaks after them, control characters.
const part = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-zA-Z]{1,8}$/) },
  { weight: 2, arbitrary: fc.stringMatching(/^[0-9]{1,6}$/) },
  { weight: 3, arbitrary: fc.stringMatching(/^[ \t\n\r\v\f]{1,5}$/) },
  { weight: 3, arbitrary: fc.stringMatching(/^[!-/:-@[-`{-~]{1,4}$/) },
  { weight: 1, arbitrary: fc.constantFrom("'s", "'T", "'ll", "'Ve", "'rE", "'d", "'m", "'x", '\u0001', '\u007f', '\n/', './', ' /') },
);
const asciiText = fc.array(part, { maxLength: 30 }).map((parts) => parts.join(''));

describe('the ASCII pre-tokenizers', () => {
  for (const { name, regex, splitter } of encodings) {
    test(`${name}: its scanner is the one chosen for the encoding's regex`, () => {
      assert.equal(asciiSplitterFor(regex), splitter);
    });

    test(`${name}: splits generated ASCII text exactly as the regex does (fast-check)`, () => {
      fc.assert(
        fc.property(asciiText, (text) => {
          assert.deepEqual(splitAscii(text, splitter), splitWithRegex(text, regex));
        }),
        { seed: 20261125, numRuns: 5000 },
      );
    });
  }

  test('a known case of each whitespace rule', () => {
    // o200k ends a run at its last break; cl100k keeps a run that ends the text whole.
    assert.deepEqual(splitAscii('a\n b', o200kPieceEnd), ['a', '\n', ' b']);
    assert.deepEqual(splitAscii('a\n ', o200kPieceEnd), ['a', '\n', ' ']);
    assert.deepEqual(splitAscii('a\n ', cl100kPieceEnd), ['a', '\n ']);
    assert.deepEqual(splitAscii('x   y', o200kPieceEnd), ['x', '  ', ' y']);
    assert.deepEqual(splitAscii("iPhone's WORDs", o200kPieceEnd), ['i', "Phone's", ' WORDs']);
    assert.deepEqual(splitAscii("iPhone's", cl100kPieceEnd), ['iPhone', "'s"]);
    assert.deepEqual(splitAscii('{"role":"user"}.\n/x', o200kPieceEnd), ['{"', 'role', '":"', 'user', '"}.\n/', 'x']);
  });

  test('declines a pattern it does not reproduce (counting then uses the regex)', () => {
    // Plausible changes to either pattern: each must be caught by the probes.
    const mutations: Array<[string, string]> = [
      ['[\\r\\n/]*', '[\\r\\n]*'], // o200k: no '/' after a run of signs
      ['|\\s+(?!\\S)', ''], // no whitespace look-ahead
      ['\\s+(?!\\S)', '[ \\t]+(?!\\S)'],
      ['\\s+(?!\\S)', '\\s{1,3}(?!\\S)'],
      ["'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE])", "'(?:[sdmt]|ll|ve|re)"], // contractions in lower case only
      ['|[rR][eE]', ''],
      ['[dD]|', ''],
    ];
    let tried = 0;
    for (const { name, regex } of encodings) {
      for (const [from, to] of mutations) {
        if (!regex.source.includes(from)) continue;
        tried++;
        const altered = new RegExp(regex.source.split(from).join(to), regex.flags);
        assert.equal(asciiSplitterFor(altered), undefined, `${name} with ${from} -> ${to}`);
      }
    }
    assert.ok(tried >= 10, `only ${tried} mutations applied: the patterns changed shape`);
    assert.equal(asciiSplitterFor(/\S+|\s+/gu), undefined);
  });
});
