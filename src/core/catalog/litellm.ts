import type { TokenizerId } from '../tokens/tokenizer';
import type { ModelEntry } from './types';

/** The subset of a LiteLLM `model_prices_and_context_window.json` row that we read. */
interface LiteLlmRow {
  litellm_provider?: string;
  mode?: string;
  input_cost_per_token?: number;
  output_cost_per_token?: number;
  cache_read_input_token_cost?: number;
  max_input_tokens?: number;
  max_output_tokens?: number;
  max_tokens?: number;
  supports_vision?: boolean;
}

export interface LiteLlmImport {
  entries: ModelEntry[];
  /** Rows skipped and why (not a chat model, no prices...), for the log. */
  skipped: number;
}

const PER_MILLION = 1_000_000;
// Floating-point noise from per-token prices (2.5e-6 * 1e6 = 2.4999999999999996).
const roundPrice = (perToken: number) => Math.round(perToken * PER_MILLION * 1e6) / 1e6;

/**
 * Which tokenizer counts a model's tokens exactly, judged from its name. Only OpenAI
 * models have public tokenizers we ship; everything else is an estimate.
 */
export function exactTokenizerFor(modelName: string): TokenizerId | undefined {
  const name = modelName.toLowerCase().replace(/^(openai|azure)\//, '');
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|gpt-oss)/.test(name)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada-002)/.test(name)) return 'cl100k_base';
  return undefined;
}

/**
 * Converts a LiteLLM price file into catalog rows. Only chat/completion models with
 * both prices become rows; `estimateRatio` falls back to `ratioFor(provider)` so that a
 * Claude row loaded from LiteLLM is estimated the same way as the bundled Claude rows.
 */
export function importLiteLlm(
  json: unknown,
  source: string,
  asOf: string,
  ratioFor: (provider: string) => { ratio: number; basis: string } | undefined,
): LiteLlmImport {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error('not a LiteLLM price file: expected a JSON object keyed by model name');
  }
  const entries: ModelEntry[] = [];
  let skipped = 0;
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === 'sample_spec' || typeof value !== 'object' || value === null) {
      skipped++;
      continue;
    }
    const row = value as LiteLlmRow;
    const mode = row.mode ?? 'chat';
    const contextWindow = row.max_input_tokens ?? row.max_tokens;
    if (
      (mode !== 'chat' && mode !== 'completion' && mode !== 'responses') ||
      typeof row.input_cost_per_token !== 'number' ||
      typeof row.output_cost_per_token !== 'number' ||
      typeof contextWindow !== 'number' ||
      contextWindow <= 0
    ) {
      skipped++;
      continue;
    }
    const provider = row.litellm_provider ?? 'unknown';
    const exact = exactTokenizerFor(name);
    const entry: ModelEntry = {
      id: name,
      name,
      provider,
      tokenizer: exact ?? 'o200k_base',
      tokenizerExact: exact !== undefined,
      inputPerMTok: roundPrice(row.input_cost_per_token),
      cachedInputPerMTok:
        typeof row.cache_read_input_token_cost === 'number' ? roundPrice(row.cache_read_input_token_cost) : null,
      outputPerMTok: roundPrice(row.output_cost_per_token),
      contextWindow: Math.round(contextWindow),
      maxOutputTokens: Math.round(row.max_output_tokens ?? row.max_tokens ?? contextWindow),
      vision: row.supports_vision === true,
      source,
      asOf,
      origin: 'litellm',
    };
    if (!exact) {
      const estimate = ratioFor(provider);
      entry.estimateRatio = estimate?.ratio ?? 1;
      entry.estimateBasis = estimate?.basis ?? 'no measurement for this provider: o200k_base count used as is';
    }
    entries.push(entry);
  }
  return { entries, skipped };
}
