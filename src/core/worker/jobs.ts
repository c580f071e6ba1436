import { compressPrompt, type CapsuleResult, type CompressOptions } from '../capsule';
import { compressWithLlm, type LlmCapsuleResult, type LlmCompressOptions } from '../llm/capsulator';
import { calibrateModel } from '../llm/calibrate';
import { selectModel, type ModelCalibration, type Selection } from '../llm/select';
import calibrationPrompts from '../llm/data/calibration-prompts.json';
import { openAiEndpoint, type EndpointConfig } from '../llm/endpoint';
import { probeAgreement, type ProbeReport } from '../llm/probe';
import { countByTokenizer } from '../count/countModels';
import { estimateServing, type ServingEstimate, type ServingQuery } from '../serving/estimate';
import { TOKENIZER_IDS, getTokenizer, isTokenizerId, type TokenizerId } from '../tokens/tokenizer';
import { throwIfAborted, type CancelSignal } from './cancellation';
import { planBudget } from '../plan/planner';
import { runSplit, type SplitRunOptions, type SplitRunReport } from '../plan/splitRun';
import type { PromptItem } from '../plan/promptSet';
import type { PlanQuery, PlanResult } from '../plan/types';
import type { ModelEntry } from '../catalog/types';
import { closeLocalModels, compressWithLocalModel, localModelInfo, type LocalCapsuleResult, type LocalModelInfo, type LocalModelRequest } from '../onnx/service';

/**
 * Every kind of heavy work the extension host sends to a worker thread, with its input
 * and output types. Handlers are synchronous and pure; they poll the signal.
 */
export interface JobMap {
  countTokens: {
    input: { text: string; tokenizers: TokenizerId[] };
    output: Partial<Record<TokenizerId, number>>;
  };
  compress: {
    input: { text: string; options: CompressOptions };
    output: CapsuleResult;
  };
  estimateServing: {
    input: ServingQuery;
    output: ServingEstimate;
  };
  /** The budget planner (progress: configurations done). */
  plan: {
    input: { query: PlanQuery; catalog: ModelEntry[] };
    output: PlanResult;
  };
  /** The CEMA-style edge/cloud split with the local model (progress: prompts measured). */
  splitPrompts: {
    input: { prompts: PromptItem[]; request: LocalModelRequest; options: SplitRunOptions };
    output: SplitRunReport;
  };
  /** The LLM backend: network calls, validation and the built-in fallback, off the host. */
  compressLlm: {
    input: {
      text: string;
      options: LlmCompressOptions;
      endpoint: EndpointConfig;
      /** Pick the model per prompt from these calibrations (a local server's sizes). */
      selection?: { calibrations: ModelCalibration[]; latencyBudgetMs: number };
    };
    output: LlmCapsuleResult & { selection?: Selection };
  };
  /** Probe questions answered with the original and with the capsule. */
  probeLlm: {
    input: { original: string; capsule: string; endpoint: EndpointConfig; questions?: string[]; count?: number };
    output: ProbeReport;
  };
  /** The local model backend: score with the ONNX model, then the built-in budget controller. */
  compressLocal: {
    input: { text: string; options: CompressOptions; request: LocalModelRequest };
    output: LocalCapsuleResult;
  };
  /** A local model's manifest, depths and calibration (timed now when asked; progress: variants timed). */
  localModelInfo: {
    input: { request: LocalModelRequest; calibrate?: boolean; recalibrate?: boolean };
    output: LocalModelInfo;
  };
  /** Releases the loaded local models (the model folder or provider setting changed). */
  closeLocalModels: {
    input: Record<string, never>;
    output: null;
  };
  /** Calibrates each model on the bundled sample prompts (progress: models done). */
  calibrateLlm: {
    input: { endpoints: EndpointConfig[]; options: LlmCompressOptions & { candidates: number } };
    output: ModelCalibration[];
  };
}

export type JobKind = keyof JobMap;
export type JobInput<K extends JobKind> = JobMap[K]['input'];
export type JobOutput<K extends JobKind> = JobMap[K]['output'];
export type JobHandler<K extends JobKind> = (input: JobInput<K>, signal: CancelSignal, progress: (done: number, total: number) => void) => JobOutput<K> | Promise<JobOutput<K>>;

// How often an asynchronous job looks at the shared cancel flag.
const CANCEL_POLL_MS = 25;

/** An AbortSignal that follows the shared flag, for code that awaits (fetch). */
async function withAbortSignal<T>(flag: CancelSignal, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setInterval(() => flag.aborted && controller.abort(), CANCEL_POLL_MS);
  try {
    throwIfAborted(flag);
    return await run(controller.signal);
  } finally {
    clearInterval(timer);
  }
}

function countTokensJob(input: JobInput<'countTokens'>, signal: CancelSignal): JobOutput<'countTokens'> {
  const wanted = input.tokenizers.filter(isTokenizerId);
  throwIfAborted(signal);
  const counts = countByTokenizer(input.text, wanted.length ? wanted : TOKENIZER_IDS);
  return Object.fromEntries(counts) as JobOutput<'countTokens'>;
}

export const jobHandlers: { [K in JobKind]: JobHandler<K> } = {
  countTokens: countTokensJob,
  compress: (input, signal) => compressPrompt(input.text, input.options, signal),
  estimateServing: (input, signal, progress) => estimateServing(input, signal, progress),
  plan: (input, signal, progress) => planBudget(input.query, { catalog: input.catalog, signal, progress }),
  splitPrompts: (input, signal, progress) => runSplit(input.prompts, input.request, input.options, signal, progress),
  compressLlm: (input, flag) =>
    withAbortSignal(flag, async (signal) => {
      let endpoint = input.endpoint;
      let selection: Selection | undefined;
      if (input.selection) {
        const tokens = getTokenizer(input.options.tokenizer ?? 'o200k_base').count(input.text);
        selection = selectModel(input.selection.calibrations, tokens, input.selection.latencyBudgetMs);
        if (selection.model) endpoint = { ...endpoint, model: selection.model };
      }
      const result = await compressWithLlm(input.text, input.options, openAiEndpoint(endpoint), { builtin: (text, options) => compressPrompt(text, options, flag) }, signal);
      return selection ? { ...result, selection } : result;
    }),
  compressLocal: (input, signal, progress) => compressWithLocalModel(input.text, input.options, input.request, signal, progress),
  localModelInfo: (input, signal, progress) =>
    localModelInfo(input.request, { ...(input.calibrate ? { calibrate: true } : {}), ...(input.recalibrate ? { recalibrate: true } : {}), signal, progress }),
  closeLocalModels: async () => {
    await closeLocalModels();
    return null;
  },
  probeLlm: (input, flag) =>
    withAbortSignal(flag, (signal) =>
      probeAgreement(input.original, input.capsule, openAiEndpoint(input.endpoint), { ...(input.questions ? { questions: input.questions } : {}), ...(input.count ? { count: input.count } : {}) }, signal),
    ),
  calibrateLlm: (input, flag, progress) =>
    withAbortSignal(flag, async (signal) => {
      const out: ModelCalibration[] = [];
      for (const endpoint of input.endpoints) {
        out.push(await calibrateModel(openAiEndpoint(endpoint), calibrationPrompts.prompts, input.options, (text, options) => compressPrompt(text, options, flag), signal));
        progress(out.length, input.endpoints.length);
      }
      return out;
    }),
};
