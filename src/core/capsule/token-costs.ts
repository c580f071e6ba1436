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

/** What the capsulator learns about a word, once per distinct spelling (across calls). */
export interface WordFacts {
  /** tokens of ' ' + word; -1 until needed */
  afterSpace: number;
  /** self-information in bits; NaN until scored */
  bits: number;
  /** the scoring pass that last saw the word, and how often it has seen it */
  pass: number;
  seen: number;
}

interface Memo {
  words: Map<string, WordFacts>;
  counts: Map<string, number>;
  /** counts of ' ' + key: the common case, looked up without building the string */
  afterSpace: Map<string, number>;
  ids: Map<string, number[]>;
  /** counts of the ASCII characters; -1 until needed */
  chars: Int8Array;
}

const memos = new Map<TokenizerId, Memo>();

function memoFor(id: TokenizerId): Memo {
  let memo = memos.get(id);
  if (!memo) {
    memo = { words: new Map(), counts: new Map(), afterSpace: new Map(), ids: new Map(), chars: new Int8Array(128).fill(-1) };
    memos.set(id, memo);
  }
  return memo;
}

export class TokenCoster {
  readonly tokenizer: Tokenizer;
  private readonly memo: Memo;
  private longCounter: LineCountCache | undefined;

  constructor(id: TokenizerId) {
    this.tokenizer = getTokenizer(id);
    this.memo = memoFor(id);
    // Bound the memory between calls; within a call each word keeps one record, so
    // repeat counts (and the output) do not depend on what ran before.
    if (this.memo.words.size >= MEMO_LIMIT) this.memo.words.clear();
  }

  count(text: string): number {
    if (text.length === 0) return 0;
    // Long pieces (code fences, long placeholders) are counted chunk by chunk, from memory.
    if (text.length > MEMO_MAX_LENGTH) return (this.longCounter ??= new LineCountCache(this.tokenizer)).count(text);
    let n = this.memo.counts.get(text);
    if (n === undefined) {
      n = this.tokenizer.count(text);
      if (this.memo.counts.size >= MEMO_LIMIT) this.memo.counts.clear();
      this.memo.counts.set(text, n);
    }
    return n;
  }

  /** count(char) for a one-character string (punctuation, line breaks), from a table. */
  countChar(char: string): number {
    const code = char.charCodeAt(0);
    if (code >= 128) return this.count(char);
    let n = this.memo.chars[code]!;
    if (n < 0) n = this.memo.chars[code] = this.tokenizer.count(char);
    return n;
  }

  /** The shared record for a word (one Map lookup serves costing and scoring). */
  facts(word: string): WordFacts {
    let facts = this.memo.words.get(word);
    if (facts === undefined) {
      // Never cleared mid-call (see the constructor): one record per word per call.
      facts = { afterSpace: -1, bits: Number.NaN, pass: -1, seen: 0 };
      this.memo.words.set(word, facts);
    }
    return facts;
  }

  /** count(' ' + text), memoised by `text`. */
  countAfterSpace(text: string): number {
    let n = this.memo.afterSpace.get(text);
    if (n === undefined) {
      n = this.count(' ' + text);
      if (this.memo.afterSpace.size >= MEMO_LIMIT) this.memo.afterSpace.clear();
      if (text.length <= MEMO_MAX_LENGTH) this.memo.afterSpace.set(text, n);
    }
    return n;
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
 * also get their WordFacts in `facts`, for the scorer.
 */
export function pieceCosts(pieces: readonly Piece[], coster: TokenCoster, facts: Array<WordFacts | undefined>): Float64Array {
  const costs = new Float64Array(pieces.length);
  facts.length = pieces.length;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    const lead = piece.lead;
    if (piece.kind === 'word' && piece.text.length <= MEMO_MAX_LENGTH) {
      const word = coster.facts(piece.text);
      facts[i] = word;
      if (lead === ' ') {
        if (word.afterSpace < 0) word.afterSpace = coster.count(' ' + piece.text);
        costs[i] = word.afterSpace;
        continue;
      }
    }
    if (lead === '') costs[i] = piece.text.length === 1 ? coster.countChar(piece.text) : coster.count(piece.text);
    else costs[i] = lead === ' ' ? coster.countAfterSpace(piece.text) : coster.count(lead + piece.text);
  }
  return costs;
}

/**
 * Chunk counts shared by every call with the same tokenizer: words recur across
 * prompts, and the panel's rate slider compresses the same prompt again and again.
 * Bounded by the characters held (about 32 MB of keys), then started afresh.
 */
interface SharedChunks {
  /** by a 30-bit hash of the chunk; the text is kept to confirm a match */
  counts: Map<number, { text: string; tokens: number }>;
  chars: number;
}
const sharedChunkCounts = new Map<TokenizerId, SharedChunks>();
const SHARED_CHUNK_CHARS = 16_000_000;
const SHARED_CHUNK_MAX_LENGTH = 65_536;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * A copy of `chunk` that does not keep the whole prompt alive: V8 makes a slice of 13 or
 * more characters a view into its parent, and the shared table outlives the call.
 */
function detached(chunk: string): string {
  return chunk.length < 13 ? chunk : Array.from(chunk).join('');
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function isWhitespaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 160 || c === 0x3000;
}

/**
 * Exact counts of successive versions of one text, counting it in chunks cut where the
 * o200k/cl100k pre-tokenizers always cut, so counts add up exactly: BPE never merges
 * across a pre-token boundary. Two cuts are safe:
 * - before a space followed by an ASCII letter (after a non-space): the word pattern
 *   takes that space as its prefix, and no pattern ending before it can take it;
 * - after a line break, unless whitespace or '/' follows (the punctuation pattern
 *   ` ?[^\s\p{L}\p{N}]+[\r\n/]*` joins a break with a following '/').
 * Chunks are mostly one word with its space, so drafts that share words with the
 * original (and prompts that share words with each other) are counted from memory.
 */
export class LineCountCache {
  private readonly memo = new Map<string, number>();
  private readonly shared: SharedChunks;
  private readonly own = new Map<number, { text: string; tokens: number }>();

  constructor(private readonly tokenizer: Tokenizer) {
    let shared = sharedChunkCounts.get(tokenizer.id);
    if (!shared || shared.chars >= SHARED_CHUNK_CHARS) {
      shared = { counts: new Map(), chars: 0 };
      sharedChunkCounts.set(tokenizer.id, shared);
    }
    this.shared = shared;
  }

  count(text: string): number {
    let total = 0;
    let start = 0;
    const length = text.length;
    if (length === 0) return 0;
    // FNV-1a over the current chunk, computed as the scan goes: a lookup needs no slice.
    let hash = Math.imul(FNV_OFFSET ^ text.charCodeAt(0), FNV_PRIME);
    for (let i = 1; i < length; i++) {
      const c = text.charCodeAt(i);
      const before = text.charCodeAt(i - 1);
      let cut: boolean;
      if (c === 32) cut = !isWhitespaceCode(before) && isAsciiLetter(text.charCodeAt(i + 1));
      else cut = before === 10 && !isWhitespaceCode(c) && c !== 47;
      if (cut) {
        total += this.chunk(text, start, i, hash);
        start = i;
        hash = FNV_OFFSET;
      }
      hash = Math.imul(hash ^ c, FNV_PRIME);
    }
    return total + this.chunk(text, start, length, hash);
  }

  private chunk(text: string, start: number, end: number, hash: number): number {
    const size = end - start;
    if (size > SHARED_CHUNK_MAX_LENGTH) {
      const chunk = text.slice(start, end);
      let n = this.memo.get(chunk);
      if (n === undefined) {
        n = this.tokenizer.count(chunk);
        this.memo.set(chunk, n);
      }
      return n;
    }
    // A small integer key (V8 keeps it unboxed); the stored text settles collisions.
    const key = (hash ^ Math.imul(size, 0x9e3779b1)) >>> 2;
    // This text's own chunks first: a small table, where drafts find most of theirs.
    const own = this.own.get(key);
    if (own !== undefined && own.text.length === size && text.startsWith(own.text, start)) return own.tokens;
    let entry = this.shared.counts.get(key);
    if (entry === undefined || entry.text.length !== size || !text.startsWith(entry.text, start)) {
      const chunk = start === 0 && end === text.length ? text : text.slice(start, end);
      const fresh = { text: chunk, tokens: this.tokenizer.count(chunk) };
      if (entry === undefined) {
        this.shared.counts.set(key, { text: detached(chunk), tokens: fresh.tokens });
        this.shared.chars += size;
      }
      entry = fresh;
    }
    if (own === undefined) this.own.set(key, entry);
    return entry.tokens;
  }
}
