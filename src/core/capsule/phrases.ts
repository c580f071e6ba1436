/**
 * Noun phrases that go or stay whole ("customer support agent", "full credit card
 * number", "current weather conditions"): dropping one of their words changes what the
 * rest names ("credit" alone, "loss goals"). Found with a part-of-speech lookup
 * (data/word-classes.json, from en-lexicon), not a tagger: a run of adjacent words that
 * can be nouns or adjectives, ending in one that can be a noun. See
 * scripts/dev/build-word-classes.mjs for why a lookup.
 */
import { FUNCTION_WORDS, NO_SPACE_SCRIPT } from './word-lists';
import type { WordTable } from './token-costs';
import type { Piece } from './types';

/** Bits of a word's class mask (as scripts/dev/build-word-classes.mjs writes them). */
export const NOUN = 1;
export const ADJECTIVE = 2;
export const VERB = 4;
/** The word is most often a verb (the lexicon lists a verb tag first). */
export const MOSTLY_VERB = 32;
/** A function word, or a segment of a script written without spaces: never in a phrase. */
export const NOT_PHRASE_WORD = 64;

/** Words in a phrase at most: a longer run is more likely a tagging slip than one name. */
export const MAX_PHRASE_WORDS = 4;

/** Words after which a word that can be a verb is one ("to use", "you should review"). */
const VERB_CUES: ReadonlySet<string> = new Set([
  'to', 'will', 'would', 'should', 'must', 'can', 'could', 'may', 'might', 'shall', 'please',
  'you', 'we', 'i', 'they', "don't", 'never',
]);
/** Words after which a word is a verb only if it is most often one ("and keep", not "or full"). */
const WEAK_VERB_CUES: ReadonlySet<string> = new Set(['and', 'or', 'not', 'always', 'also', 'then']);

let classTable: Map<string, number> | undefined;

function wordClasses(): Map<string, number> {
  if (classTable) return classTable;
  const data = require('./data/word-classes.json') as { classes: Record<string, string> };
  classTable = new Map();
  for (const [mask, words] of Object.entries(data.classes)) {
    const bits = Number(mask);
    for (const word of words.split(' ')) classTable.set(word, bits);
  }
  return classTable;
}

/** The classes a word can take; a word the table lacks is read as a noun (names, terms). */
export function classMask(lower: string): number {
  return wordClasses().get(lower) ?? NOUN;
}

/** classMask for a piece, with NOT_PHRASE_WORD, memoised per word in the shared word table (id < 0: not memoised). */
export function pieceClasses(piece: Piece, id: number, table: WordTable): number {
  if (id < 0) return classesOfWord(piece.text);
  let mask = table.classes[id]!;
  if (mask < 0) mask = table.classes[id] = classesOfWord(piece.text);
  return mask;
}

function classesOfWord(text: string): number {
  const lower = text.toLowerCase();
  return classMask(lower) | (FUNCTION_WORDS.has(lower) || NO_SPACE_SCRIPT.test(text) ? NOT_PHRASE_WORD : 0);
}

/**
 * Whether a word that can be a verb is one here: at the start of a clause (an imperative:
 * "Use clear headings"), after "to", "you", "should" and the like, or after "and", "or"
 * when it is most often a verb ("and keep", but "or full credit card number").
 */
export function readsAsVerb(pieces: readonly Piece[], index: number, mask: number): boolean {
  if ((mask & VERB) === 0) return false;
  const piece = pieces[index]!;
  const previous = pieces[index - 1];
  // (A constraint's words are words: "or full credit card number" after "Never ask for ... or".)
  const isWord = previous?.kind === 'word' || previous?.protectedKind === 'constraint';
  if (!previous || !isWord || previous.sentence !== piece.sentence || previous.line !== piece.line) return true;
  const before = previous.text.toLowerCase();
  return VERB_CUES.has(before) || (WEAK_VERB_CUES.has(before) && (mask & MOSTLY_VERB) !== 0);
}

/**
 * The noun phrases among `words` (scored word pieces, in order): runs of 2 to
 * MAX_PHRASE_WORDS adjacent words on one line with nothing but a space between them,
 * each a content word that can be a noun or an adjective (a verb where the context says
 * so is not: a clause's first word, or after "to", "you", "should"...), the last one a
 * word that can be a noun. Each phrase lists its piece indices.
 */
export function nounPhrases(pieces: readonly Piece[], words: readonly number[], wordIds: Int32Array, table: WordTable): number[][] {
  const phrases: number[][] = [];
  let run: number[] = [];
  let runMasks: number[] = [];
  const emit = (indices: number[], masks: number[]): void => {
    // The head is the last word that can be a noun: trailing adjectives are not part of it.
    let end = indices.length;
    while (end > 0 && (masks[end - 1]! & NOUN) === 0) end--;
    if (end < 2) return;
    if (end <= MAX_PHRASE_WORDS) {
      phrases.push(indices.slice(0, end));
      return;
    }
    // Too long for one name: one word inside that can be a verb probably is one ("the
    // customer support assistant checks current weather conditions"). Split at the one
    // that leaves the most even halves (a verb ending in -s first: "checks", not "support").
    let split = -1;
    let splitCost = Infinity;
    for (let k = 1; k < end - 1; k++) {
      if ((masks[k]! & VERB) === 0) continue;
      const cost = Math.max(k, end - k - 1) - (pieces[indices[k]!]!.text.endsWith('s') ? 0.5 : 0);
      if (cost < splitCost) [split, splitCost] = [k, cost];
    }
    if (split < 0) return;
    emit(indices.slice(0, split), masks.slice(0, split));
    emit(indices.slice(split + 1, end), masks.slice(split + 1, end));
  };
  const close = (): void => {
    emit(run, runMasks);
    run = [];
    runMasks = [];
  };
  for (let k = 0; k < words.length; k++) {
    const index = words[k]!;
    const piece = pieces[index]!;
    const previous = pieces[index - 1];
    const adjacent =
      run.length > 0 && run[run.length - 1] === index - 1 && previous!.line === piece.line && previous!.sentence === piece.sentence && piece.lead !== '';
    if (!adjacent && run.length > 0) close();
    const mask = pieceClasses(piece, wordIds[index]!, table);
    if ((mask & NOT_PHRASE_WORD) !== 0) {
      if (run.length > 0) close();
      continue;
    }
    const nominal = (mask & (NOUN | ADJECTIVE)) !== 0 && !readsAsVerb(pieces, index, mask);
    if (!nominal) {
      if (run.length > 0) close();
      continue;
    }
    run.push(index);
    runMasks.push(mask);
  }
  if (run.length > 0) close();
  return phrases;
}
