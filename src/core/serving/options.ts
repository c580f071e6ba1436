/**
 * The Serving card's choices, from the simulator's catalog data only: the extension
 * host imports this without loading the simulator itself (that runs in the worker).
 */
import { formatCount } from '../format/numbers';
import { GPUS, MODELS, PRECISIONS, getServingModel, getServingTokenizer } from '../sim/catalog';
import type { DeploymentMode } from '../sim/simulate';

export const SERVING_MODES: readonly DeploymentMode[] = ['colocated', 'disaggregated', 'llumnix'];

export const SERVING_OPTIONS = {
  models: MODELS.map((m) => ({ id: m.id, name: m.name })),
  gpus: GPUS.map((g) => ({ id: g.id, name: g.name })),
  precisions: PRECISIONS.map((p) => ({ id: p.id, name: p.id })),
  modes: SERVING_MODES,
};

/** A prompt's size in a serving model's tokens, and how it was obtained (for the caption). */
export interface ServingTokenCount {
  tokens: number;
  /** "Llama 3 tokenizer (128k BPE): o200k_base count × 1.006, measured". */
  basis: string;
}

/**
 * The text's tokens for the serving model: the exact o200k_base count times that
 * model's tokenizer ratio (data/tokenizers.json), labelled as the estimate it is.
 */
export function servingTokens(modelId: string, o200kTokens: number): ServingTokenCount {
  const tokenizer = getServingTokenizer(getServingModel(modelId).tokenizer);
  return {
    tokens: Math.max(1, Math.round(o200kTokens * tokenizer.ratioToO200k)),
    basis: `${tokenizer.name}: o200k_base count × ${tokenizer.ratioToO200k}, ${tokenizer.measured ? 'measured ratio' : 'unmeasured stand-in ratio'}`,
  };
}

/**
 * Why this request cannot be served at all: prompt plus output longer than the model's
 * context. The card says so instead of simulating (a 191k-token prompt on a 128k model
 * would only be truncated or refused by a real server).
 */
export function servingContextProblem(modelId: string, inputTokens: number, outputTokens: number): string | undefined {
  const model = getServingModel(modelId);
  if (inputTokens + outputTokens <= model.maxContext) return undefined;
  return (
    `The prompt is ${formatCount(inputTokens)} ${model.name} tokens; with ${formatCount(outputTokens)} output tokens that is more than ` +
    `its ${formatCount(model.maxContext)}-token context, so no server would run it. Select a shorter part of the text, lower the output tokens, or pick a model with a longer context.`
  );
}

/** The card's words for an estimate stopped at its work bound (`reason`: the error's message). */
export function workLimitMessage(reason: string): string {
  return (
    `This estimate was stopped: ${reason}, the bound for an interactive estimate. ` +
    'Lower the output tokens, the rate or the GPUs, or run `capsule goodput` in a terminal for this size.'
  );
}
