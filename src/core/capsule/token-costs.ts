/**
 * Token cost of each piece, estimated piece by piece with the real tokenizer. BPE
 * tokens attach a leading space to the word after it, so a piece after a space is
 * counted together with that space; the space itself costs nothing on its own.
 * Counts of short strings are memoised: words repeat, within and across prompts.
 */
import { getTokenizer, type Tokenizer, type TokenizerId } from '../tokens/tokenizer';
import type { Piece } from './types';

const MEMO_LIMIT = 200_000;
const MEMO_MAX_LENGTH = 64;

interface Memo {
  counts: Map<string, number>;
  /** counts of ' ' + key: the common case, looked up without building the string */
  afterSpace: Map<string, number>;
  ids: Map<string, number[]>;
}

const memos = new Map<TokenizerId, Memo>();

function memoFor(id: TokenizerId): Memo {
  let memo = memos.get(id);
  if (!memo) {
    memo = { counts: new Map(), afterSpace: new Map(), ids: new Map() };
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

/** Estimated tokens of each piece (see the file comment); spaces cost 0. */
export function pieceCosts(pieces: readonly Piece[], coster: TokenCoster): Float64Array {
  const costs = new Float64Array(pieces.length);
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece.kind === 'space') continue;
    const before = i > 0 ? pieces[i - 1]! : undefined;
    if (before?.kind !== 'space') costs[i] = coster.count(piece.text);
    else costs[i] = before.text === ' ' ? coster.countAfterSpace(piece.text) : coster.count(before.text + piece.text);
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
