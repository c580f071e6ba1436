/**
 * Splits running text into pieces: protected spans, words, spaces, punctuation,
 * pictographs. Words are whole words (joined by internal hyphens, apostrophes, dots),
 * so nothing later can cut inside one; scripts written without spaces are split into
 * words by the platform's word segmenter (ICU dictionaries).
 */
import { CUE_REACH, CUES_BY_FIRST_WORD, findProtectedSpans, isSegmentCue, LIGHT_WORDS, normalizeCueWord } from './protect';
import type { Piece, PieceContext, PieceKind } from './types';

/** Collects pieces and tracks line and sentence numbers as they go by. */
export class PieceBuilder {
  readonly pieces: Piece[] = [];
  private line = 0;
  private sentence = 0;
  private sentenceEnded = false;

  push(text: string, kind: PieceKind, context: PieceContext, protectedKind?: string): void {
    if (text.length === 0) return;
    if (this.sentenceEnded && kind !== 'space' && kind !== 'newline' && kind !== 'indent') {
      this.sentence++;
      this.sentenceEnded = false;
    }
    // Same property order for every piece keeps property access monomorphic.
    this.pieces.push({ text, kind, protectedKind, line: this.line, sentence: this.sentence, context });
    if (kind === 'newline') {
      this.line++;
      this.sentenceEnded = true;
    }
  }

  /** A sentence ends at terminal punctuation followed by a space (or a line end). */
  endSentenceIfTerminal(punct: string, nextChar: string | undefined): void {
    if (TERMINAL.test(punct) && (nextChar === undefined || /\s/u.test(nextChar) || FULLWIDTH_TERMINAL.test(punct))) {
      this.sentenceEnded = true;
    }
  }
}

const TERMINAL = /^[.!?。！？…]$/u;
const FULLWIDTH_TERMINAL = /^[。！？]$/u;

// One scanner per mode, one alternative per piece kind (tried in this order):
// JSON escape, line break, spaces, word, pictograph, any other character.
// Words are letters, marks, digits, underscores, joined by single inner connectors;
// inside a JSON string a backslash starts an escape and \uXXXX is part of a word.
const SPACE_CHARS = '[ \\t\\u00A0\\u2000-\\u200A\\u202F\\u205F\\u3000]+';
const PICTOGRAPH_SOURCE =
  '\\p{Regional_Indicator}{2}|(?:\\p{Extended_Pictographic}|\\p{Regional_Indicator})(?:[\\u{1F3FB}-\\u{1F3FF}]|\\uFE0F|\\u20E3|\\p{M}|\\u200D(?:\\p{Extended_Pictographic}|\\p{Regional_Indicator}))*';
const WORD_PLAIN_SOURCE = "(?:[\\p{L}\\p{M}\\p{N}_])+(?:[.\\-/\\\\@#:+'’&](?:[\\p{L}\\p{M}\\p{N}_])+)*";
const WORD_JSON_SOURCE = "(?:[\\p{L}\\p{M}\\p{N}_]|\\\\u[0-9a-fA-F]{4})+(?:[.\\-/@#:+'’&](?:[\\p{L}\\p{M}\\p{N}_]|\\\\u[0-9a-fA-F]{4})+)*";
const SCAN_PLAIN = new RegExp(`()(\\r?\\n|\\r)|(${SPACE_CHARS})|(${WORD_PLAIN_SOURCE})|(${PICTOGRAPH_SOURCE})|([^]\\p{M}*)`, 'uy');
const SCAN_JSON = new RegExp(
  `(\\\\(?:[nrt"\\\\/bf]|u[0-9a-fA-F]{4}))|(\\r?\\n|\\r)|(${SPACE_CHARS})|(${WORD_JSON_SOURCE})|(${PICTOGRAPH_SOURCE})|([^]\\p{M}*)`,
  'uy',
);

/** Scripts written without spaces between words. */
const NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

const IDENTIFIER_SIGNS = /[\d_]|\p{Ll}\p{Lu}|[./\\@#:+&]/u;
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
  let at = 0;
  for (const span of spans) {
    if (span.start > at) lexPlain(text, at, span.start, options, out);
    out.push(text.slice(span.start, span.end), 'protected', options.context, span.kind);
    at = span.end;
  }
  if (at < text.length) lexPlain(text, at, text.length, options, out);
}

function lexPlain(text: string, start: number, end: number, options: LexOptions, out: PieceBuilder): void {
  const { context } = options;
  const sub = start === 0 && end === text.length ? text : text.slice(start, end);
  const scan = options.jsonString ? SCAN_JSON : SCAN_PLAIN;
  let unitMayFollow = false;
  // Words still governed by the last constraint cue (reset at punctuation and line ends).
  let heavyLeft = 0;
  let totalLeft = 0;
  scan.lastIndex = 0;
  while (scan.lastIndex < sub.length) {
    const m = scan.exec(sub)!;
    const piece = m[0];
    if (m[1] !== undefined && m[1] !== '') {
      // A JSON escape: \n is a line break, \t a space, the rest opaque characters.
      out.push(piece, piece === '\\n' || piece === '\\r' ? 'newline' : piece === '\\t' ? 'space' : 'punct', context);
      unitMayFollow = false;
    } else if (m[2] !== undefined) {
      out.push(piece, 'newline', context);
      unitMayFollow = false;
      heavyLeft = 0;
    } else if (m[3] !== undefined) {
      out.push(piece, 'space', context);
    } else if (m[4] !== undefined) {
      // A cue inside another cue's reach starts a new reach ("should not mention prices").
      const cueLength = cueAt(sub, m.index, piece);
      if (cueLength > 0) {
        // A negation, modal or limit, and (below) the words it governs.
        out.push(sub.slice(m.index, m.index + cueLength), 'protected', context, 'constraint');
        scan.lastIndex = m.index + cueLength;
        heavyLeft = CUE_REACH.heavy;
        totalLeft = CUE_REACH.total;
        unitMayFollow = false;
      } else if (heavyLeft > 0 && totalLeft > 0) {
        out.push(piece, 'protected', context, 'constraint');
        if (!LIGHT_WORDS.has(piece.toLowerCase())) heavyLeft--;
        totalLeft--;
        if (totalLeft === 0) heavyLeft = 0;
        unitMayFollow = NUMBER_LIKE.test(piece);
      } else if (NO_SPACE_SCRIPT.test(piece)) {
        pushSegmented(piece, context, out);
        unitMayFollow = false;
      } else if (unitMayFollow && UNIT_WORD.test(piece) && !NOT_UNITS.has(piece.toLowerCase())) {
        out.push(piece, 'protected', context, 'number');
        unitMayFollow = false;
      } else if (IDENTIFIER_SIGNS.test(piece)) {
        const isNumber = NUMBER_LIKE.test(piece);
        out.push(piece, 'protected', context, isNumber ? 'number' : 'identifier');
        unitMayFollow = isNumber;
      } else {
        out.push(piece, 'word', context);
        unitMayFollow = false;
      }
    } else if (m[5] !== undefined) {
      out.push(piece, 'symbol', context);
      unitMayFollow = false;
      heavyLeft = 0;
    } else {
      heavyLeft = 0;
      const isUnitSign = unitMayFollow && /^[%°$€£¥]/u.test(piece);
      out.push(piece, isUnitSign ? 'protected' : 'punct', context, isUnitSign ? 'number' : undefined);
      out.endSentenceIfTerminal(piece, scan.lastIndex < sub.length ? sub[scan.lastIndex] : undefined);
      unitMayFollow = false;
    }
  }
}

const CUE_FOLLOWER = /[ \t]+([\p{L}\p{M}\p{N}_]+(?:['’][\p{L}]+)?)/uy;

/** Length of the constraint cue starting at `at` with `word` (0 when none): "no more than" is one. */
function cueAt(text: string, at: number, word: string): number {
  const options = CUES_BY_FIRST_WORD.get(normalizeCueWord(word));
  if (!options) {
    // "read-only", "append-only": a compound ending in a one-word cue is a cue.
    const dash = word.lastIndexOf('-');
    return dash > 0 && CUES_BY_FIRST_WORD.get(normalizeCueWord(word.slice(dash + 1)))?.some((rest) => rest.length === 0) ? word.length : 0;
  }
  for (const rest of options) {
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
    if (ok) return end - at;
  }
  return 0;
}

const SEGMENT_CUE_REACH = 2;

/** Words of a run in a script without spaces; a cue (不要, のみ) protects what it governs. */
function pushSegmented(run: string, context: PieceContext, out: PieceBuilder): void {
  let governed = 0;
  for (const { segment, isWordLike } of wordSegmenter().segment(run)) {
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
