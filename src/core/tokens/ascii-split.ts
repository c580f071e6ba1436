/**
 * The tiktoken pre-tokenizers (o200k_base, cl100k_base) on ASCII text, without a
 * regex. Counting short chunks (the capsulator counts drafts word by word) spends most
 * of its time starting regex matches and building match arrays; a hand-written scanner
 * over a character-class table does the same split several times faster.
 *
 * Each scanner returns where the pre-token starting at `start` ends, following the
 * regex's alternatives in order, as leftmost-first alternation with greedy quantifiers
 * does. A scanner is only used for an encoding after it splits a set of probe strings
 * exactly as the encoding's own regex does (see `asciiSplitterFor`), so a library
 * update that changes the pattern turns the fast path off instead of miscounting.
 */

import { createRng } from '../random';

/** Where the pre-token starting at `start` ends. `text` must be all ASCII (callers check), start < text.length. */
export type AsciiSplitter = (text: string, start: number) => number;

const SIGN = 0;
const UPPER = 1;
const LOWER = 2;
const DIGIT = 3;
const SPACE = 4;
/** \r and \n */
const BREAK = 5;
/** \t, \v, \f: whitespace that, unlike a break, may prefix a word */
const OTHER_SPACE = 6;
/** past the end of the text */
const END = 7;

/** Class of each ASCII code; SIGN is [^\s\p{L}\p{N}] (control characters included). */
const CLASS: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (let c = 65; c <= 90; c++) table[c] = UPPER;
  for (let c = 97; c <= 122; c++) table[c] = LOWER;
  for (let c = 48; c <= 57; c++) table[c] = DIGIT;
  table[32] = SPACE;
  table[10] = table[13] = BREAK;
  table[9] = table[11] = table[12] = OTHER_SPACE;
  return table;
})();

function classAt(text: string, i: number): number {
  return i < text.length ? CLASS[text.charCodeAt(i)]! : END;
}

function isLetter(cls: number): boolean {
  return cls === UPPER || cls === LOWER;
}

function isSpace(cls: number): boolean {
  return cls === SPACE || cls === BREAK || cls === OTHER_SPACE;
}

/** Lower-cased code of text[i], or -1 past the end (contractions match in any case). */
function lowerAt(text: string, i: number): number {
  return i < text.length ? text.charCodeAt(i) | 0x20 : -1;
}

/**
 * Length of the contraction at `at` ('s 'd 'm 't 'll 've 're, any case), or 0.
 * Only the letters s, d, m, t, l, v, r and e are checked, and | 0x20 maps exactly
 * their upper case onto them.
 */
function contractionLength(text: string, at: number): number {
  if (text.charCodeAt(at) !== 39) return 0;
  const a = lowerAt(text, at + 1);
  if (a === 115 || a === 100 || a === 109 || a === 116) return 2; // s d m t
  const b = lowerAt(text, at + 2);
  if ((a === 108 && b === 108) || (a === 118 && b === 101) || (a === 114 && b === 101)) return 3; // ll ve re
  return 0;
}

/**
 * Where the letters of a word pre-token starting at `start` begin, or -1 when none does:
 * at `start`, or after one prefix character (`[^\r\n\p{L}\p{N}]?`: a space or a sign) that
 * letters follow. Both patterns open their word alternative this way.
 */
function lettersStart(text: string, start: number, cls: number): number {
  if (isLetter(cls)) return start;
  return cls !== BREAK && cls !== DIGIT && isLetter(classAt(text, start + 1)) ? start + 1 : -1;
}

/** `\p{N}{1,3}` */
function digitsEnd(text: string, start: number): number {
  let end = start + 1;
  while (end < start + 3 && classAt(text, end) === DIGIT) end++;
  return end;
}

/**
 * The whitespace alternatives, at a whitespace character. o200k: `\s*[\r\n]+` (up to
 * the run's last line break), then `\s+(?!\S)` (the run, less its last character when a
 * non-space follows), then `\s+` (one character). cl100k tries `\s+$` first: a run that
 * ends the text is one pre-token, breaks and all.
 */
function whitespaceEnd(text: string, start: number, wholeRunAtEnd: boolean): number {
  let end = start;
  let lastBreak = -1;
  for (let cls = classAt(text, end); isSpace(cls); cls = classAt(text, ++end)) if (cls === BREAK) lastBreak = end;
  if (end === text.length && (wholeRunAtEnd || lastBreak < 0)) return end;
  if (lastBreak >= 0) return lastBreak + 1;
  return end - start >= 2 ? end - 1 : end;
}

/** ` ?[^\s\p{L}\p{N}]+` then any of `tail` (\r, \n and, for o200k, '/'). */
function signsEnd(text: string, start: number, slashInTail: boolean): number {
  let end = text.charCodeAt(start) === 32 ? start + 1 : start;
  while (classAt(text, end) === SIGN) end++;
  for (;;) {
    const c = end < text.length ? text.charCodeAt(end) : -1;
    if (c === 10 || c === 13 || (slashInTail && c === 47)) end++;
    else return end;
  }
}

/**
 * o200k_base:
 * `[^\r\n\p{L}\p{N}]?[\p{Lu}…]*[\p{Ll}…]+(?:'s|…)?` | `[^\r\n\p{L}\p{N}]?[\p{Lu}…]+[\p{Ll}…]*(?:'s|…)?`
 * | `\p{N}{1,3}` | ` ?[^\s\p{L}\p{N}]+[\r\n/]*` | `\s*[\r\n]+` | `\s+(?!\S)` | `\s+`
 */
export function o200kPieceEnd(text: string, start: number): number {
  const cls = classAt(text, start);
  const letters = lettersStart(text, start, cls);
  if (letters >= 0) {
    // Upper case then lower case: "Word", "WORD", "word", "WORDs"; "iPhone" is "i", "Phone".
    let end = letters;
    while (classAt(text, end) === UPPER) end++;
    while (classAt(text, end) === LOWER) end++;
    return end + contractionLength(text, end);
  }
  if (cls === DIGIT) return digitsEnd(text, start);
  if (cls === SIGN || (cls === SPACE && classAt(text, start + 1) === SIGN)) return signsEnd(text, start, true);
  return whitespaceEnd(text, start, false);
}

/**
 * cl100k_base (as gpt-tokenizer writes it):
 * `'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE])` | `[^\r\n\p{L}\p{N}]?\p{L}+` | `\p{N}{1,3}`
 * | ` ?[^\s\p{L}\p{N}]+[\r\n]*` | `\s+$` | `\s*[\r\n]` | `\s+(?!\S)` | `\s`
 */
export function cl100kPieceEnd(text: string, start: number): number {
  const contraction = contractionLength(text, start);
  if (contraction > 0) return start + contraction;
  const cls = classAt(text, start);
  const letters = lettersStart(text, start, cls);
  if (letters >= 0) {
    let end = letters;
    while (isLetter(classAt(text, end))) end++;
    return end;
  }
  if (cls === DIGIT) return digitsEnd(text, start);
  if (cls === SIGN || (cls === SPACE && classAt(text, start + 1) === SIGN)) return signsEnd(text, start, false);
  return whitespaceEnd(text, start, true);
}

const SPLITTERS: readonly AsciiSplitter[] = [o200kPieceEnd, cl100kPieceEnd];

/** Pre-tokens of `text` by a splitter. */
export function splitAscii(text: string, splitter: AsciiSplitter): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; ) {
    const end = splitter(text, start);
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

/** Pre-tokens of `text` by the regex (global flag required). */
export function splitWithRegex(text: string, regex: RegExp): string[] {
  const copy = new RegExp(regex.source, regex.flags);
  return Array.from(text.matchAll(copy), (m) => m[0]);
}

/**
 * Probe strings, enough to tell these scanners from a pattern that differs in any
 * alternative (the tests mutate the patterns to check it):
 * - every string of up to three characters over an alphabet with one member of each
 *   class the patterns tell apart (cases, digits, space, tab, both breaks, '/', an
 *   apostrophe, other signs, a control character);
 * - each contraction, in every mix of cases, after and before letters and alone;
 * - whitespace runs of every kind before a word, a sign and the end of the text;
 * - 4,000 strings drawn with a fixed seed from all of ASCII and from a richer alphabet.
 */
export function probeStrings(): string[] {
  const alphabet = ['a', 'B', 's', 'L', 'l', 'v', 'E', 'r', '1', ' ', '\t', '\n', '\r', '/', "'", '.', '"', '\u0001'];
  const probes: string[] = [...alphabet];
  for (const a of alphabet) {
    for (const b of alphabet) {
      probes.push(a + b);
      for (const c of alphabet) probes.push(a + b + c);
    }
  }
  for (const contraction of ['s', 'd', 'm', 't', 'll', 've', 're']) {
    for (const cased of caseMixes(contraction)) {
      probes.push(`x'${cased}y`, `X'${cased}Y`, `'${cased}z`, `a'${cased}`, `A'${cased} b`, `1'${cased}`, ` '${cased}`);
    }
  }
  probes.push(
    '12345678', 'ABCdef', 'abcDEF', "DON'T", "we'll've", "it's'S", '  \t\n \n  x', '   ', ' \r\n\r\n ', '.\n/\n/.', ' ./a', '{"a":"b"}',
    'x  .', 'x\t\ty', 'A.NET', '\u0001\u0001z', "'ll'VE're", 'a\u000bb\u000c', '9999 99', 'a   b', 'a \t\u000b b', 'x\u000b\u000c y', 'aaa \u000b',
    '    \t \tx', 'a  \n  b', ' \u000b\u000c\n x', 'a \t', 'a\n\u000b\nb', '..  \n', '\u007f\u007fa',
  );
  const random = createRng(0x5eed);
  const rich = "aAsSdDmMtTlLvVeErRxX09 \t\n\r\u000b\u000c'/.\"-_\u0000\u007f";
  for (let k = 0; k < 4000; k++) {
    let probe = '';
    const length = 1 + Math.floor(random.next() * 12);
    for (let i = 0; i < length; i++) probe += k % 2 === 0 ? rich[Math.floor(random.next() * rich.length)] : String.fromCharCode(Math.floor(random.next() * 128));
    probes.push(probe);
  }
  return probes;
}

/** "ll" -> "ll", "lL", "Ll", "LL". */
function caseMixes(word: string): string[] {
  let mixes = [''];
  for (const c of word) mixes = mixes.flatMap((m) => [m + c, m + c.toUpperCase()]);
  return mixes;
}

/**
 * The scanner that splits every probe exactly as `regex` does, or undefined (unknown
 * pattern: count with the regex).
 */
export function asciiSplitterFor(regex: RegExp): AsciiSplitter | undefined {
  const probes = probeStrings();
  const copy = new RegExp(regex.source, regex.flags);
  return SPLITTERS.find((splitter) =>
    probes.every((probe) => {
      let start = 0;
      copy.lastIndex = 0;
      for (let m = copy.exec(probe); m !== null; m = copy.exec(probe)) {
        if (m.index !== start || m[0].length === 0) return false;
        start += m[0].length;
        if (splitter(probe, m.index) !== start) return false;
      }
      return start === probe.length;
    }),
  );
}
