/**
 * The coarse stages: sentences that repeat an earlier one (exactly or nearly), and
 * wordy or boilerplate phrases (data/filler-phrases.json). Each becomes a drop unit.
 */
import fillers from './data/filler-phrases.json';
import type { DropUnit, UnitObject } from './units';
import type { Piece } from './types';

const MIN_DUPLICATE_WORDS = 4;
const MIN_NEAR_DUPLICATE_WORDS = 6;
const NEAR_DUPLICATE_JACCARD = 0.8;
const BUCKET_LIMIT = 24;
const MINHASH_SEEDS = [0x9e3779b1, 0x85ebca6b, 0xc2b2ae35];

/** Pieces a sentence-level drop may remove: never structure, fences or keys. */
function isSentenceContent(piece: Piece): boolean {
  if (piece.kind === 'word' || piece.kind === 'punct' || piece.kind === 'symbol') return true;
  return piece.kind === 'protected' && piece.protectedKind !== 'code-fence' && piece.protectedKind !== 'json-key' && piece.protectedKind !== 'yaml-key';
}

interface Sentence {
  /** first and last piece index; its pieces are the sentence content between them */
  first: number;
  last: number;
  /** words as written (case matters: a cheap, conservative notion of "the same") */
  words: string[];
}

function collectSentences(pieces: readonly Piece[]): Sentence[] {
  const sentences: Sentence[] = [];
  let current: Sentence | undefined;
  let currentId = -1;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (!isSentenceContent(piece)) continue;
    if (piece.sentence !== currentId) {
      currentId = piece.sentence;
      current = { first: i, last: i, words: [] };
      sentences.push(current);
    }
    current!.last = i;
    if (piece.kind === 'word' || piece.kind === 'protected') current!.words.push(piece.text);
  }
  return sentences;
}

/** The sentence's pieces (its content between first and last). */
function sentencePieces(pieces: readonly Piece[], sentence: Sentence): number[] {
  const indices: number[] = [];
  for (let i = sentence.first; i <= sentence.last; i++) {
    const piece = pieces[i]!;
    if (piece.sentence === pieces[sentence.first]!.sentence && isSentenceContent(piece)) indices.push(i);
  }
  return indices;
}

function protectedTexts(pieces: readonly Piece[], sentence: Sentence): string[] {
  return sentencePieces(pieces, sentence)
    .filter((i) => pieces[i]!.kind === 'protected')
    .map((i) => pieces[i]!.text);
}

function hashWord(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** One of several hash functions over a word's base hash (for MinHash anchors). */
function rehash(h: number, seed: number): number {
  let x = Math.imul(h ^ seed, 0x85ebca6b);
  x ^= x >>> 13;
  return Math.imul(x, 0xc2b2ae35) >>> 0;
}

/** Jaccard similarity of the two sets >= NEAR_DUPLICATE_JACCARD. */
function nearlySame(a: Set<string>, b: Set<string>): boolean {
  // It cannot exceed smaller / larger: most pairs are ruled out by their sizes.
  if (Math.min(a.size, b.size) < NEAR_DUPLICATE_JACCARD * Math.max(a.size, b.size)) return false;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared) >= NEAR_DUPLICATE_JACCARD;
}

/** A key for the word sequence, folded from the words' hashes (a match is confirmed on the text). */
function hashSequence(wordHashes: readonly number[]): number {
  let h = 0x811c9dc5;
  for (let w = 0; w < wordHashes.length; w++) h = Math.imul(h ^ wordHashes[w]!, 0x01000193);
  return h;
}

/** Later sentences equal (or near-equal, Jaccard >= 0.8 over words) to an earlier one. */
export function duplicateSentenceUnits(pieces: readonly Piece[]): DropUnit[] {
  const sentences = collectSentences(pieces);
  // Sentences by a key over their words; a key match is confirmed on the words joined
  // with spaces (built only then).
  const exact = new Map<number, number[]>();
  // MinHash anchors as numbers: seed index * 2^32 + the least rehash.
  const buckets = new Map<number, number[]>();
  const wordSets: Array<Set<string> | undefined> = [];
  const units: DropUnit[] = [];
  for (let s = 0; s < sentences.length; s++) {
    const sentence = sentences[s]!;
    if (sentence.words.length < MIN_DUPLICATE_WORDS) continue;
    // Each word's characters are hashed once, for the sequence key and the MinHash below.
    const wordHashes = sentence.words.map(hashWord);
    const hash = hashSequence(wordHashes);
    const same = exact.get(hash);
    if (same !== undefined) {
      const key = sentence.words.join(' ');
      if (same.some((other) => sentences[other]!.words.join(' ') === key)) {
        units.push({ category: 'duplicate-sentence', pieces: withoutStrayBrackets(pieces, sentencePieces(pieces, sentence)) });
        continue;
      }
      same.push(s);
    } else exact.set(hash, [s]);
    // Fewer words than that cannot make enough distinct ones.
    if (sentence.words.length < MIN_NEAR_DUPLICATE_WORDS) continue;
    const set = new Set(sentence.words);
    if (set.size < MIN_NEAR_DUPLICATE_WORDS) continue;
    wordSets[s] = set;
    const anchors: number[] = [0, 0, 0];
    const least = [Infinity, Infinity, Infinity];
    // A repeated word cannot change a minimum: the words as they come, not the set.
    for (const h of wordHashes) {
      for (let n = 0; n < MINHASH_SEEDS.length; n++) {
        const r = rehash(h, MINHASH_SEEDS[n]!);
        if (r < least[n]!) least[n] = r;
      }
    }
    for (let n = 0; n < MINHASH_SEEDS.length; n++) anchors[n] = n * 2 ** 32 + least[n]!;
    let duplicateOf = -1;
    for (const anchor of anchors) {
      for (const other of buckets.get(anchor) ?? []) {
        if (nearlySame(set, wordSets[other]!) && coversProtected(pieces, sentences[other]!, sentence)) {
          duplicateOf = other;
          break;
        }
      }
      if (duplicateOf >= 0) break;
    }
    if (duplicateOf >= 0) {
      units.push({ category: 'duplicate-sentence', pieces: withoutStrayBrackets(pieces, sentencePieces(pieces, sentence)) });
      continue;
    }
    for (const anchor of anchors) {
      const bucket = buckets.get(anchor) ?? [];
      if (bucket.length < BUCKET_LIMIT) bucket.push(s);
      buckets.set(anchor, bucket);
    }
  }
  return units;
}

const BRACKETS = new Set(['(', ')', '[', ']', '{', '}', '（', '）']);

/** A sentence's pieces, less its brackets when they do not pair up within it. */
function withoutStrayBrackets(pieces: readonly Piece[], indices: number[]): number[] {
  let depth = 0;
  let unbalanced = false;
  for (const i of indices) {
    const text = pieces[i]!.text;
    if (pieces[i]!.kind !== 'punct' || !BRACKETS.has(text)) continue;
    depth += text === '(' || text === '[' || text === '{' || text === '（' ? 1 : -1;
    if (depth < 0) unbalanced = true;
  }
  if (!unbalanced && depth === 0) return indices;
  return indices.filter((i) => !(pieces[i]!.kind === 'punct' && BRACKETS.has(pieces[i]!.text)));
}

/** A near-duplicate may go only if every protected span it holds is kept elsewhere. */
function coversProtected(pieces: readonly Piece[], kept: Sentence, dropped: Sentence): boolean {
  const droppedTexts = protectedTexts(pieces, dropped);
  if (droppedTexts.length === 0) return true;
  const have = new Set(protectedTexts(pieces, kept));
  return droppedTexts.every((t) => have.has(t));
}

interface Phrase {
  words: string[];
  replacement: string;
}

const PHRASES_BY_FIRST_WORD = (() => {
  const map = new Map<string, Phrase[]>();
  for (const { phrase, replacement } of fillers.phrases) {
    const words = phrase.toLowerCase().split(' ');
    const list = map.get(words[0]!) ?? [];
    list.push({ words, replacement });
    map.set(words[0]!, list);
  }
  // Longest first, so "in order to" wins over a shorter phrase with the same start.
  for (const list of map.values()) list.sort((a, b) => b.words.length - a.words.length);
  return map;
})();

const LONGEST_FIRST_WORD = Math.max(...[...PHRASES_BY_FIRST_WORD.keys()].map((w) => w.length));
/**
 * A quick reject before lower-casing a word for the lookup: 1 at [length * 128 + first
 * code] for each first word starting with an ASCII character (lower-cased: an ASCII
 * capital is looked up as its small letter).
 */
const FIRST_WORD_SHAPES: Uint8Array = (() => {
  const shapes = new Uint8Array((LONGEST_FIRST_WORD + 1) * 128);
  for (const word of PHRASES_BY_FIRST_WORD.keys()) {
    const first = word.charCodeAt(0);
    if (first < 128) shapes[word.length * 128 + first] = 1;
  }
  return shapes;
})();

function mayStartPhrase(word: string): boolean {
  let first = word.charCodeAt(0);
  // Lower-casing can change the length only outside ASCII.
  if (first >= 128 || word.length > LONGEST_FIRST_WORD) return first >= 128;
  if (first >= 65 && first <= 90) first += 32;
  return FIRST_WORD_SHAPES[word.length * 128 + first] === 1;
}

/** text.toLowerCase() === key for an ASCII key, without building the lower-cased string. */
function equalsLowerCase(text: string, key: string): boolean {
  // Lower-casing keeps ASCII as long as it is and only lengthens other text, which then
  // holds non-ASCII characters: a different length can never match an ASCII key.
  if (text.length !== key.length) return false;
  for (let k = 0; k < text.length; k++) {
    let c = text.charCodeAt(k);
    if (c >= 128) return text.toLowerCase() === key;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== key.charCodeAt(k)) return false;
  }
  return true;
}

function matchPhrase(pieces: readonly Piece[], start: number, phrase: Phrase): number[] | undefined {
  // The first word matched already (it is the lookup key); check the others before
  // allocating anything.
  for (let w = 1; w < phrase.words.length; w++) {
    const piece = pieces[start + w];
    // Words of a phrase follow each other with whitespace between them.
    if (!piece || piece.kind !== 'word' || piece.lead === '' || !equalsLowerCase(piece.text, phrase.words[w]!)) return undefined;
  }
  const matched: number[] = [];
  for (let w = 0; w < phrase.words.length; w++) matched.push(start + w);
  return matched;
}

/** Filler and wordy phrases, each dropped or replaced by its short form. */
export function fillerPhraseUnits(pieces: readonly Piece[]): DropUnit[] {
  const units: DropUnit[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece.kind !== 'word' || !mayStartPhrase(piece.text)) continue;
    const candidates = PHRASES_BY_FIRST_WORD.get(piece.text.toLowerCase());
    if (!candidates) continue;
    for (const phrase of candidates) {
      const matched = matchPhrase(pieces, i, phrase);
      if (!matched) continue;
      const unit: UnitObject = { category: 'filler-phrase', pieces: matched };
      if (phrase.replacement) {
        const upper = /^\p{Lu}/u.test(piece.text);
        unit.replacement = upper ? phrase.replacement[0]!.toUpperCase() + phrase.replacement.slice(1) : phrase.replacement;
      }
      units.push(unit);
      i = matched[matched.length - 1]!;
      break;
    }
  }
  return units;
}
