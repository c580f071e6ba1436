import type { TokenizerId } from '../tokens/tokenizer';

/** How a model counts the tokens of an image in the prompt. */
export type ImageTokenRule =
  /** OpenAI GPT-4o style: fit in 2048x2048, shortest side to 768, count 512 px tiles. */
  | { method: 'tiles'; baseTokens: number; tileTokens: number; tileSize: number; note?: string }
  /** Anthropic style: tokens = width * height / pixelsPerToken, after resizing to maxLongEdge. */
  | { method: 'pixels'; pixelsPerToken: number; maxLongEdge: number; note?: string }
  /** A fixed count per image (Gemini: 258 per image up to 384 px, more for tiles). */
  | { method: 'fixed'; tokensPerImage: number; note?: string };

/**
 * One row of the model catalog. Prices are USD per 1M tokens. Every row names the
 * page its figures come from and the day they were read, because prices change.
 */
export interface ModelEntry {
  id: string;
  name: string;
  provider: string;
  /** The tokenizer whose count is used for this model. */
  tokenizer: TokenizerId;
  /**
   * false when the model's own tokenizer is not available here: the count is then
   * `tokenizer`'s count times `estimateRatio`, and is labelled "estimate" wherever shown.
   */
  tokenizerExact: boolean;
  estimateRatio?: number;
  /** Where estimateRatio comes from (a measurement, a provider's rule of thumb). */
  estimateBasis?: string;
  inputPerMTok: number;
  cachedInputPerMTok: number | null;
  outputPerMTok: number;
  contextWindow: number;
  maxOutputTokens: number;
  vision: boolean;
  images?: ImageTokenRule;
  source: string;
  asOf: string;
  /** Where the row came from: the bundled catalog, a LiteLLM file, or the user's settings. */
  origin?: 'bundled' | 'litellm' | 'settings';
  notes?: string;
}

export interface ModelCatalogFile {
  /** Date the bundled table as a whole was last reviewed. */
  reviewed: string;
  models: ModelEntry[];
}
