import { isTokenizerId } from '../tokens/tokenizer';
import type { ImageTokenRule, ModelEntry } from './types';

/** A row that failed validation, with every problem found, so the user can fix all at once. */
export interface RowProblem {
  id: string;
  problems: string[];
}

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkImages(value: unknown, problems: string[]): ImageTokenRule | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    problems.push('images must be an object');
    return undefined;
  }
  switch (value.method) {
    case 'tiles':
      if (isNonNegative(value.baseTokens) && isNonNegative(value.tileTokens) && isPositiveInt(value.tileSize)) {
        return value as unknown as ImageTokenRule;
      }
      break;
    case 'pixels':
      if (isNonNegative(value.pixelsPerToken) && value.pixelsPerToken > 0 && isPositiveInt(value.maxLongEdge)) {
        return value as unknown as ImageTokenRule;
      }
      break;
    case 'fixed':
      if (isNonNegative(value.tokensPerImage)) return value as unknown as ImageTokenRule;
      break;
  }
  problems.push(`images: unknown method or missing numbers (${JSON.stringify(value)})`);
  return undefined;
}

/**
 * Checks a complete catalog row (bundled, or added by the user). Returns the row or the
 * list of problems; never throws, because settings are user input.
 */
export function validateModelEntry(raw: unknown, origin: ModelEntry['origin']): ModelEntry | RowProblem {
  const problems: string[] = [];
  if (!isObject(raw)) return { id: '?', problems: ['a model row must be an object'] };
  const id = typeof raw.id === 'string' && raw.id.trim() ? raw.id.trim() : '';
  if (!id) problems.push('id must be a non-empty string');
  if (typeof raw.name !== 'string' || !raw.name) problems.push('name must be a non-empty string');
  if (typeof raw.provider !== 'string' || !raw.provider) problems.push('provider must be a non-empty string');
  const tokenizer = raw.tokenizer ?? 'o200k_base';
  if (!isTokenizerId(tokenizer)) problems.push(`tokenizer must be o200k_base or cl100k_base, got ${JSON.stringify(tokenizer)}`);
  const exact = raw.tokenizerExact ?? false;
  if (typeof exact !== 'boolean') problems.push('tokenizerExact must be true or false');
  const ratio = raw.estimateRatio ?? 1;
  if (!isNonNegative(ratio) || ratio === 0) problems.push('estimateRatio must be a positive number');
  for (const key of ['inputPerMTok', 'outputPerMTok'] as const) {
    if (!isNonNegative(raw[key])) problems.push(`${key} must be a number >= 0 (USD per 1M tokens)`);
  }
  const cached = raw.cachedInputPerMTok ?? null;
  if (cached !== null && !isNonNegative(cached)) problems.push('cachedInputPerMTok must be a number >= 0 or null');
  if (!isPositiveInt(raw.contextWindow)) problems.push('contextWindow must be a positive whole number of tokens');
  if (!isPositiveInt(raw.maxOutputTokens)) problems.push('maxOutputTokens must be a positive whole number of tokens');
  const vision = raw.vision ?? false;
  if (typeof vision !== 'boolean') problems.push('vision must be true or false');
  const images = checkImages(raw.images, problems);
  const source = typeof raw.source === 'string' ? raw.source : '';
  const asOf = typeof raw.asOf === 'string' ? raw.asOf : '';
  if (origin === 'bundled') {
    if (!/^https?:\/\//.test(source)) problems.push('source must be a URL');
    if (!DATE.test(asOf)) problems.push('asOf must be a YYYY-MM-DD date');
  } else if (asOf && !DATE.test(asOf)) {
    problems.push('asOf must be a YYYY-MM-DD date');
  }
  if (problems.length > 0) return { id: id || '?', problems };
  const entry: ModelEntry = {
    id,
    name: raw.name as string,
    provider: raw.provider as string,
    tokenizer: tokenizer as ModelEntry['tokenizer'],
    tokenizerExact: exact as boolean,
    inputPerMTok: raw.inputPerMTok as number,
    cachedInputPerMTok: cached as number | null,
    outputPerMTok: raw.outputPerMTok as number,
    contextWindow: raw.contextWindow as number,
    maxOutputTokens: raw.maxOutputTokens as number,
    vision: vision as boolean,
    source: source || (origin === 'settings' ? 'user settings' : ''),
    asOf,
    origin,
  };
  if (!entry.tokenizerExact) {
    entry.estimateRatio = ratio as number;
    entry.estimateBasis = typeof raw.estimateBasis === 'string' ? raw.estimateBasis : 'no measurement given';
  }
  if (images) entry.images = images;
  if (typeof raw.notes === 'string') entry.notes = raw.notes;
  return entry;
}

export function isRowProblem(value: ModelEntry | RowProblem): value is RowProblem {
  return 'problems' in value;
}
