/**
 * Splits running text into pieces: protected spans, words, spaces, punctuation,
 * pictographs. Words are whole words (joined by internal hyphens, apostrophes, dots),
 * so nothing later can cut inside one; scripts written without spaces are split into
 * words by the platform's word segmenter (ICU dictionaries).
 */
import { NO_SPACE_SCRIPT } from './word-lists';
import { CUE_REACH, CUES_BY_FIRST_WORD, findOutputClauses, findProtectedSpans, isSegmentCue, LIGHT_WORDS, normalizeCueWord } from './protect';
import type { Piece, PieceContext, PieceKind } from './types';

/** Collects pieces and tracks line and sentence numbers as they go by. */
export class PieceBuilder {
  readonly pieces: Piece[] = [];
  private line = 0;
  private sentence = 0;
  private sentenceEnded = false;
  /** A line break since the last piece with content. */
  private lineBroken = false;
  /** Inline whitespace waiting for the piece it precedes (BPE attaches it there too). */
  private lead = '';

  push(text: string, kind: PieceKind, context: PieceContext, protectedKind?: string): void {
    if (text.length === 0) return;
    if (kind === 'space') {
      this.lead += text;
      return;
    }
    if (kind === 'newline') {
      // A blank line ends a paragraph.
      if (this.lineBroken) this.sentenceEnded = true;
    } else if (kind !== 'indent') {
      if (this.lineBroken) {
        // A sentence wrapped over lines goes on where the next line starts with plain
        // prose; a list marker, heading, table cell or key starts a new one.
        if (kind !== 'word' || context !== 'body') this.sentenceEnded = true;
        this.lineBroken = false;
      }
      if (this.sentenceEnded) {
        this.sentence++;
        this.sentenceEnded = false;
      }
    }
    // Same property order for every piece keeps property access monomorphic.
    this.pieces.push({ lead: this.lead, text, kind, protectedKind, line: this.line, sentence: this.sentence, context });
    this.lead = '';
    if (kind === 'newline') {
      this.line++;
      this.lineBroken = true;
    }
  }

  /** Whitespace left at the very end becomes a piece of its own, so nothing is lost. */
  finish(): Piece[] {
    if (this.lead !== '') {
      this.pieces.push({ lead: '', text: this.lead, kind: 'space', protectedKind: undefined, line: this.line, sentence: this.sentence, context: 'body' });
      this.lead = '';
    }
    return this.pieces;
  }

  /** A sentence ends at terminal punctuation followed by a space (or a line end). */
  endSentenceIfTerminal(punct: string, nextChar: string | undefined): void {
    if (punct.length !== 1) return;
    const c = punct.charCodeAt(0);
    const fullWidth = c === 0x3002 || c === 0xff01 || c === 0xff1f; // 。！？
    if (!(fullWidth || c === 46 || c === 33 || c === 63 || c === 0x2026)) return; // . ! ? …
    if (fullWidth || nextChar === undefined || WHITESPACE.test(nextChar)) this.sentenceEnded = true;
  }
}

const WHITESPACE = /\s/u;

/** LIGHT_WORDS as usually written: lower case, Capitalised, UPPER. */
const LIGHT_SPELLINGS: ReadonlySet<string> = new Set([...LIGHT_WORDS].flatMap((w) => [w, w[0]!.toUpperCase() + w.slice(1), w.toUpperCase()]));

/** LIGHT_WORDS.has(word.toLowerCase()), lower-casing only a word in a rarer mix of cases. */
function isLightWord(word: string): boolean {
  if (LIGHT_SPELLINGS.has(word)) return true;
  for (let k = 1; k < word.length; k++) {
    const c = word.charCodeAt(k);
    if ((c >= 65 && c <= 90) || c > 127) return LIGHT_WORDS.has(word.toLowerCase());
  }
  return word.charCodeAt(0) > 127 && LIGHT_WORDS.has(word.toLowerCase());
}

// One scanner per mode, one alternative per piece kind (tried in this order):
// JSON escape, line break, spaces, word, pictograph, any other character.
// Words are letters, marks, digits, underscores, joined by single inner connectors
// (Unicode hyphens too: "e‑mail" with U+2011 is one word);
// inside a JSON string a backslash starts an escape and \uXXXX is part of a word.
const SPACE_CHARS = '[ \\t\\u00A0\\u2000-\\u200A\\u202F\\u205F\\u3000]+';
const PICTOGRAPH_SOURCE =
  '\\p{Regional_Indicator}{2}|(?:\\p{Extended_Pictographic}|\\p{Regional_Indicator})(?:[\\u{1F3FB}-\\u{1F3FF}]|\\uFE0F|\\u20E3|\\p{M}|\\u200D(?:\\p{Extended_Pictographic}|\\p{Regional_Indicator}))*';
const WORD_PLAIN_SOURCE = "(?:[\\p{L}\\p{M}\\p{N}_])+(?:[.\\-\\u2010\\u2011/\\\\@#:+'’&](?:[\\p{L}\\p{M}\\p{N}_])+)*";
const WORD_JSON_SOURCE = "(?:[\\p{L}\\p{M}\\p{N}_]|\\\\u[0-9a-fA-F]{4})+(?:[.\\-\\u2010\\u2011/@#:+'’&](?:[\\p{L}\\p{M}\\p{N}_]|\\\\u[0-9a-fA-F]{4})+)*";
const SCAN_PLAIN = new RegExp(`()(\\r?\\n|\\r)|(${SPACE_CHARS})|(${WORD_PLAIN_SOURCE})|(${PICTOGRAPH_SOURCE})|([^]\\p{M}*)`, 'uy');
const SCAN_JSON = new RegExp(
  `(\\\\(?:[nrt"\\\\/bf]|u[0-9a-fA-F]{4}))|(\\r?\\n|\\r)|(${SPACE_CHARS})|(${WORD_JSON_SOURCE})|(${PICTOGRAPH_SOURCE})|([^]\\p{M}*)`,
  'uy',
);

/** Scripts written without spaces between words. */

/**
 * Words kept whole no matter what: they hold digits (numbers, versions, model names)
 * or are paths and addresses. Other identifier-looking words (camelCase, snake_case,
 * dotted names) are ordinary words with a high score (see importance.ts).
 */
const IDENTIFIER_SIGNS = /[\d/\\@]/u;
const NUMBER_LIKE = /^[\d.,:/+-]*\d[\d.,:/+-]*(?:st|nd|rd|th|k|m|x|s|%)?$/iu;
const UNIT_WORD = /^\p{L}{1,14}$/u;
// After a number these start a new phrase rather than name a unit.
const NOT_UNITS = new Set([
  'a', 'an', 'the', 'and', 'or', 'of', 'to', 'in', 'on', 'at', 'for', 'with', 'by', 'from', 'is', 'are', 'was', 'be',
  'as', 'that', 'this', 'it', 'if', 'but', 'than', 'then', 'so', 'you', 'i', 'we', 'they', 'he', 'she', 'when', 'where',
]);

let segmenter: Intl.Segmenter | undefined;
function wordSegmenter(): Intl.Segmenter {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'word' });
  return segmenter;
}

export interface LexOptions {
  readonly context: PieceContext;
  readonly jsonString: boolean;
}

/** Appends the pieces of `text` (no structure markers in it) to `out`. */
export function lexText(text: string, options: LexOptions, out: PieceBuilder): void {
  const spans = findProtectedSpans(text, { jsonString: options.jsonString });
  const clauses = findOutputClauses(text);
  let at = 0;
  for (const span of spans) {
    if (span.start > at) lexPlain(text, at, span.start, options, out, clauses);
    out.push(text.slice(span.start, span.end), 'protected', options.context, span.kind);
    at = span.end;
  }
  if (at < text.length) lexPlain(text, at, text.length, options, out, clauses);
}

/** The part of [from, to) that the first overlapping range covers, or null. */
function overlapOf(ranges: ReadonlyArray<readonly [number, number]>, from: number, to: number): [number, number] | null {
  for (const [start, end] of ranges) {
    if (end <= from) continue;
    if (start >= to) return null;
    return [Math.max(start, from), Math.min(end, to)];
  }
  return null;
}

/** Whether `at` lies in one of the (ordered) ranges. */
function inRanges(ranges: ReadonlyArray<readonly [number, number]>, at: number): boolean {
  for (const [start, end] of ranges) {
    if (at < start) return false;
    if (at < end) return true;
  }
  return false;
}

function lexPlain(
  text: string,
  start: number,
  end: number,
  options: LexOptions,
  out: PieceBuilder,
  outputClauses: ReadonlyArray<readonly [number, number]>,
): void {
  const { context } = options;
  const sub = start === 0 && end === text.length ? text : text.slice(start, end);
  const scan = options.jsonString ? SCAN_JSON : SCAN_PLAIN;
  let unitMayFollow = false;
  // Words still governed by the last constraint cue (reset at punctuation and line ends).
  let heavyLeft = 0;
  let totalLeft = 0;
  let pos = 0;
  let flagEnd = -1;
  while (pos < sub.length) {
    // Plain ASCII (most text) is scanned by hand; anything else goes to the regex.
    const fast = fastToken(sub, pos, options.jsonString);
    let group: number;
    let endPos: number;
    const ascii = fast >= 0;
    let wordFlags = 0;
    if (ascii) {
      group = fast & GROUP_MASK;
      wordFlags = fast & FLAG_MASK;
      endPos = (fast - group - wordFlags) / TOKEN_SCALE;
    } else {
      scan.lastIndex = pos;
      const m = scan.exec(sub)!;
      group = m[1] ? 1 : m[2] !== undefined ? 2 : m[3] !== undefined ? 3 : m[4] !== undefined ? 4 : m[5] !== undefined ? 5 : 6;
      endPos = scan.lastIndex;
    }
    const index = pos;
    const piece = sub.slice(pos, endPos);
    pos = endPos;
    if (group === 1) {
      // A JSON escape: \n is a line break, \t a space, the rest opaque characters.
      out.push(piece, piece === '\\n' || piece === '\\r' ? 'newline' : piece === '\\t' ? 'space' : 'punct', context);
      unitMayFollow = false;
    } else if (group === 2) {
      out.push(piece, 'newline', context);
      unitMayFollow = false;
      heavyLeft = 0;
    } else if (group === 3) {
      out.push(piece, 'space', context);
    } else if (group === 4) {
      // A cue inside another cue's reach starts a new reach ("should not mention prices").
      const cue = cueAt(sub, index, piece, !ascii || (wordFlags & HAS_HYPHEN) !== 0);
      const clauseCut = !ascii && outputClauses.length > 0 && NO_SPACE_SCRIPT.test(piece) ? overlapOf(outputClauses, start + index, start + endPos) : null;
      if (clauseCut !== null) {
        // A run of a script without spaces holding such a clause (你必须始终使用简体中文回答):
        // the clause is a constraint, the words around it are segmented as usual.
        const [from, to] = [clauseCut[0] - start - index, clauseCut[1] - start - index];
        if (from > 0) pushSegmented(piece.slice(0, from), context, out);
        out.push(piece.slice(from, to), 'protected', context, 'constraint');
        if (to < piece.length) pushSegmented(piece.slice(to), context, out);
        unitMayFollow = false;
      } else if (outputClauses.length > 0 && inRanges(outputClauses, start + index)) {
        // A word of a clause that governs the output (its language, format, length).
        out.push(piece, 'protected', context, 'constraint');
        unitMayFollow = NUMBER_LIKE.test(piece);
      } else if (cue.length > 0) {
        // A negation, modal or limit, and (below) the words it governs.
        out.push(sub.slice(index, index + cue.length), 'protected', context, 'constraint');
        pos = index + cue.length;
        heavyLeft = cue.reach;
        totalLeft = CUE_REACH.maxWords;
        unitMayFollow = false;
      } else if (heavyLeft > 0 && totalLeft > 0) {
        out.push(piece, 'protected', context, 'constraint');
        if (!isLightWord(piece)) heavyLeft--;
        totalLeft--;
        if (totalLeft === 0) heavyLeft = 0;
        unitMayFollow = NUMBER_LIKE.test(piece);
      } else if (!ascii && NO_SPACE_SCRIPT.test(piece)) {
        pushSegmented(piece, context, out);
        unitMayFollow = false;
      } else if (unitMayFollow && UNIT_WORD.test(piece) && !NOT_UNITS.has(piece.toLowerCase())) {
        out.push(piece, 'protected', context, 'number');
        unitMayFollow = false;
      } else if (ascii ? (wordFlags & HAS_IDENTIFIER_SIGN) !== 0 : IDENTIFIER_SIGNS.test(piece)) {
        const isNumber = NUMBER_LIKE.test(piece);
        out.push(piece, 'protected', context, isNumber ? 'number' : 'identifier');
        unitMayFollow = isNumber;
      } else {
        out.push(piece, 'word', context);
        unitMayFollow = false;
      }
    } else if (group === 6 && piece === '-' && (flagEnd = commandFlagEnd(sub, index)) > 0) {
      // "--ar 16:9", "-v": a command option is one name, kept whole like other names.
      out.push(sub.slice(index, flagEnd), 'protected', context, 'identifier');
      pos = flagEnd;
      heavyLeft = 0;
      unitMayFollow = false;
    } else if (group === 5) {
      out.push(piece, 'symbol', context);
      unitMayFollow = false;
      heavyLeft = 0;
    } else {
      heavyLeft = 0;
      const isUnitSign = unitMayFollow && /^[%°$€£¥]/u.test(piece);
      out.push(piece, isUnitSign ? 'protected' : 'punct', context, isUnitSign ? 'number' : undefined);
      out.endSentenceIfTerminal(piece, pos < sub.length ? sub[pos] : undefined);
      unitMayFollow = false;
    }
  }
}

const COMMAND_FLAG = /--?[A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*(?![\p{L}\p{N}_])/uy;

/**
 * The end of a command option ("--ar", "-v", "--no-cache") starting at `at`, or -1.
 * Only at a word boundary (line start, space, opening bracket), so "well-known" and a
 * list marker's "- " are not options.
 */
function commandFlagEnd(text: string, at: number): number {
  if (at > 0 && !/[\s([{]/u.test(text[at - 1]!)) return -1;
  COMMAND_FLAG.lastIndex = at;
  return COMMAND_FLAG.test(text) ? COMMAND_FLAG.lastIndex : -1;
}

export function isAsciiWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** ASCII word connectors (see WORD_PLAIN_SOURCE): . - / \ @ # : + ' & (no backslash in JSON). */
function isAsciiConnector(c: number, json: boolean): boolean {
  return c === 46 || c === 45 || c === 47 || c === 64 || c === 35 || c === 58 || c === 43 || c === 39 || c === 38 || (c === 92 && !json);
}

/** fastToken's result: end * TOKEN_SCALE + word flags + group. */
const TOKEN_SCALE = 32;
const GROUP_MASK = 7;
const FLAG_MASK = 24;
/** A word holding a digit, '/', '\\' or '@' (IDENTIFIER_SIGNS): a name kept whole. */
const HAS_IDENTIFIER_SIGN = 8;
/** A word joined by '-' (it may end in a cue: "read-only"). */
const HAS_HYPHEN = 16;

/**
 * The scanner's verdict for plain ASCII at `pos`, without a regex: end * TOKEN_SCALE +
 * flags (words only: HAS_IDENTIFIER_SIGN, HAS_HYPHEN) + group (2 newline, 3 spaces,
 * 4 word, 6 other character), or -1 to let the regex decide (non-ASCII, marks, escapes).
 * Must agree with SCAN_PLAIN / SCAN_JSON.
 */
function fastToken(s: string, pos: number, json: boolean): number {
  const c = s.charCodeAt(pos);
  if (c === 32 || c === 9) {
    let e = pos + 1;
    while (e < s.length && (s.charCodeAt(e) === 32 || s.charCodeAt(e) === 9)) e++;
    return e < s.length && s.charCodeAt(e) > 127 ? -1 : e * TOKEN_SCALE + 3;
  }
  if (c === 10) return (pos + 1) * TOKEN_SCALE + 2;
  if (c === 13) return (s.charCodeAt(pos + 1) === 10 ? pos + 2 : pos + 1) * TOKEN_SCALE + 2;
  if (isAsciiWordChar(c)) {
    // Word characters at or below '9' are digits.
    let flags = c <= 57 ? HAS_IDENTIFIER_SIGN : 0;
    let e = pos + 1;
    for (;;) {
      let d = 0;
      while (e < s.length && isAsciiWordChar((d = s.charCodeAt(e)))) {
        if (d <= 57) flags |= HAS_IDENTIFIER_SIGN;
        e++;
      }
      if (e >= s.length) break;
      if (d > 127 || (json && d === 92)) return -1;
      if (!isAsciiConnector(d, json) || e + 1 >= s.length) break;
      const n = s.charCodeAt(e + 1);
      if (n > 127 || (json && n === 92)) return -1;
      if (!isAsciiWordChar(n)) break;
      if (d === 45) flags |= HAS_HYPHEN;
      else if (d === 47 || d === 92 || d === 64) flags |= HAS_IDENTIFIER_SIGN;
      if (n <= 57) flags |= HAS_IDENTIFIER_SIGN;
      e += 2;
    }
    return e * TOKEN_SCALE + flags + 4;
  }
  if (c < 128 && !(json && c === 92)) {
    return pos + 1 < s.length && s.charCodeAt(pos + 1) > 127 ? -1 : (pos + 1) * TOKEN_SCALE + 6;
  }
  return -1;
}

const LONGEST_CUE_WORD = Math.max(...[...CUES_BY_FIRST_WORD.keys()].map((w) => w.length));
/** First words of cues as they are usually written (lower, Capitalised, UPPER): a lookup without lower-casing. */
const CUE_SPELLINGS: ReadonlySet<string> = new Set(
  [...CUES_BY_FIRST_WORD.keys()].flatMap((w) => [w, w[0]!.toUpperCase() + w.slice(1), w.toUpperCase()].flatMap((v) => [v, v.replace(/'/g, '’')])),
);
/**
 * A quick reject before the Set lookup: 1 at [length * 128 + first code] for each ASCII
 * spelling in CUE_SPELLINGS (most words match none, and hashing each costs more).
 */
const CUE_SHAPES: Uint8Array = (() => {
  const shapes = new Uint8Array((LONGEST_CUE_WORD + 1) * 128);
  for (const spelling of CUE_SPELLINGS) {
    const first = spelling.charCodeAt(0);
    if (first < 128 && spelling.length <= LONGEST_CUE_WORD) shapes[spelling.length * 128 + first] = 1;
  }
  return shapes;
})();

function mayBeCueSpelling(word: string): boolean {
  const first = word.charCodeAt(0);
  return first >= 128 || word.length > LONGEST_CUE_WORD || CUE_SHAPES[word.length * 128 + first] === 1;
}

const CUE_FOLLOWER = /[ \t]+([\p{L}\p{M}\p{N}_]+(?:['’][\p{L}]+)?)/uy;

const NO_CUE = { length: 0, reach: 0 };

/**
 * The constraint cue starting at `at` with `word` (length 0 when none): "no more than" is
 * one. `mayHaveHyphen` false says the word has no '-' (the scanner knows).
 */
function cueAt(text: string, at: number, word: string, mayHaveHyphen: boolean): { length: number; reach: number } {
  if (word.length > LONGEST_CUE_WORD && !(mayHaveHyphen && word.includes('-'))) return NO_CUE;
  const options = mayBeCueSpelling(word) && CUE_SPELLINGS.has(word) ? CUES_BY_FIRST_WORD.get(normalizeCueWord(word)) : undefined;
  if (!options) {
    if (!mayHaveHyphen || word.indexOf('-') < 0) return NO_CUE;
    // "read-only", "append-only": a compound ending in a one-word cue is a cue.
    const dash = word.lastIndexOf('-');
    const single = dash > 0 ? CUES_BY_FIRST_WORD.get(normalizeCueWord(word.slice(dash + 1)))?.find((c) => c.rest.length === 0) : undefined;
    return single ? { length: word.length, reach: single.reach } : NO_CUE;
  }
  for (const { rest, reach } of options) {
    let end = at + word.length;
    let ok = true;
    for (const next of rest) {
      CUE_FOLLOWER.lastIndex = end;
      const m = CUE_FOLLOWER.exec(text);
      if (!m || normalizeCueWord(m[1]!) !== next) {
        ok = false;
        break;
      }
      end = CUE_FOLLOWER.lastIndex;
    }
    if (ok) return { length: end - at, reach };
  }
  return NO_CUE;
}

const SEGMENT_CUE_REACH = 2;

/** Words of a run in a script without spaces; a cue (不要, のみ) protects what it governs. */
/** Single Han characters that are words of their own (particles, pronouns, light verbs): never merged. */
const HAN_SINGLE_WORDS = new Set('的地得了着过是在和与及或也都就而把被对从向给让之所于这那你我他她它们请不没别勿只仅无非'.split(''));
const SINGLE_HAN = /^\p{Script=Han}$/u;

/**
 * Word segments of a run of a script without spaces. ICU's dictionary splits compounds it
 * does not know into single characters ("字段" -> 字|段, "客服" -> 客|服), and a capsule that
 * drops one of them leaves half a word: two such characters in a row are one word
 * (particles and pronouns excepted).
 */
function segmentsOf(run: string): Array<{ segment: string; isWordLike: boolean }> {
  const merged: Array<{ segment: string; isWordLike: boolean }> = [];
  for (const { segment, isWordLike } of wordSegmenter().segment(run)) {
    const last = merged[merged.length - 1];
    const joinable = (text: string) => SINGLE_HAN.test(text) && !HAN_SINGLE_WORDS.has(text);
    if (last && isWordLike && last.isWordLike && last.segment.length === 1 && joinable(last.segment) && joinable(segment)) {
      last.segment += segment;
    } else merged.push({ segment, isWordLike: isWordLike === true });
  }
  return merged;
}

function pushSegmented(run: string, context: PieceContext, out: PieceBuilder): void {
  let governed = 0;
  for (const { segment, isWordLike } of segmentsOf(run)) {
    if (isWordLike && isSegmentCue(segment)) {
      out.push(segment, 'protected', context, 'constraint');
      governed = SEGMENT_CUE_REACH;
    } else if (governed > 0 && isWordLike) {
      out.push(segment, 'protected', context, 'constraint');
      governed--;
    } else if (isWordLike) {
      out.push(segment, IDENTIFIER_SIGNS.test(segment) ? 'protected' : 'word', context, IDENTIFIER_SIGNS.test(segment) ? 'identifier' : undefined);
    } else {
      out.push(segment, 'punct', context);
      governed = 0;
    }
  }
}
