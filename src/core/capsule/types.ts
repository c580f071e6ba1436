import type { TokenizerId } from '../tokens/tokenizer';

export interface CompressOptions {
  /** Fraction of tokens kept (LLMLingua's `rate`), in (0, 1]. Ignored when targetTokens is set. */
  rate?: number;
  /** Absolute token budget; wins over `rate`. */
  targetTokens?: number;
  /** Tokenizer the budget is counted with (default 'o200k_base'). */
  tokenizer?: TokenizerId;
}

export interface CapsuleReport {
  originalTokens: number;
  capsuleTokens: number;
  /** The rate asked for (targetTokens / originalTokens when a token target was given). */
  rateRequested: number;
  /** capsuleTokens / originalTokens (1 for an empty input). */
  rateReached: number;
  targetTokens: number;
  /** capsuleTokens <= targetTokens * 1.05. */
  withinBudget: boolean;
  /** Why the budget was missed, when it was. */
  budgetNote?: string;
  /** Content kept byte for byte, by kind; tokens counted span by span. */
  protected: Array<{ kind: string; count: number; tokens: number }>;
  /** What was removed, by category; tokens are estimates scaled to the exact totals. */
  dropped: Array<{ category: string; count: number; tokens: number }>;
  elapsedMs: number;
}

export interface CapsuleResult {
  capsule: string;
  report: CapsuleReport;
}

/** Something the caller can raise to stop a long compression (an AbortSignal fits). */
export interface AbortFlag {
  readonly aborted: boolean;
}

/**
 * One contiguous slice of the source text, with the inline whitespace before it. A
 * document is the concatenation of lead + text of its pieces, so rendering the kept
 * pieces can never cut inside a word or a character.
 */
export type PieceKind =
  /** a word (or CJK segment): the unit that importance scoring drops */
  | 'word'
  /** inline whitespace at the very end of the text (elsewhere it is a piece's `lead`) */
  | 'space'
  /** a line break (or an escaped one inside a JSON string) */
  | 'newline'
  /** leading indentation of a line: structure, always kept */
  | 'indent'
  /** punctuation; kept, except commas and the like left dangling by drops */
  | 'punct'
  /** emoji and other pictographs: decoration, dropped early */
  | 'symbol'
  /** Markdown/JSON/YAML syntax: list markers, heading marks, pipes, braces */
  | 'markup'
  /** a protected span, kept byte for byte */
  | 'protected';

export interface Piece {
  /** Inline whitespace just before the piece in the source ('' when none). */
  lead: string;
  text: string;
  kind: PieceKind;
  /** For kind 'protected': what it is (url, number, code-fence, constraint, ...). */
  protectedKind: string | undefined;
  line: number;
  sentence: number;
  /** Position context used by the importance score. */
  context: PieceContext;
}

export type PieceContext = 'body' | 'heading' | 'list' | 'table' | 'json-value' | 'yaml-value';

export type DocumentFormat = 'markdown' | 'json' | 'yaml';

export interface ParsedDocument {
  format: DocumentFormat;
  pieces: Piece[];
}
