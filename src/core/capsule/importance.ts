/**
 * How much a word is worth keeping, without a neural model: its self-information in
 * bits (-log2 p from the SUBTLEX-US word frequencies; for words the table lacks, an
 * estimate from how the BPE splits them, which works in any script), lowered for
 * repeats within the prompt, raised for names, acronyms, headings and the opening
 * line, and a little for position (instructions up front matter more).
 */
import fit from './data/bpe-information-fit.json';
import type { TokenCoster } from './token-costs';
import type { Piece } from './types';
import type { UnitObject } from './units';
import { NOT_PHRASE_WORD, NOUN, nounPhrases, pieceClasses, readsAsVerb } from './phrases';
import { CountTable, forEachCount, isFunctionWord, isFunctionWordLower, NO_SPACE_SCRIPT } from './word-lists';
import { isTableSeparator, OPERATOR_SIGNS, RULE_LINE } from './structure';
import { checkAborted } from './abort';
import type { AbortFlag } from './types';

interface WordCounts extends CountTable {
  total: number;
}

let selfInfo: Map<string, number> | undefined;

/**
 * -log2 p(word) from SUBTLEX-US (51M words of subtitles), lower-cased; loaded on first
 * use. (data/word-counts.json is the package's table in two strings: scripts/dev/build-word-counts.mjs.)
 */
function wordInformation(): Map<string, number> {
  if (selfInfo) return selfInfo;
  const data = require('./data/word-counts.json') as WordCounts;
  const table = new Map<string, number>();
  forEachCount(data, (word, count) => table.set(word, -Math.log2(count / data.total)));
  return (selfInfo = table);
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

interface DocumentCounts extends CountTable {
  documents: number;
}

let promptRarity: Map<string, number> | undefined;
/** log2 of (prompts + 1) / 1: the rarity of a word no counted prompt holds twice. */
let unseenPromptRarity = 0;

/**
 * How rare a word is in prompts, log2((N + 1) / (df + 1)) over N prompts (data/prompt-df.json,
 * built by scripts/dev/build-prompt-df.mjs); loaded on first use.
 */
function promptWordRarity(): Map<string, number> {
  if (promptRarity) return promptRarity;
  const data = require('./data/prompt-df.json') as DocumentCounts;
  const table = new Map<string, number>();
  forEachCount(data, (word, documents) => table.set(word, Math.log2((data.documents + 1) / (documents + 1))));
  unseenPromptRarity = Math.log2(data.documents + 1);
  return (promptRarity = table);
}

const POSSESSIVE = /['’]s$/u;

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
  if (NO_SPACE_SCRIPT.test(lower)) {
    // Segments of CJK/Thai text are short; judge them by their BPE cost alone.
    return bpeInformation(lower, coster) - fit.unknownWordFloorBits / 2 + lower.length;
  }
  return bpeInformation(lower, coster);
}

/**
 * How far a word's information moves from its frequency value toward the model's (1: the
 * model's order alone). Measured with the bundled model part-trained (step 400): on every
 * 4th even-numbered dev prompt (its training half) 0.25, 0.5 and 0.75 all kept more
 * distinctive words than the frequency table alone, 0.5 the most; the model alone (1) and
 * 2 kept fewer on a sample of the held-out half. Context and global rarity each see what
 * the other misses.
 */
const MODEL_WEIGHT = 0.5;

/**
 * With a local model, the model orders the words by information and the word-frequency
 * table sets the scale: the k-th least informative word by the model gets the k-th lowest
 * frequency information of the prompt's words (a rank mapping, so surprisal in bits and
 * keep probabilities plug in alike, and every bonus keeps its meaning), weighed by
 * MODEL_WEIGHT against the word's own. Returns the bits to add to each word's frequency
 * information; 0 where the model gave none.
 */
function contextAdjustments(pieces: readonly Piece[], modelScores: Float64Array, coster: TokenCoster, table: Map<string, number>): Float64Array {
  const adjust = new Float64Array(pieces.length);
  const scored: number[] = [];
  const base = new Float64Array(pieces.length);
  for (let i = 0; i < pieces.length; i++) {
    if (pieces[i]!.kind !== 'word' || Number.isNaN(modelScores[i]!)) continue;
    scored.push(i);
    base[i] = baseInformation(pieces[i]!.text.toLowerCase(), coster, table);
  }
  const byBase = scored.map((i) => base[i]!).sort((a, b) => a - b);
  const byModel = [...scored].sort((a, b) => modelScores[a]! - modelScores[b]! || a - b);
  byModel.forEach((piece, rank) => (adjust[piece] = MODEL_WEIGHT * (byBase[rank]! - base[piece]!)));
  return adjust;
}

/** Numbers each scoring pass, so per-word repeat counters reset lazily. */
let scoringPasses = 0;

const BONUS = {
  heading: 4,
  /** the first line */
  openingLine: 3,
  /** the first sentence of the body: usually the role ("You are X, ...", "Act as X") */
  openingSentence: 8,
  /** more for its earlier words, where the role and the name usually are */
  openingSentenceEarly: 8,
  name: 4,
  /** **bold** or _emphasised_ words: the author marked them as what matters */
  emphasis: 5,
  /** a label opening a line ("Customer name:", "Task:", "- Destination:"): it names what follows */
  label: 6,
  /** function words (articles, pronouns, auxiliaries): the first to go */
  functionWord: -3,
  acronym: 3,
  listLead: 1,
  tableCell: 1.5,
  position: 1.5,
  /** bits lost per doubling of a word's occurrences so far (its first mention loses none) */
  repeat: 2.5,
  /** the word right after a number: its unit or what it counts */
  numberUnit: 20,
  /** the first mention of a content word the prompt repeats: its topic */
  topic: 8,
  /** and more the more often it comes back */
  topicPerDoubling: 9,
  adverb: -1.5,
  /** camelCase, snake_case, dotted.names: probably code identifiers */
  identifier: 5,
  pictograph: 3,
  /** a pictograph between words: it stands for one */
  pictographInText: 30,
};

/** Punctuation that may go, in bits: pauses cost little to lose, sentence ends a bit more. */
const PUNCT_BITS: Readonly<Record<string, number>> = {
  ',': 4, '，': 4, '、': 4, '…': 4, ';': 5, '；': 5, '-': 5, '–': 5, '—': 5,
  ':': 7, '：': 7, '.': 8, '!': 8, '?': 8, '。': 8, '！': 8, '？': 8,
  // Emphasis marks: decoration for a human reader, not for the model. (Brackets stay:
  // dropping one of a pair leaves the other dangling.)
  '*': 5, '_': 5,
};
/**
 * A plain clause's key phrase (its best words, see keyPhrase) goes whole, ranked by its
 * best word with no bonus: coarse to fine, as LongLLMLingua's budget controller, so that
 * when the budget is tight a weak clause goes whole before a strong clause loses its
 * distinctive words (a bonus of 10 or 100 bits, tried first, kept every clause's key
 * phrase to the end and lowered the distinctive words kept at rate 0.33 in the bench).
 */
const KEY_PHRASE_BONUS = 0;
/**
 * The keeper of a numbered item, of a sentence holding protected content, and of a table
 * header cell goes only after every plain clause (see keepLast).
 */
const LINE_KEEPER_BONUS = 100;
/**
 * Fairness across clauses: a word's rank within its clause (sentence, list item or
 * table cell) adds up to this many bits, so every clause keeps a share of its best
 * words at any rate instead of one global threshold wiping out whole clauses.
 */
const CLAUSE_RANK_BITS = 10;
/** Words or noun phrases of the opening sentence that go only after every other clause's best words. */
const OPENING_KEEPERS = 4;


const EMPHASIS = new Set(['*', '_']);
/** Rule lines (---, ***, ===) separate sections for the eye; they go early. */
const RULE_BITS = 5;
/** Marks that, repeated three times or more inside a line ("=== Setup ==="), are decoration too. */
const DECORATION = new Set(['=', '-', '~', '*', '#', '_', '+', '─', '━', '═']);
const DECORATION_RUN = 3;
const CLOSING_BRACKETS: ReadonlySet<string> = new Set([')', ']', '}', '）', '」', '』']);
/** Signs standing for a word between two spaced words ("A & B", "A + B", "A / B"). */
const SPACED_CONJUNCTION_BITS: Readonly<Record<string, number>> = { '&': 4, '+': 5, '/': 5 };

const ORDERED_MARKER = /^[ \t>]*\d{1,9}[.)][ \t]/;

const IDENTIFIER_LIKE = /_|\p{Ll}\p{Lu}|[.#:+&]/u;
const ADVERB = /\p{L}{3,}ly$/u;
const UPPER_START = /^\p{Lu}/u;
const ACRONYM = /^\p{Lu}{2,}$/u;

/** Cheap pre-test first: only a capital (or a non-ASCII letter) can start a name or acronym. */
function startsWithCapital(text: string): boolean {
  const first = text.charCodeAt(0);
  return first > 127 ? UPPER_START.test(text) : first >= 65 && first <= 90;
}

/**
 * A word common in prompts ("user", "response", "ensure") says less about this one than
 * its rarity in speech suggests; one no other prompt uses says more. Bits added per bit
 * of prompt rarity, around the rarity of a word in one prompt in PROMPT_RARITY_CENTER^2.
 */
const PROMPT_RARITY_WEIGHT = 2.5;
const PROMPT_RARITY_CENTER = 6;

/** The part of a word's score that depends on its spelling only. */
function spellingBits(text: string, coster: TokenCoster, table: Map<string, number>, rarity: Map<string, number>): number {
  const lower = text.toLowerCase();
  let bits = baseInformation(lower, coster, table);
  bits += PROMPT_RARITY_WEIGHT * ((rarity.get(lower) ?? unseenPromptRarity) - PROMPT_RARITY_CENTER);
  if (isFunctionWordLower(lower)) bits += BONUS.functionWord;
  if (startsWithCapital(text) && ACRONYM.test(text)) bits += BONUS.acronym;
  if (text.length > 4 && text.endsWith('ly') && ADVERB.test(text)) bits += BONUS.adverb;
  if (IDENTIFIER_LIKE.test(text)) bits += BONUS.identifier;
  return bits;
}

/**
 * What scorePieces gives the budget controller: the importance of each droppable piece
 * (words, signs, pictographs; NaN for the rest, lower goes first) and the clauses' key
 * phrases, which go whole.
 */
export interface PieceScores {
  scores: Float64Array;
  /**
   * Pieces that go together, by the index of the piece that ranks them: a clause's key
   * phrase (its best words: "- Ensure privacy", or nothing; never "- Ensure") and noun
   * phrases ("customer support"). Their other pieces score NaN and go only with them.
   */
  groups: Map<number, UnitObject>;
}

/**
 * Importance of each droppable piece (words and pictographs); NaN for the rest.
 * Lower scores are dropped first.
 */
export function scorePieces(
  pieces: readonly Piece[],
  coster: TokenCoster,
  wordIds: Int32Array,
  signal?: AbortFlag,
  modelScores?: Float64Array,
): PieceScores {
  const table = wordInformation();
  const rarity = promptWordRarity();
  const adjust = modelScores ? contextAdjustments(pieces, modelScores, coster, table) : undefined;
  const scores = new Float64Array(pieces.length).fill(Number.NaN);
  const labels = lineLabels(pieces);
  // Words too long for the shared memo are counted here.
  const seen = new Map<string, number>();
  const wordTable = coster.words;
  const total = pieces.length;
  // How often each word occurs in the whole prompt, counted before scoring: the first
  // mention of a content word the prompt repeats is its topic ("grain" four times).
  const countingPass = ++scoringPasses;
  const seenTotal = new Map<string, number>();
  for (let i = 0; i < total; i++) {
    const piece = pieces[i]!;
    if (piece.kind !== 'word') continue;
    const id = wordIds[i]!;
    if (id < 0) seenTotal.set(piece.text, (seenTotal.get(piece.text) ?? 0) + 1);
    else if (wordTable.pass[id] !== countingPass) {
      wordTable.pass[id] = countingPass;
      wordTable.seen[id] = 1;
    } else wordTable.seen[id]!++;
  }
  const pass = ++scoringPasses;
  let previousContent: Piece | undefined;
  // Scored words in order, with the segment (line or table cell, ends at markup) and
  // clause (segment and sentence) each belongs to.
  const words: number[] = [];
  const wordClause: number[] = [];
  // Clauses that open an ordered-list item, and whether a list marker, heading mark or
  // table pipe (markup) came since the last word: it starts a new clause.
  const orderedClauses = new Set<number>();
  // Sentences holding protected content: their best word keeps that content from being
  // left dangling ("- (`lookup_order`)") until the very end.
  const sentencesWithProtected = new Set<number>();
  // A table's header row names its columns (see keepLast).
  const headerLines = tableHeaderLines(pieces);
  let clause = 0;
  let lastSentence = -1;
  let markupSinceWord = true;
  let orderedPending = false;
  let emphasized = false;
  let openingSentence = -1;
  for (let i = 0; i < total; i++) {
    if ((i & 4095) === 0) checkAborted(signal);
    const piece = pieces[i]!;
    if (piece.kind === 'symbol') {
      // Between words on its line it is content ("mark done items with ✅ and open ones
      // with ⏳"); at the head or end of a line, decoration.
      const next = pieces[i + 1];
      const inside = previousContent?.line === piece.line && isContent(previousContent) && next?.line === piece.line && (next.kind === 'word' || next.kind === 'protected');
      scores[i] = inside ? BONUS.pictographInText : BONUS.pictograph;
      continue;
    }
    if (piece.kind === 'punct') {
      const bits = PUNCT_BITS[piece.text];
      // Punctuation glued on both sides ("2,000", "0,5", "and/or") is part of a token; not
      // so a word's last sign before a closing bracket ("confusing?)", "fit.)").
      const before = pieces[i - 1];
      // A colon after a quoted key ("name": ...) is syntax, not prose.
      const afterQuotedKey = piece.text === ':' && before?.protectedKind === 'quoted';
      const after = pieces[i + 1];
      const glued =
        piece.lead === '' && isGlued(before) && !!after && after.lead === '' && isGlued(after) && !(CLOSING_BRACKETS.has(after.text) && isContent(before));
      if (FULL_WIDTH_ENDS.has(piece.text)) {
        // Between words written without spaces it is all that separates two sentences:
        // it goes only with its sentence (see keyPhrase).
      } else if (isOperatorSign(pieces, i)) {
        // Part of an arrow or a comparison ("->", "=>", ">=", "!="): kept whole.
      } else if (bits !== undefined && SENTENCE_ENDS.has(piece.text) && before?.protectedKind === 'constraint' && after !== undefined) {
        // The end of a constraint goes late, or the negation runs on into the next
        // sentence: "not theory. You should encourage" must not read "not theory encourage".
        scores[i] = bits + CONSTRAINT_END_BONUS;
      } else {
        if (bits !== undefined && !afterQuotedKey && (EMPHASIS.has(piece.text) || !glued)) scores[i] = bits;
        else if (piece.lead !== '' && after !== undefined && after.lead !== '' && SPACED_CONJUNCTION_BITS[piece.text] !== undefined) {
          scores[i] = SPACED_CONJUNCTION_BITS[piece.text]!;
        }
        if (DECORATION.has(piece.text) && decorationRunLength(pieces, i) >= DECORATION_RUN) scores[i] = RULE_BITS;
      }
      // A run of emphasis marks ("**", "_") opens or closes an emphasised span.
      if (EMPHASIS.has(piece.text) && !(piece.lead === '' && before?.kind === 'punct' && EMPHASIS.has(before.text))) emphasized = !emphasized;
    }
    if (piece.kind === 'markup' && piece.context === 'body' && RULE_LINE.test(piece.text)) scores[i] = RULE_BITS;
    if (piece.kind === 'markup') {
      markupSinceWord = true;
      // The last word of an ordered-list item stays (see keepLast).
      orderedPending = ORDERED_MARKER.test(piece.text);
    }
    if (piece.kind === 'newline') emphasized = false;
    if (piece.kind === 'protected') sentencesWithProtected.add(piece.sentence);
    if (piece.kind !== 'word') {
      if (piece.kind !== 'space' && piece.kind !== 'indent') previousContent = piece;
      continue;
    }
    // Facts and repeat counts are keyed by the word as written: no lower-casing per word.
    const text = piece.text;
    const id = wordIds[i]!;
    let bits: number;
    let occurrence: number;
    let mentions = 1;
    if (id >= 0) {
      // What depends on the spelling alone is worked out once per word.
      bits = wordTable.bits[id]!;
      if (Number.isNaN(bits)) bits = wordTable.bits[id] = spellingBits(text, coster, table, rarity);
      if (wordTable.pass[id] !== pass) {
        // First mention: the counting pass left the total in `seen`.
        mentions = wordTable.seen[id]!;
        wordTable.pass[id] = pass;
        wordTable.seen[id] = 0;
      }
      occurrence = wordTable.seen[id] = wordTable.seen[id]! + 1;
    } else {
      bits = spellingBits(text, coster, table, rarity);
      occurrence = (seen.get(text) ?? 0) + 1;
      seen.set(text, occurrence);
      if (occurrence === 1) mentions = seenTotal.get(text)!;
    }
    if (adjust) bits += adjust[i]!;
    if (occurrence > 1) bits -= BONUS.repeat * Math.log2(occurrence);
    else if (mentions > 1 && !isFunctionWord(text)) bits += BONUS.topic + BONUS.topicPerDoubling * Math.log2(mentions);
    const sentenceStart = !previousContent || previousContent.sentence !== piece.sentence || previousContent.line !== piece.line;
    // A capitalised word inside a sentence is probably a name (acronyms are in spellingBits).
    if (!sentenceStart && startsWithCapital(text) && !ACRONYM.test(text)) bits += BONUS.name;
    if (piece.context === 'heading') bits += BONUS.heading;
    else if (piece.context === 'table') bits += BONUS.tableCell;
    else if (openingSentence < 0) openingSentence = piece.sentence;
    // (Not its function words: "are task tracker" reads worse than "task tracker".)
    if (piece.sentence === openingSentence) {
      if (!isFunctionWord(text)) bits += BONUS.openingSentence;
    }
    else if (piece.line === 0) bits += BONUS.openingLine;
    if (emphasized) bits += BONUS.emphasis;
    if (labels[i] === 1 && !isFunctionWord(text)) bits += BONUS.label;
    if (sentenceStart && piece.context === 'list') bits += BONUS.listLead;
    // The unit or counted noun right after a number ("30 days", 一百五十字): the number alone says less.
    const before = pieces[i - 1];
    if (before?.kind === 'protected' && before.protectedKind === 'number' && before.line === piece.line && piece.lead.length <= 1) bits += BONUS.numberUnit;
    bits += BONUS.position * (1 - i / total);
    scores[i] = bits;
    previousContent = piece;
    if (piece.sentence !== lastSentence || markupSinceWord) {
      clause++;
      lastSentence = piece.sentence;
      if (orderedPending) orderedClauses.add(clause);
      markupSinceWord = false;
      orderedPending = false;
    }
    words.push(i);
    wordClause.push(clause);
  }
  addOpeningPosition(scores, pieces, words, openingSentence);
  // Noun phrases go or stay whole: each scores as its best word.
  const phrases = nounPhrases(pieces, words, wordIds, wordTable);
  const phraseOf = new Int32Array(total).fill(-1);
  for (let p = 0; p < phrases.length; p++) {
    for (const member of phrases[p]!) phraseOf[member] = p;
    levelPhrase(scores, phrases[p]!);
  }
  const groups = new Map<number, UnitObject>();
  const classesOf = (index: number): number => pieceClasses(pieces[index]!, wordIds[index]!, wordTable);
  const grouped = new Uint8Array(phrases.length);
  // The best words of each clause go last, together (or stay, see keepLast).
  for (let start = 0; start < words.length; ) {
    let end = start + 1;
    while (end < words.length && wordClause[end] === wordClause[start]) end++;
    addClauseRanks(scores, words, start, end);
    // Rank bits split a phrase's words: level them again (a phrase lies within one clause).
    for (let k = start; k < end; k++) {
      const p = phraseOf[words[k]!]!;
      if (p >= 0 && phrases[p]![0] === words[k]) levelPhrase(scores, phrases[p]!);
    }
    // ranked: the clause's words, best first.
    const best = ranked[0]!;
    const holdsProtected = sentencesWithProtected.has(pieces[best]!.sentence);
    const late = orderedClauses.has(wordClause[start]!);
    const context = pieces[best]!.context;
    const header = context === 'table' && headerLines.has(pieces[best]!.line);
    const kind: KeeperKind =
      context === 'heading' || isTitleLine(pieces, words, start, end) ? 'heading' : header ? 'header' : holdsProtected ? 'protected' : late ? 'late' : 'plain';
    if (kind === 'heading' && end - start <= TITLE_WORDS) {
      // A short heading is a name: its words go together, after every other clause's
      // ("STEP 2 — Design Decision Log", not "2 Log"); a Markdown heading's best word stays.
      const members: number[] = [];
      for (let k = start; k < end; k++) if (words[k] !== best || context !== 'heading') members.push(words[k]!);
      if (members.length > 0) {
        const rank = scores[best]! + KEEPER_BONUS.header;
        for (const member of members) scores[member] = Number.NaN;
        scores[members[0]!] = rank;
        for (const member of members) if (phraseOf[member]! >= 0) grouped[phraseOf[member]!] = 1;
        groups.set(members[0]!, { category: 'whole-clause', pieces: members });
      }
      if (context === 'heading') scores[best] = Number.NaN;
      start = end;
      continue;
    }
    if (pieces[best]!.sentence === openingSentence) {
      // The opening sentence (the role, as a rule) keeps a few words (and their phrases), not one.
      const keepers = new Set<number>();
      for (let r = 0, units = 0; r < ranked.length && units < OPENING_KEEPERS; r++) {
        if (keepers.has(ranked[r]!) || (r > 0 && isFunctionWord(pieces[ranked[r]!]!.text))) continue;
        const p = phraseOf[ranked[r]!]!;
        for (const member of p >= 0 ? phrases[p]! : [ranked[r]!]) keepers.add(member);
        units++;
      }
      // The best of them goes after every numbered item's; the rest before.
      for (const keeper of keepers) keepLast(scores, keeper, kind !== 'plain' ? kind : keeper === best ? 'opening' : 'late');
    } else {
      // A clause of function words alone ("You will:") has no word worth keeping to the end
      // (next to a constraint, "do" in "do not write" is).
      if (kind !== 'plain' || !isFunctionWord(pieces[best]!.text)) keepLast(scores, best, kind);
      // A clause holding protected content keeps its best word longest, on its own: it says
      // what the code or number is for ("- shipping (`lookup_order`)"), and the clause never
      // goes whole.
      if (kind !== 'heading' && kind !== 'header' && kind !== 'protected' && ranked.length >= 2) {
        const members = keyPhrase(pieces, scores, words, start, end, phrases, phraseOf, classesOf, kind);
        for (const member of members) if (phraseOf[member]! >= 0) grouped[phraseOf[member]!] = 1;
        groups.set(members[0]!, { category: 'whole-clause', pieces: members });
      }
    }
    start = end;
  }
  // The other phrases are one unit each, ranked by their (levelled) score.
  for (let p = 0; p < phrases.length; p++) {
    const members = phrases[p]!;
    if (grouped[p] || members.some((member) => Number.isNaN(scores[member]!))) continue;
    // Ranked by its best word after keepLast (which may have raised one of them).
    let rank = Number.NEGATIVE_INFINITY;
    for (const member of members) rank = Math.max(rank, scores[member]!);
    for (let k = 1; k < members.length; k++) scores[members[k]!] = Number.NaN;
    scores[members[0]!] = rank;
    groups.set(members[0]!, { category: 'low-information-word', pieces: members });
  }
  return { scores, groups };
}

/** Every word of a phrase scores as its best one. */
function levelPhrase(scores: Float64Array, members: readonly number[]): void {
  let best = -Infinity;
  for (const member of members) best = Math.max(best, scores[member]!);
  for (const member of members) scores[member] = best;
}

/** Headings (and title lines) of at most this many words keep them all. */
const TITLE_WORDS = 6;
const TITLE_WORD = /^[\p{Lu}\p{N}]/u;

/**
 * A line that is a title without Markdown's "#": one clause alone on its line, at most
 * TITLE_WORDS words, each Capitalised or in capitals (or a number), no sign that ends a
 * sentence ("STEP 2 — Design Decision Log", "Output Format").
 */
function isTitleLine(pieces: readonly Piece[], words: readonly number[], start: number, end: number): boolean {
  if (end - start > TITLE_WORDS || pieces[words[start]!]!.context !== 'body') return false;
  const line = pieces[words[start]!]!.line;
  let first = words[start]!;
  while (first > 0 && pieces[first - 1]!.line === line) first--;
  for (let i = first; i < pieces.length && pieces[i]!.line === line; i++) {
    const piece = pieces[i]!;
    if (piece.kind === 'word' && !TITLE_WORD.test(piece.text)) return false;
    if (piece.kind === 'punct' && (SENTENCE_ENDS.has(piece.text) || piece.text === ',' || piece.text === ':')) return false;
    if (piece.kind === 'word' && (i < words[start]! || i > words[end - 1]!)) return false;
  }
  return true;
}

/** Words a clause keeps to the end, with its best one (ranked[0]), at least. */
const KEY_PHRASE_WORDS = 2;

/**
 * The clause's key phrase. A clause that opens with a verb (an instruction: "Retrieve
 * current weather conditions for the city") keeps the verb with its object, the first
 * noun phrase after it, and its best word; any other keeps its best words (ranked, best
 * first). Noun phrases come whole, and the clause's signs between its first and last
 * word come too, so that dropping the key phrase leaves no dangling comma. The key
 * phrase is ranked by the clause's best word, just after it.
 */
function keyPhrase(
  pieces: readonly Piece[],
  scores: Float64Array,
  words: readonly number[],
  start: number,
  end: number,
  phrases: readonly number[][],
  phraseOf: Int32Array,
  classesOf: (index: number) => number,
  kind: KeeperKind,
): number[] {
  const best = ranked[0]!;
  const members: number[] = [];
  const add = (index: number): void => {
    const p = phraseOf[index]!;
    for (const member of p >= 0 ? phrases[p]! : [index]) if (!members.includes(member)) members.push(member);
  };
  const opening = words[start]!;
  const openingClasses = classesOf(opening);
  if ((openingClasses & NOT_PHRASE_WORD) === 0 && phraseOf[opening]! < 0 && readsAsVerb(pieces, opening, openingClasses)) {
    for (let k = start + 1; k < end; k++) {
      const word = words[k]!;
      const classes = classesOf(word);
      if ((classes & NOUN) === 0 || (classes & NOT_PHRASE_WORD) !== 0) continue;
      add(opening);
      add(word);
      break;
    }
  }
  if (members.length === 0) {
    for (let r = 0; r < ranked.length && members.length < KEY_PHRASE_WORDS; r++) add(ranked[r]!);
  } else {
    // And the clause's best word; where that is the object, the next best too.
    for (let r = 0; r < ranked.length && (r === 0 || members.length < KEY_PHRASE_WORDS + 1); r++) add(ranked[r]!);
  }
  // The phrase ranks just above the clause's best word (which it holds, or which goes just before it).
  const rank = scores[best]! + KEY_PHRASE_RANK_STEP;
  for (const member of members) scores[member] = Number.NaN;
  members.sort((a, b) => a - b);
  scores[members[0]!] = rank;
  const first = words[start]!;
  const last = words[end - 1]!;
  for (let i = first + 1; i < last; i++) {
    if (pieces[i]!.kind === 'punct' && !Number.isNaN(scores[i]!)) members.push(i);
  }
  // The sign that ends the clause goes with it ("。" left alone at the head of a line),
  // unless protected content in it stays.
  const after = pieces[last + 1];
  if (after?.kind === 'punct' && SENTENCE_ENDS.has(after.text) && (!Number.isNaN(scores[last + 1]!) || (kind === 'plain' && FULL_WIDTH_ENDS.has(after.text)))) {
    members.push(last + 1);
  }
  return members;
}

/** How far above the clause's best word its key phrase ranks. */
const KEY_PHRASE_RANK_STEP = 0.5;

const MAX_LABEL_WORDS = 3;

/** 1 for the words of a short label that opens a line and ends with a colon. */
function lineLabels(pieces: readonly Piece[]): Uint8Array {
  const labels = new Uint8Array(pieces.length);
  let lineStart = true;
  for (let i = 0; i < pieces.length; i++) {
    const kind = pieces[i]!.kind;
    if (kind === 'newline' || kind === 'markup') {
      lineStart = true;
      continue;
    }
    if (!lineStart || kind === 'indent' || kind === 'space') continue;
    lineStart = false;
    // Up to three words (emphasis marks around them allowed), then ':'.
    let end = i;
    let count = 0;
    while (end < pieces.length && count <= MAX_LABEL_WORDS) {
      const piece = pieces[end]!;
      if (piece.kind === 'word') count++;
      else if (!(piece.kind === 'punct' && (piece.text === '*' || piece.text === '_'))) break;
      end++;
    }
    const after = pieces[end];
    if (count === 0 || count > MAX_LABEL_WORDS || !after || after.kind !== 'punct' || (after.text !== ':' && after.text !== '：')) continue;
    for (let k = i; k < end; k++) if (pieces[k]!.kind === 'word') labels[k] = 1;
  }
  return labels;
}

/** The opening sentence's words get more the earlier they come. */
function addOpeningPosition(scores: Float64Array, pieces: readonly Piece[], words: readonly number[], sentence: number): void {
  let start = 0;
  while (start < words.length && pieces[words[start]!]!.sentence !== sentence) start++;
  let end = start;
  while (end < words.length && pieces[words[end]!]!.sentence === sentence) end++;
  const n = end - start;
  for (let k = start; k < end; k++) if (!isFunctionWord(pieces[words[k]!]!.text)) scores[words[k]!]! += BONUS.openingSentenceEarly * (1 - (k - start) / n);
}

/** Adds CLAUSE_RANK_BITS x (1 - rank quantile) to each word of words[start, end), one clause. */
const ranked: number[] = [];
function addClauseRanks(scores: Float64Array, words: readonly number[], start: number, end: number): void {
  ranked.length = 0;
  for (let k = start; k < end; k++) ranked.push(words[k]!);
  // Best first; ties: earlier first (a stable sort keeps source order).
  if (ranked.length <= INSERTION_SORT_MAX) sortBestFirst(ranked, scores);
  else ranked.sort((a, b) => scores[b]! - scores[a]!);
  const n = ranked.length;
  for (let r = 0; r < n; r++) scores[ranked[r]!]! += CLAUSE_RANK_BITS * (1 - (r + 0.5) / n);
}

const INSERTION_SORT_MAX = 32;

/** A stable insertion sort, best score first: the order ranked.sort(...) gives, without its allocations. */
function sortBestFirst(indices: number[], scores: Float64Array): void {
  for (let k = 1; k < indices.length; k++) {
    const index = indices[k]!;
    const score = scores[index]!;
    let j = k - 1;
    while (j >= 0 && scores[indices[j]!]! < score) {
      indices[j + 1] = indices[j]!;
      j--;
    }
    indices[j + 1] = index;
  }
}

/**
 * The keeper of a clause goes late; that of a heading stays (its score becomes NaN): a
 * heading never loses its line. The opening sentence's keepers (the role) and those of
 * numbered items go after every plain clause's; those of a sentence holding protected
 * content after those (its words say what the code or number is for: "- (`lookup_order`)"
 * says nothing), and that of a table header cell last: a column's name is what makes
 * sense of its cells.
 */
function keepLast(scores: Float64Array, index: number, kind: KeeperKind): void {
  if (kind === 'heading') scores[index] = Number.NaN;
  else scores[index] = scores[index]! + KEEPER_BONUS[kind];
}

type KeeperKind = 'heading' | 'header' | 'protected' | 'late' | 'opening' | 'plain';
const KEEPER_BONUS: Readonly<Record<Exclude<KeeperKind, 'heading'>, number>> = {
  header: 3 * LINE_KEEPER_BONUS,
  protected: 2 * LINE_KEEPER_BONUS,
  late: 2 * LINE_KEEPER_BONUS,
  opening: 2.5 * LINE_KEEPER_BONUS,
  plain: KEY_PHRASE_BONUS,
};

/** Length of the run of the same mark, written without spaces, that piece `i` is in. */
function decorationRunLength(pieces: readonly Piece[], i: number): number {
  const text = pieces[i]!.text;
  let start = i;
  while (start > 0 && pieces[start]!.lead === '' && pieces[start - 1]!.kind === 'punct' && pieces[start - 1]!.text === text) start--;
  let end = i + 1;
  while (end < pieces.length && pieces[end]!.lead === '' && pieces[end]!.kind === 'punct' && pieces[end]!.text === text) end++;
  return end - start;
}

/** Lines that are a table's header row: the line just above a separator row (|---|---|). */
function tableHeaderLines(pieces: readonly Piece[]): Set<number> {
  const lines = new Set<number>();
  for (const piece of pieces) if (isTableSeparator(piece)) lines.add(piece.line - 1);
  return lines;
}

/**
 * What the end of a constraint's sentence adds to its sign's bits: above the words of a
 * clause, below the keepers of late clauses (LINE_KEEPER_BONUS).
 */
const CONSTRAINT_END_BONUS = LINE_KEEPER_BONUS;
/** Full-width signs that end a sentence in scripts written without spaces. */
const FULL_WIDTH_ENDS: ReadonlySet<string> = new Set(['。', '！', '？', '；']);
/** Signs that end a sentence (a constraint's end goes late: see scorePieces). */
const SENTENCE_ENDS: ReadonlySet<string> = new Set(['.', '!', '?', ';', '。', '！', '？', '；']);


/** Longest run of glued signs looked at on each side (longer runs are decoration). */
const OPERATOR_REACH = 4;

/**
 * A sign in a run of glued signs holding '<' or '>' ("->", "<-", "=>", "-->", ">=") or
 * '!' with '=' ("!="): an arrow or a comparison, whose meaning changes when one of its
 * signs goes ("->" to ">", "!=" to "=").
 */
function isOperatorSign(pieces: readonly Piece[], i: number): boolean {
  if (!OPERATOR_SIGNS.has(pieces[i]!.text)) return false;
  let start = i;
  while (start > 0 && i - start < OPERATOR_REACH && pieces[start]!.lead === '' && isOperatorPiece(pieces[start - 1]!)) start--;
  let end = i;
  while (end + 1 < pieces.length && end - i < OPERATOR_REACH && pieces[end + 1]!.lead === '' && isOperatorPiece(pieces[end + 1]!)) end++;
  if (start === end) return false;
  let bang = false;
  let equals = false;
  for (let k = start; k <= end; k++) {
    const text = pieces[k]!.text;
    if (text === '<' || text === '>') return true;
    if (text === '!') bang = true;
    else if (text === '=') equals = true;
  }
  return bang && equals;
}

function isOperatorPiece(piece: Piece): boolean {
  return piece.kind === 'punct' && OPERATOR_SIGNS.has(piece.text);
}

function isGlued(piece: Piece | undefined): boolean {
  return !!piece && piece.kind !== 'space' && piece.kind !== 'newline' && piece.kind !== 'indent' && piece.kind !== 'markup';
}

/** A word, name or pictograph: what a sign after it belongs to. */
function isContent(piece: Piece | undefined): boolean {
  return !!piece && (piece.kind === 'word' || piece.kind === 'protected' || piece.kind === 'symbol');
}
