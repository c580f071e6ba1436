/**
 * The built-in capsulator: a model-free, structure-aware prompt compressor.
 * Structure first (protected spans, Markdown/JSON/YAML syntax), then drops coarse to
 * fine (duplicate sentences, filler phrases, low-information words) until the token
 * budget is met, counted with the chosen tokenizer. Synchronous and pure: run it in a
 * worker for large inputs and raise `signal.aborted` to stop it.
 */
import { formatCount } from '../format/numbers';
import { parse as parseYamlText } from 'yaml';
import { checkAborted } from './abort';
import { fitToBudget, type BudgetOutcome } from './budget';
import { scorePieces } from './importance';
import { coveredPieces, jsonEmptyElementUnits, yamlEmptyItemUnits } from './empty-elements';
import { duplicateSentenceUnits, fillerPhraseUnits } from './redundancy';
import { renderPieces } from './render';
import { buildReport } from './report';
import { parseStructure } from './structure';
import { LineCountCache, pieceCosts, TokenCoster } from './token-costs';
import { DropState, jsonWhitespaceUnits, lastResortUnits, repeatedProtectedUnits, wordUnits, type DropUnit } from './units';
import type { AbortFlag, CapsuleResult, CompressOptions, DocumentFormat, ParsedDocument, Piece } from './types';

export type { AbortFlag, CapsuleReport, CapsuleResult, CompressOptions } from './types';

export const DEFAULT_RATE = 0.5;

/** The token target implied by the options: targetTokens, else round(rate x original). */
export function resolveTarget(options: CompressOptions, originalTokens: number): { target: number; rateRequested: number } {
  if (options.targetTokens !== undefined) {
    if (!Number.isFinite(options.targetTokens) || options.targetTokens < 0) {
      throw new RangeError(`targetTokens must be a non-negative number, got ${options.targetTokens}`);
    }
    const target = Math.floor(options.targetTokens);
    return { target, rateRequested: originalTokens > 0 ? Math.min(1, target / originalTokens) : 1 };
  }
  const rate = options.rate ?? DEFAULT_RATE;
  if (!Number.isFinite(rate) || rate <= 0 || rate > 1) throw new RangeError(`rate must be in (0, 1], got ${rate}`);
  return { target: Math.max(1, Math.round(rate * originalTokens)), rateRequested: rate };
}

/**
 * A local model's importance for each piece of the parsed document (NaN where it has
 * none): see onnx/pieceScores.ts. Without one, the word-frequency tables alone rank words.
 */
export type ModelImportance = (pieces: readonly Piece[]) => Float64Array;

export function compressPrompt(text: string, options: CompressOptions, signal?: AbortFlag, importance?: ModelImportance): CapsuleResult {
  const started = performance.now();
  checkAborted(signal);
  const coster = new TokenCoster(options.tokenizer ?? 'o200k_base');
  // Drafts share lines with the original and with each other: count each line once.
  const counter = new LineCountCache(coster.tokenizer);
  const originalTokens = counter.count(text);
  const { target, rateRequested } = resolveTarget(options, originalTokens);
  if (target >= originalTokens) {
    return { capsule: text, report: buildReport({ originalTokens, capsuleTokens: originalTokens, target, rateRequested, started }) };
  }

  let document = parseStructure(text, { signal });
  let attempt = compressDocument(document, originalTokens, target, coster, counter, signal, importance);
  if (!keepsValidity(document.format, attempt.outcome.text)) {
    // Only YAML can be broken by word drops (a value left starting with a sign):
    // retry keeping each value's first word. JSON strings cannot be, by construction.
    document = parseStructure(text, { signal, format: document.format, yamlStrict: true });
    attempt = compressDocument(document, originalTokens, target, coster, counter, signal, importance);
  }
  const { outcome, costs, scale } = attempt;
  const valid = keepsValidity(document.format, outcome.text);
  if (outcome.tokens >= originalTokens || !valid) {
    // Never longer than the input, never broken: the input itself is the best capsule.
    const note = !valid
      ? `no capsule kept the ${document.format} syntax valid; the prompt is returned unchanged`
      : `protected content and structure alone take ${formatCount(originalTokens)} tokens (the whole prompt: nothing can be dropped), more than the target of ${formatCount(target)}`;
    return { capsule: text, report: buildReport({ originalTokens, capsuleTokens: originalTokens, target, rateRequested, started, note }) };
  }
  return {
    capsule: outcome.text,
    report: buildReport({
      originalTokens,
      capsuleTokens: outcome.tokens,
      target,
      rateRequested,
      started,
      pieces: document.pieces,
      costs,
      marks: outcome.marks,
      scale,
      dropped: outcome.dropped,
      exhausted: outcome.exhausted,
    }),
  };
}

interface Attempt {
  outcome: BudgetOutcome;
  costs: Float64Array;
  scale: number;
}

function compressDocument(
  document: ParsedDocument,
  originalTokens: number,
  target: number,
  coster: TokenCoster,
  counter: LineCountCache,
  signal: AbortFlag | undefined,
  importance: ModelImportance | undefined,
): Attempt {
  const { pieces } = document;
  const wordIds = new Int32Array(pieces.length);
  const costs = pieceCosts(pieces, coster, wordIds);
  let estimatedTotal = 0;
  for (let i = 0; i < costs.length; i++) estimatedTotal += costs[i]!;
  checkAborted(signal);
  const { scores, groups } = scorePieces(pieces, coster, wordIds, signal, importance?.(pieces));
  // Lossless first (JSON layout), then coarse to fine: repeated sentences, filler
  // phrases, single words and punctuation by importance; then, when nothing else is
  // left, verbatim repeats of protected spans and slash-joined names, and last the
  // JSON/YAML elements all that left empty.
  // (concat, not spread: these lists run to hundreds of thousands of units)
  const lastResort = repeatedProtectedUnits(pieces).concat(lastResortUnits(pieces));
  const units = (document.format === 'json' ? jsonWhitespaceUnits(pieces) : []).concat(
    duplicateSentenceUnits(pieces),
    fillerPhraseUnits(pieces),
    wordUnits(pieces, scores, groups),
    lastResort,
    emptyElementUnits(document.format, pieces, lastResort),
  );
  checkAborted(signal);
  const state = new DropState(pieces, costs, (replacement) => coster.count(' ' + replacement));
  const outcome = fitToBudget({
    units,
    estimatedTotal,
    exactTotal: originalTokens,
    target,
    state,
    render: (s) => renderPieces(pieces, s.marks, s.replacements),
    count: (t) => counter.count(t),
    signal,
  });
  return { outcome, costs, scale: estimatedTotal > 0 ? originalTokens / estimatedTotal : 1 };
}

/** Units for the JSON/YAML elements left empty once `before` (the protected pieces they drop included) is applied. */
function emptyElementUnits(format: DocumentFormat, pieces: readonly Piece[], before: readonly DropUnit[]): DropUnit[] {
  if (format === 'markdown') return [];
  const droppable = coveredPieces(pieces.length, before);
  return format === 'json' ? jsonEmptyElementUnits(pieces, droppable) : yamlEmptyItemUnits(pieces, droppable);
}

function keepsValidity(format: DocumentFormat, output: string): boolean {
  try {
    if (format === 'json') JSON.parse(output);
    else if (format === 'yaml') parseYamlText(output);
    return true;
  } catch {
    return false;
  }
}
