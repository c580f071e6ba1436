/**
 * Token cost of each piece, estimated piece by piece with the real tokenizer. BPE
 * tokens attach a leading space to the word after it, so a piece is counted together
 * with the whitespace before it (its lead).
 * Counts of short strings are memoised: words repeat, within and across prompts.
 */
import { getTokenizer, type Tokenizer, type TokenizerId } from '../tokens/tokenizer';
import type { Piece } from './types';

const MEMO_LIMIT = 200_000;
const MEMO_MAX_LENGTH = 64;

/**
 * What the capsulator learns about a word, once per distinct spelling (across calls):
 * an open-addressing index over typed arrays, one entry id per word (ids stay put when
 * the table grows). A lookup hashes the word itself (FNV-1a) and touches no object.
 */
export class WordTable {
  /** tokens of ' ' + word; -1 until needed */
  afterSpace = new Int32Array(INITIAL_WORDS);
  /** self-information in bits; NaN until scored */
  bits = new Float64Array(INITIAL_WORDS);
  /** parts of speech the word can take (phrases.ts); -1 until needed */
  classes = new Int8Array(INITIAL_WORDS);
  /** the scoring pass that last saw the word, and how often it has seen it */
  pass = new Int32Array(INITIAL_WORDS);
  seen = new Int32Array(INITIAL_WORDS);
  private hashes = new Int32Array(INITIAL_WORDS);
  private texts: string[] = [];
  /** entry id + 1 by slot; 0 marks an empty slot */
  private index = new Int32Array(INITIAL_WORDS * 2);
  private mask = INITIAL_WORDS * 2 - 1;

  get size(): number {
    return this.texts.length;
  }

  /** The entry id of `word`, added (with nothing known yet) when new. */
  id(word: string): number {
    const hash = fnv(FNV_OFFSET, word);
    const index = this.index;
    const mask = this.mask;
    let slot = hash & mask;
    for (let entry = index[slot]!; entry !== 0; entry = index[slot]!) {
      if (this.hashes[entry - 1] === hash && this.texts[entry - 1] === word) return entry - 1;
      slot = (slot + 1) & mask;
    }
    const id = this.texts.length;
    if (id === this.hashes.length) this.growEntries();
    // A copy, not a view: the table outlives the prompt the word was sliced from.
    this.texts.push(detached(word));
    this.hashes[id] = hash;
    this.afterSpace[id] = -1;
    this.bits[id] = Number.NaN;
    this.classes[id] = -1;
    this.pass[id] = -1;
    this.seen[id] = 0;
    if ((id + 1) * 2 > mask + 1) this.growIndex();
    else index[slot] = id + 1;
    return id;
  }

  clear(): void {
    this.texts = [];
    this.index.fill(0);
  }

  private growEntries(): void {
    const capacity = this.hashes.length * 2;
    const grown = <T extends Int8Array | Int32Array | Float64Array>(old: T, fresh: T): T => {
      fresh.set(old);
      return fresh;
    };
    this.afterSpace = grown(this.afterSpace, new Int32Array(capacity));
    this.bits = grown(this.bits, new Float64Array(capacity));
    this.classes = grown(this.classes, new Int8Array(capacity));
    this.pass = grown(this.pass, new Int32Array(capacity));
    this.seen = grown(this.seen, new Int32Array(capacity));
    this.hashes = grown(this.hashes, new Int32Array(capacity));
  }

  /** Doubles the index and places every entry again (the new one included). */
  private growIndex(): void {
    this.index = new Int32Array(this.index.length * 2);
    this.mask = this.index.length - 1;
    for (let id = 0; id < this.texts.length; id++) {
      let slot = this.hashes[id]! & this.mask;
      while (this.index[slot] !== 0) slot = (slot + 1) & this.mask;
      this.index[slot] = id + 1;
    }
  }
}

const INITIAL_WORDS = 1 << 12;

interface Memo {
  words: WordTable;
  ids: Map<string, number[]>;
  /** counts of the ASCII characters; -1 until needed */
  chars: Int8Array;
}

const memos = new Map<TokenizerId, Memo>();

function memoFor(id: TokenizerId): Memo {
  let memo = memos.get(id);
  if (!memo) {
    memo = { words: new WordTable(), ids: new Map(), chars: new Int8Array(128).fill(-1) };
    memos.set(id, memo);
  }
  return memo;
}

export class TokenCoster {
  readonly tokenizer: Tokenizer;
  private readonly memo: Memo;
  /** Shared with LineCountCache: a piece's count is often a chunk the original's count already took. */
  private readonly table: ChunkTable;
  private longCounter: LineCountCache | undefined;

  constructor(id: TokenizerId) {
    this.tokenizer = getTokenizer(id);
    this.memo = memoFor(id);
    this.table = chunkTableFor(this.tokenizer);
    // Bound the memory between calls; within a call each word keeps one record, so
    // repeat counts (and the output) do not depend on what ran before.
    if (this.memo.words.size >= MEMO_LIMIT) this.memo.words.clear();
  }

  count(text: string): number {
    if (text.length === 0) return 0;
    // Long pieces (code fences, long placeholders) are counted chunk by chunk, from memory.
    if (text.length > MEMO_MAX_LENGTH) return (this.longCounter ??= new LineCountCache(this.tokenizer)).count(text);
    return this.table.countString(text);
  }

  /** count(char) for a one-character string (punctuation, line breaks), from a table. */
  countChar(char: string): number {
    const code = char.charCodeAt(0);
    if (code >= 128) return this.count(char);
    let n = this.memo.chars[code]!;
    if (n < 0) n = this.memo.chars[code] = this.tokenizer.count(char);
    return n;
  }

  /** The shared record of every word seen (see WordTable). */
  get words(): WordTable {
    return this.memo.words;
  }

  /** count(' ' + text), without building the string for short texts found in the table. */
  countAfterSpace(text: string): number {
    return text.length < MEMO_MAX_LENGTH ? this.table.countAfterSpace(text) : this.count(' ' + text);
  }

  /** Token ids of a short string (used as a frequency proxy). */
  ids(text: string): number[] {
    let ids = this.memo.ids.get(text);
    if (ids === undefined) {
      ids = this.tokenizer.encode(text);
      if (this.memo.ids.size >= MEMO_LIMIT) this.memo.ids.clear();
      this.memo.ids.set(text, ids);
    }
    return ids;
  }
}

/**
 * Estimated tokens of each piece with its lead (see the file comment). Word pieces
 * also get their entry in the coster's WordTable in `wordIds` (-1 for other pieces),
 * for the scorer.
 */
export function pieceCosts(pieces: readonly Piece[], coster: TokenCoster, wordIds: Int32Array): Float64Array {
  const costs = new Float64Array(pieces.length);
  const words = coster.words;
  wordIds.fill(-1);
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    const lead = piece.lead;
    if (piece.kind === 'word' && piece.text.length <= MEMO_MAX_LENGTH) {
      const id = words.id(piece.text);
      wordIds[i] = id;
      if (lead === ' ') {
        let n = words.afterSpace[id]!;
        if (n < 0) n = words.afterSpace[id] = coster.countAfterSpace(piece.text);
        costs[i] = n;
        continue;
      }
    }
    if (lead === '') costs[i] = piece.text.length === 1 ? coster.countChar(piece.text) : coster.count(piece.text);
    else costs[i] = lead === ' ' ? coster.countAfterSpace(piece.text) : coster.count(lead + piece.text);
  }
  return costs;
}

/**
 * Token counts of short strings (chunks of drafts, pieces, words) shared by every call
 * with the same tokenizer: words recur across prompts, and the panel's rate slider
 * compresses the same prompt again and again. An open-addressing table over typed
 * arrays, keyed by a 32-bit FNV-1a hash that callers compute as they scan (a lookup
 * needs no slice and no string hashing); the stored text settles collisions. No object
 * per entry besides its text. Bounded by the characters held (16M: about 32 MB of keys)
 * and the entries (1M: 16 MB of slots and as much of text references), then started
 * afresh. (Texts kept in one typed-array arena instead of strings made a full garbage
 * collection 40% shorter but warm lookups 20% slower: comparing in JavaScript loses to
 * the engine's native startsWith.)
 */
export class ChunkTable {
  /** Per slot: [hash, tokens] side by side (one cache line); tokens 0 marks an empty slot. */
  private slots = new Int32Array(2 << INITIAL_BITS);
  private texts: Array<string | undefined> = new Array<string | undefined>(1 << INITIAL_BITS).fill(undefined);
  private mask = (1 << INITIAL_BITS) - 1;
  private size = 0;
  private chars = 0;

  constructor(
    private readonly tokenizer: Tokenizer,
    /** Characters held before the table starts afresh. */
    private readonly maxChars = SHARED_CHUNK_CHARS,
  ) {}

  /** How many texts are held (for tests). */
  get entries(): number {
    return this.size;
  }

  /** Tokens of text[start, end), whose FNV-1a hash is `hash`; counted and stored on a miss. */
  count(text: string, start: number, end: number, hash: number): number {
    const found = this.lookup(hash, end - start, text, start, false);
    if (found !== 0) return found;
    const chunk = start === 0 && end === text.length ? text : text.slice(start, end);
    const tokens = this.tokenizer.count(chunk);
    this.insert(detached(chunk), hash, tokens);
    return tokens;
  }

  /** Tokens of `text` (a whole string). */
  countString(text: string): number {
    return this.count(text, 0, text.length, fnv(FNV_OFFSET, text));
  }

  /** Tokens of ' ' + text, without building the string unless it must be counted. */
  countAfterSpace(text: string): number {
    const hash = fnv(SPACE_HASH, text);
    const found = this.lookup(hash, text.length + 1, text, 0, true);
    if (found !== 0) return found;
    const spaced = ' ' + text;
    const tokens = this.tokenizer.count(spaced);
    this.insert(spaced, hash, tokens);
    return tokens;
  }

  /**
   * The stored tokens of a key with this hash and length, or 0 when absent. The key is
   * text[start, start + length), or with `afterSpace` ' ' + text (never built).
   */
  private lookup(hash: number, length: number, text: string, start: number, afterSpace: boolean): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const tokens = slots[2 * slot + 1]!;
      if (tokens === 0) return 0;
      if (slots[2 * slot] !== hash) continue;
      const stored = this.texts[slot]!;
      if (stored.length !== length) continue;
      if (afterSpace ? stored.charCodeAt(0) === 32 && stored.endsWith(text) : text.startsWith(stored, start)) return tokens;
    }
  }

  private insert(text: string, hash: number, tokens: number): void {
    // A non-empty text has at least one token; 0 could not be told from an empty slot.
    if (tokens === 0) return;
    // A text longer than the whole bound is counted each time, never stored.
    if (text.length > this.maxChars) return;
    if (this.chars + text.length > this.maxChars || this.size >= MAX_ENTRIES) this.reset(INITIAL_BITS);
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    this.place(text, hash, tokens);
    this.size++;
    this.chars += text.length;
  }

  private place(text: string, hash: number, tokens: number): void {
    const mask = this.mask;
    let slot = hash & mask;
    while (this.slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
    this.slots[2 * slot] = hash;
    this.slots[2 * slot + 1] = tokens;
    this.texts[slot] = text;
  }

  private grow(): void {
    const { slots, texts, size, chars } = this;
    this.reset(Math.log2(this.mask + 1) + 1);
    for (let k = 0; k < texts.length; k++) if (slots[2 * k + 1] !== 0) this.place(texts[k]!, slots[2 * k]!, slots[2 * k + 1]!);
    this.size = size;
    this.chars = chars;
  }

  private reset(bits: number): void {
    this.slots = new Int32Array(2 << bits);
    this.texts = new Array<string | undefined>(1 << bits).fill(undefined);
    this.mask = (1 << bits) - 1;
    this.size = 0;
    this.chars = 0;
  }
}

const MAX_ENTRIES = 1 << 20;
const INITIAL_BITS = 12;
const chunkTables = new Map<TokenizerId, ChunkTable>();

/**
 * Drops every count and word record kept between calls (rebuilt on demand). Frees
 * their memory; the benchmark also uses it to time prompts the capsulator has not seen
 * in a process that has already run.
 */
export function forgetSharedMemos(): void {
  chunkTables.clear();
  memos.clear();
}

/** The chunk table shared by every call with this tokenizer. */
export function chunkTableFor(tokenizer: Tokenizer): ChunkTable {
  let table = chunkTables.get(tokenizer.id);
  if (!table) {
    table = new ChunkTable(tokenizer);
    chunkTables.set(tokenizer.id, table);
  }
  return table;
}

const SHARED_CHUNK_CHARS = 16_000_000;
const SHARED_CHUNK_MAX_LENGTH = 65_536;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const SPACE_HASH = Math.imul(FNV_OFFSET ^ 32, FNV_PRIME);

function fnv(seed: number, text: string): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash;
}

/**
 * A copy of `chunk` that does not keep the whole prompt alive: V8 makes a slice of 13 or
 * more characters a view into its parent, and the shared table outlives the call.
 */
function detached(chunk: string): string {
  // Slicing a fresh concatenation flattens it into a new string: a copy of the chunk
  // plus one character, where Array.from(chunk).join('') builds a string per character.
  return chunk.length < 13 ? chunk : (' ' + chunk).slice(1);
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** ASCII punctuation and symbols: [^\s\p{L}\p{N}] within ASCII. */
function isAsciiSign(c: number): boolean {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

const LETTER = /^\p{L}/u;

/** A letter (any script) at text[i]. */
function startsWithLetter(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return isAsciiLetter(c);
  // Only a letter of the Basic Multilingual Plane: a surrogate is left uncut.
  return c < 0xd800 || c > 0xdfff ? LETTER.test(text[i]!) : false;
}

/** `\s` of the pre-tokenizer regexes (JavaScript's, the same set): a line break followed by one of these may not be cut after. */
function isWhitespaceCode(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Exact counts of successive versions of one text, counting it in chunks cut where the
 * o200k/cl100k pre-tokenizers always cut, so counts add up exactly: BPE never merges
 * across a pre-token boundary. Three cuts are safe:
 * - before a space followed by a letter (after a non-space): the word pattern takes
 *   that space as its prefix, and no pattern ending before it can take it;
 * - before an ASCII letter after two ASCII signs, or a space and a sign (`{"role`,
 *   `","name`, ` "value`): the punctuation pattern ` ?[^\s\p{L}\p{N}]+` takes the
 *   whole run of signs, so the last sign cannot become the letter's prefix. Not after
 *   a tab, a line break or '/': o200k's run may end with `[\r\n/]*`, and a sign after
 *   that starts a new pre-token, which may take the letter ("\n/[Bß" is "\n/", "[Bß");
 * - after a line break, unless whitespace or '/' follows (the punctuation pattern
 *   ` ?[^\s\p{L}\p{N}]+[\r\n/]*` joins a break with a following '/').
 * Chunks are mostly one word with its space (or its quote, in minified JSON), so
 * drafts that share words with the original (and prompts that share words with each
 * other) are counted from memory.
 */
export class LineCountCache {
  private readonly memo = new Map<string, number>();
  private readonly table: ChunkTable;

  constructor(private readonly tokenizer: Tokenizer) {
    this.table = chunkTableFor(tokenizer);
  }

  count(text: string): number {
    let total = 0;
    let start = 0;
    const length = text.length;
    if (length === 0) return 0;
    // FNV-1a over the current chunk, computed as the scan goes: a lookup needs no slice.
    let hash = Math.imul(FNV_OFFSET ^ text.charCodeAt(0), FNV_PRIME);
    let before = text.charCodeAt(0);
    let twoBefore = -1;
    for (let i = 1; i < length; i++) {
      const c = text.charCodeAt(i);
      let cut: boolean;
      if (c === 32) cut = !isWhitespaceCode(before) && startsWithLetter(text, i + 1);
      else if (isAsciiLetter(c)) cut = isAsciiSign(before) && (twoBefore === 32 || (isAsciiSign(twoBefore) && twoBefore !== 47));
      else cut = before === 10 && !isWhitespaceCode(c) && c !== 47;
      if (cut) {
        total += this.chunk(text, start, i, hash);
        start = i;
        hash = FNV_OFFSET;
      }
      hash = Math.imul(hash ^ c, FNV_PRIME);
      twoBefore = before;
      before = c;
    }
    return total + this.chunk(text, start, length, hash);
  }

  private chunk(text: string, start: number, end: number, hash: number): number {
    if (end - start > SHARED_CHUNK_MAX_LENGTH) {
      const chunk = text.slice(start, end);
      let n = this.memo.get(chunk);
      if (n === undefined) {
        n = this.tokenizer.count(chunk);
        this.memo.set(chunk, n);
      }
      return n;
    }
    return this.table.count(text, start, end, hash);
  }
}
