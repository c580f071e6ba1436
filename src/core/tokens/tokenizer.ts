import { makeExactCounter } from './exact-count';

/**
 * Tokenizers the project can run exactly. Encodings are loaded on first use only:
 * each one is megabytes of BPE ranks, and nothing should pay for that at start-up.
 */
export type TokenizerId = 'o200k_base' | 'cl100k_base';

export const TOKENIZER_IDS: readonly TokenizerId[] = ['o200k_base', 'cl100k_base'];

export interface Tokenizer {
  readonly id: TokenizerId;
  /** Token ids of `text`. Special-token strings such as `<|endoftext|>` count as plain text. */
  encode(text: string): number[];
  decode(tokens: readonly number[]): string;
  count(text: string): number;
}

interface SpecialTokenOptions {
  disallowedSpecial?: Set<string>;
  allowedSpecial?: Set<string>;
}

interface GptTokenizerModule {
  encode(text: string, options?: SpecialTokenOptions): number[];
  countTokens(text: string, options?: SpecialTokenOptions): number;
  decode(tokens: Iterable<number>): string;
  /** The encoding object itself (its tables are read by makeExactCounter). */
  default?: unknown;
}

// A prompt is user text: a literal "<|endoftext|>" in it must be counted as the
// characters it is, never rejected or turned into a control token.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>(), allowedSpecial: new Set<string>() };

function loadModule(id: TokenizerId): GptTokenizerModule {
  // Literal require paths so bundlers can see (and lazily wrap) each encoding.
  switch (id) {
    case 'o200k_base':
      return require('gpt-tokenizer/encoding/o200k_base') as GptTokenizerModule;
    case 'cl100k_base':
      return require('gpt-tokenizer/encoding/cl100k_base') as GptTokenizerModule;
  }
}

const cache = new Map<TokenizerId, Tokenizer>();

export function isTokenizerId(value: unknown): value is TokenizerId {
  return typeof value === 'string' && (TOKENIZER_IDS as readonly string[]).includes(value);
}

export function getTokenizer(id: TokenizerId): Tokenizer {
  const cached = cache.get(id);
  if (cached) return cached;
  const mod = loadModule(id);
  // The exact counter when the encoding's tables are readable, the library's own otherwise.
  const countExactly = makeExactCounter(mod.default) ?? ((text: string) => mod.countTokens(text, PLAIN_TEXT));
  const tokenizer: Tokenizer = {
    id,
    encode: (text) => mod.encode(text, PLAIN_TEXT),
    decode: (tokens) => mod.decode(tokens),
    count: (text) => (text.length === 0 ? 0 : countExactly(text)),
  };
  cache.set(id, tokenizer);
  return tokenizer;
}
