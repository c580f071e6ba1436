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
}

const memos = new Map<TokenizerId, Memo>();

function memoFor(id: TokenizerId): Memo {
  let memo = memos.get(id);
  if (!memo) {
    memo = { words: new Map(), counts: new Map(), afterSpace: new Map(), ids: new Map() };
    memos.set(id, memo);
  }
  return memo;
}

export class TokenCoster {
  readonly tokenizer: Tokenizer;
  private readonly memo: Memo;

  constructor(id: TokenizerId) {
    this.tokenizer = getTokenizer(id);
    this.memo = memoFor(id);
    // Bound the memory between calls; within a call each word keeps one record, so
    // repeat counts (and the output) do not depend on what ran before.
    if (this.memo.words.size >= MEMO_LIMIT) this.memo.words.clear();
  }

  count(text: string): number {
    if (text.length === 0) return 0;
    if (text.length > MEMO_MAX_LENGTH) return this.tokenizer.count(text);
    let n = this.memo.counts.get(text);
    if (n === undefined) {
      n = this.tokenizer.count(text);
      if (this.memo.counts.size >= MEMO_LIMIT) this.memo.counts.clear();
      this.memo.counts.set(text, n);
    }
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
    if (lead === '') costs[i] = coster.count(piece.text);
    else costs[i] = lead === ' ' ? coster.countAfterSpace(piece.text) : coster.count(lead + piece.text);
  }
  return costs;
}

/**
 * Exact counts of successive versions of one text, re-encoding only the lines that
 * changed. The o200k/cl100k pre-tokenizers never join a line break with the
 * character after it (whitespace and '/' excepted), so counts add up exactly over
 * chunks cut there.
 */
export class LineCountCache {
  private readonly memo = new Map<string, number>();

  constructor(private readonly tokenizer: Tokenizer) {}

  count(text: string): number {
    let total = 0;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', nl + 1)) {
      const next = text.charCodeAt(nl + 1);
      // Cut only before a character that starts a new pre-token: not whitespace, and
      // not '/', which o200k's punctuation rule (` ?[^\s\p{L}\p{N}]+[\r\n/]*`) joins on.
      if (Number.isNaN(next) || next === 32 || next === 9 || next === 13 || next === 10 || next === 160 || next === 0x3000 || next === 47) continue;
      total += this.chunk(text.slice(start, nl + 1));
      start = nl + 1;
    }
    if (start < text.length) total += this.chunk(start === 0 ? text : text.slice(start));
    return total;
  }

  private chunk(chunk: string): number {
    let n = this.memo.get(chunk);
    if (n === undefined) {
      n = this.tokenizer.count(chunk);
      this.memo.set(chunk, n);
    }
    return n;
  }
}
