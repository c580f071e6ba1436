/**
 * The edge/cloud split end to end, as the CLI and the worker run it: count each prompt for
 * the cloud model, measure the local model's entropy and timings, pick the threshold (given,
 * or CEMA's margin x log2 of the local model's vocabulary) and route.
 */
import type { ModelEntry } from '../catalog/types';
import { countForModels } from '../count/countModels';
import type { AbortLike } from '../onnx/localModel';
import { openLocalModel, type LocalModelRequest } from '../onnx/service';
import { CEMA_MARGIN, cemaThresholdBits, splitPrompts, type SplitReport } from './split';
import { measurePrompts, measureStepMs } from './splitMeasure';
import type { PromptItem } from './promptSet';
import type { HostedLatency } from './types';

export interface SplitRunOptions {
  cloud: ModelEntry;
  cloudLatency: HostedLatency | undefined;
  outputTokens: number;
  /** Keep a prompt local under this many bits; undefined: CEMA's rule with `margin`. */
  thresholdBits?: number;
  margin?: number;
}

export type SplitRunReport = SplitReport & { localModel: { model: string; depth: number; precision: string; stepMs: number } };

export async function runSplit(prompts: readonly PromptItem[], request: LocalModelRequest, options: SplitRunOptions, signal?: AbortLike, progress?: (done: number, total: number) => void): Promise<SplitRunReport> {
  const model = openLocalModel(request);
  const run = { depth: request.depth ?? model.maxDepth, precision: request.precision ?? (model.precisions.includes('int8') ? 'int8' : model.precisions[0]!) };
  const counted = prompts.map((p) => ({ ...p, cloudTokens: countForModels(p.text, [options.cloud])[0]!.tokens }));
  const measured = await measurePrompts(model, counted, run, signal, progress);
  const stepMs = await measureStepMs(model, run, signal);
  const tokenizer = model.manifest.tokenizer;
  const vocab = tokenizer.type === 'huggingface' ? tokenizer.vocabSize : 256;
  const margin = options.margin ?? CEMA_MARGIN;
  const report = splitPrompts(measured, {
    thresholdBits: options.thresholdBits ?? cemaThresholdBits(vocab, margin),
    thresholdRule: options.thresholdBits !== undefined ? 'set by you' : `CEMA's ${margin} × log2(${vocab}) of ${model.manifest.id}'s vocabulary`,
    cloud: options.cloud,
    cloudLatency: options.cloudLatency,
    outputTokens: options.outputTokens,
    localStepMs: stepMs,
  });
  return { ...report, localModel: { model: model.manifest.id, depth: run.depth, precision: run.precision, stepMs } };
}
