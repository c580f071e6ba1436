/**
 * The one protocol between the extension host and the Budget Panel webview.
 * Three kinds of message, as in GitLens: commands (fire and forget, panel -> host),
 * requests (panel -> host, answered by a response with the same id) and
 * notifications (host -> panel). Everything the host receives is validated here,
 * because a webview is a separate, less trusted context.
 */

import type { ServingEstimate, ServingInputs } from '../serving/estimate';
import type { PlanCandidate, PlanResult } from '../plan/types';

export type { ServingEstimate, ServingInputs, PlanCandidate, PlanResult };

export const BUDGET_PANEL_VIEW_TYPE = 'promptCapsule.budgetPanel';

export interface TextRangeInfo {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

/** What was counted: a file and a range (absent for the whole document). */
export interface SourceInfo {
  uri: string;
  fileName: string;
  scope: 'selection' | 'document';
  range?: TextRangeInfo;
  characters: number;
}

export interface UsageSettings {
  callsPerDay: number;
  outputTokens: number;
}

export interface ModelRow {
  id: string;
  name: string;
  provider: string;
  tokens: number;
  exact: boolean;
  tokenizer: string;
  estimateBasis?: string;
  inputPerMTok: number;
  cachedInputPerMTok: number | null;
  outputPerMTok: number;
  inputCostUsd: number;
  perCallUsd: number;
  perDayUsd: number;
  contextWindow: number;
  maxOutputTokens: number;
  overflowsContext: boolean;
  overflowsOutput: boolean;
  contextShare: number;
  source: string;
  asOf: string;
  origin: string;
}

export type SortColumn = 'name' | 'provider' | 'tokens' | 'perCallUsd' | 'perDayUsd' | 'contextShare';

export interface SortState {
  column: SortColumn;
  descending: boolean;
}

/** The Capsule card: the pending capsule of the panel's text, if any. */
export interface CapsuleCardState {
  status: 'running' | 'ready' | 'error';
  /** The pending capsule shown; Apply, Copy and Discard name it (absent while none exists). */
  capsuleId?: number;
  message?: string;
  rate: number;
  fileName: string;
  scope: 'selection' | 'document';
  originalTokens: number;
  capsuleTokens: number;
  rateReached: number;
  withinBudget: boolean;
  budgetNote?: string;
  /** Savings priced for the active model. */
  modelName: string;
  originalCostUsd: number;
  capsuleCostUsd: number;
  protected: Array<{ kind: string; count: number; tokens: number }>;
  dropped: Array<{ category: string; count: number; tokens: number }>;
  /** The capsule text, cut to CAPSULE_PREVIEW_CHARS for display (Copy and Apply use all of it). */
  preview: string;
  previewTruncated: boolean;
  /** The document changed since: Apply would be refused. */
  stale: boolean;
  /** Which compressor made it. */
  backend?: CompressorId;
  /** The LLM backend's account of it (backend 'llm'). */
  llm?: LlmCardInfo;
  /** The local model's account of it (backend 'onnx'). */
  local?: LocalCardInfo;
  /** The probe check, once run: how often the answers with the original and the capsule agree. */
  probe?: { agreeing: number; total: number; measure: 'embeddings' | 'word-overlap'; answers: Array<{ question: string; agree: boolean; similarity: number }> };
}

export type CompressorId = 'builtin' | 'onnx' | 'llm';
export const COMPRESSOR_IDS: readonly CompressorId[] = ['builtin', 'onnx', 'llm'];

/** Which sub-model of the local model ran, where, and why (backend 'onnx'). */
export interface LocalCardInfo {
  modelId: string;
  depth: number;
  maxDepth: number;
  precision: string;
  provider: string;
  /** Which provider ran and why the ones tried before it did not. */
  providerNote: string;
  modelMs: number;
  modelTokens: number;
  /** The selector's reason. */
  selection: string;
}

export interface LlmCardInfo {
  model: string;
  endpoint: string;
  candidates: Array<{ tokens: number; passed: boolean; reason?: string; score?: number }>;
  chosen: number | null;
  fallback: boolean;
  fallbackReason?: string;
  ranking: 'embeddings' | 'distinctive-words';
  cached: boolean;
  /** Why this model wrote it, when the model was picked per prompt (latency budget). */
  selection?: string;
  usage: { promptTokens: number; completionTokens: number; embeddingTokens: number; requests: number };
  /** USD; null for a model the catalog does not price (a local server). */
  compressionCostUsd: number | null;
  savingPerCallUsd: number;
  breakEvenCalls: number | null;
}

/** The compressors the Capsule card offers, and the one new capsules use. */
export interface CompressorChoice {
  backend: CompressorId;
  options: Array<{ id: CompressorId; label: string; available: boolean }>;
}

export const CAPSULE_PREVIEW_CHARS = 20_000;
export const CAPSULE_RATE_LIMITS = { min: 0.05, max: 1 } as const;

/** The Serving card: simulated latency and cost of sending this text to a self-hosted model. */
export interface ServingCardState {
  /**
   * running: an estimate is on its way (`progress` counts its results); refused: the
   * inputs cannot be served (the prompt exceeds the model's context), `message` says why;
   * cancelled: the user stopped it; `estimate` then still holds the previous inputs' one.
   */
  status: 'running' | 'ready' | 'error' | 'refused' | 'cancelled';
  message?: string;
  progress?: { done: number; total: number };
  inputs: ServingInputs;
  /** The inputs `estimate` was made for (they differ from `inputs` while it is stale). */
  estimateInputs?: ServingInputs;
  options: {
    models: Array<{ id: string; name: string }>;
    gpus: Array<{ id: string; name: string }>;
    precisions: Array<{ id: string; name: string }>;
    modes: readonly string[];
  };
  /** The text's tokens for the serving model, and how they were counted. */
  inputTokens: number;
  tokenBasis: string;
  capsuleTokens?: number;
  estimate?: ServingEstimate;
}

export const SERVING_LIMITS = {
  rate: { min: 0.01, max: 10_000 },
  outputTokens: { min: 1, max: 32_768 },
  sloTtftMs: { min: 1, max: 600_000 },
  sloTpotMs: { min: 1, max: 60_000 },
  gpus: { min: 1, max: 64 },
} as const;

/** What the Plan card lets the user edit: the workload's load and the budgets. */
export interface PlanInputs {
  outputTokens: number;
  /** Requests per second, Poisson arrivals. */
  rate: number;
  sloTtftMs: number;
  sloTpotMs: number;
  /** 0 = no quality floor. */
  minQuality: number;
  /** 0 = no cost cap. */
  maxCostPer1kUsd: number;
  /** 0 = no energy cap. */
  maxEnergyJ: number;
  maxGpus: number;
}

/** The Plan card: every candidate configuration for this text, the frontier and the pick. */
export interface PlanCardState {
  status: 'running' | 'ready' | 'error' | 'cancelled';
  message?: string;
  progress?: { done: number; total: number };
  inputs: PlanInputs;
  /** The inputs `result` was made for (they differ from `inputs` while it is stale). */
  resultInputs?: PlanInputs;
  /** The text's o200k_base tokens the plan is for, and whether they are the capsule's. */
  inputTokens: number;
  tokenBasis: string;
  result?: PlanResult;
}

export const PLAN_LIMITS = {
  outputTokens: { min: 1, max: 32_768 },
  rate: { min: 0.01, max: 10_000 },
  sloTtftMs: { min: 1, max: 600_000 },
  sloTpotMs: { min: 1, max: 60_000 },
  minQuality: { min: 0, max: 1 },
  maxCostPer1kUsd: { min: 0, max: 1e9 },
  maxEnergyJ: { min: 0, max: 1e9 },
  maxGpus: { min: 1, max: 64 },
} as const;

export interface BudgetState {
  status: 'empty' | 'counting' | 'ready' | 'error';
  /** Shown when status is 'empty' or 'error'. */
  message?: string;
  source?: SourceInfo;
  /** Exact counts per tokenizer, e.g. [{ id: 'o200k_base', tokens: 812 }]. */
  tokenizers: Array<{ id: string; tokens: number }>;
  rows: ModelRow[];
  usage: UsageSettings;
  activeModelId: string;
  catalogReviewed: string;
  /** The rate setting, for the Capsule card's slider before any capsule exists. */
  compressionRate: number;
  capsule?: CapsuleCardState;
  compressor?: CompressorChoice;
  serving?: ServingCardState;
  plan?: PlanCardState;
}

/** Saved with the webview's setState and handed back by the serializer after a reload. */
export interface PanelPersistedState {
  sort: SortState;
  /** The document and range last counted, so a restored panel shows the same thing. */
  source?: { uri: string; range?: TextRangeInfo };
}

export interface PanelRequests {
  /** Sent once the panel's script runs; the answer is the first state to show. */
  ready: { params: { persisted?: PanelPersistedState }; result: BudgetState };
}

export interface PanelCommands {
  setUsage: UsageSettings;
  setActiveModel: { modelId: string };
  openSettings: Record<string, never>;
  /** Compress the panel's text at this rate (or re-run the pending capsule at it). */
  compress: { rate: number };
  /** Each names the capsule the card showed: a newer capsule is never acted on by mistake. */
  applyCapsule: { capsuleId: number };
  copyCapsule: { capsuleId: number };
  discardCapsule: { capsuleId: number };
  /** Stop the compression the card started. */
  cancelCompress: Record<string, never>;
  /** Run the probe-question check on the capsule (its cost is confirmed first). */
  probeCapsule: { capsuleId: number };
  /** New Serving card inputs; the host validates the ids against the simulator catalog. */
  setServing: ServingInputs;
  /** Stop the running estimate. */
  cancelServing: Record<string, never>;
  /** Run the estimate again (after a cancel or an error). */
  rerunServing: Record<string, never>;
  /** The compressor new capsules use (the promptCapsule.compression.backend setting). */
  setCompressor: { backend: CompressorId };
  /** New Plan card inputs (budgets and load); the plan runs again for them. */
  setPlan: PlanInputs;
  /** Stop the running plan. */
  cancelPlan: Record<string, never>;
  /** Run the plan again (after a cancel or an error). */
  rerunPlan: Record<string, never>;
  /** Send a self-hosted candidate to the Serving card (its model, GPU, precision, mode and GPUs). */
  simulateCandidate: { candidateId: string };
}

export interface PanelNotifications {
  state: BudgetState;
}

export type RequestMethod = keyof PanelRequests;
export type CommandMethod = keyof PanelCommands;
export type NotificationMethod = keyof PanelNotifications;

export type PanelToHostMessage =
  | { [M in RequestMethod]: { kind: 'request'; id: number; method: M; params: PanelRequests[M]['params'] } }[RequestMethod]
  | { [M in CommandMethod]: { kind: 'command'; method: M; params: PanelCommands[M] } }[CommandMethod];

export type HostToPanelMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: string }
  | { [M in NotificationMethod]: { kind: 'notification'; method: M; params: PanelNotifications[M] } }[NotificationMethod];

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

// Limits on what a panel may ask for: bad input is refused, never clamped silently.
export const USAGE_LIMITS = {
  callsPerDay: { min: 0, max: 1e9 },
  outputTokens: { min: 0, max: 10_000_000 },
} as const;

const CAPSULE_ID_LIMITS = { min: 1, max: Number.MAX_SAFE_INTEGER } as const;

const SORT_COLUMNS: readonly SortColumn[] = ['name', 'provider', 'tokens', 'perCallUsd', 'perDayUsd', 'contextShare'];

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function numberIn(value: unknown, name: string, limits: { min: number; max: number }): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < limits.min || value > limits.max) {
    throw new ProtocolError(`${name} must be a number between ${limits.min} and ${limits.max}`);
  }
  return value;
}

function parseRange(value: unknown): TextRangeInfo | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw new ProtocolError('range must be an object');
  const lim = { min: 0, max: 1e9 };
  return {
    startLine: numberIn(value.startLine, 'startLine', lim),
    startCharacter: numberIn(value.startCharacter, 'startCharacter', lim),
    endLine: numberIn(value.endLine, 'endLine', lim),
    endCharacter: numberIn(value.endCharacter, 'endCharacter', lim),
  };
}

/** Validates persisted state (it comes back from the webview or from disk after a reload). */
export function parsePersistedState(value: unknown): PanelPersistedState | undefined {
  if (!isObject(value)) return undefined;
  const sort = isObject(value.sort) ? value.sort : {};
  const column = SORT_COLUMNS.includes(sort.column as SortColumn) ? (sort.column as SortColumn) : 'perCallUsd';
  const state: PanelPersistedState = { sort: { column, descending: sort.descending === true } };
  if (isObject(value.source) && typeof value.source.uri === 'string') {
    try {
      const range = parseRange(value.source.range);
      state.source = range ? { uri: value.source.uri, range } : { uri: value.source.uri };
    } catch {
      // An unreadable saved range is dropped: the panel then shows the whole document.
      state.source = { uri: value.source.uri };
    }
  }
  return state;
}

/** Validates a message from the panel. Throws ProtocolError describing the first problem. */
export function parsePanelMessage(raw: unknown): PanelToHostMessage {
  if (!isObject(raw)) throw new ProtocolError('message must be an object');
  const params = raw.params === undefined ? {} : raw.params;
  if (!isObject(params)) throw new ProtocolError('params must be an object');
  if (raw.kind === 'request') {
    if (typeof raw.id !== 'number' || !Number.isInteger(raw.id)) throw new ProtocolError('request id must be an integer');
    switch (raw.method) {
      case 'ready': {
        const persisted = parsePersistedState(params.persisted);
        return { kind: 'request', id: raw.id, method: 'ready', params: persisted ? { persisted } : {} };
      }
    }
    throw new ProtocolError(`unknown request '${String(raw.method)}'`);
  }
  if (raw.kind === 'command') {
    switch (raw.method) {
      case 'setUsage':
        return {
          kind: 'command',
          method: 'setUsage',
          params: {
            callsPerDay: numberIn(params.callsPerDay, 'callsPerDay', USAGE_LIMITS.callsPerDay),
            outputTokens: Math.round(numberIn(params.outputTokens, 'outputTokens', USAGE_LIMITS.outputTokens)),
          },
        };
      case 'setActiveModel':
        if (typeof params.modelId !== 'string' || params.modelId.length === 0 || params.modelId.length > 200) {
          throw new ProtocolError('modelId must be a non-empty string');
        }
        return { kind: 'command', method: 'setActiveModel', params: { modelId: params.modelId } };
      case 'openSettings':
      case 'cancelCompress':
      case 'cancelServing':
      case 'rerunServing':
      case 'cancelPlan':
      case 'rerunPlan':
        return { kind: 'command', method: raw.method, params: {} };
      case 'applyCapsule':
      case 'copyCapsule':
      case 'discardCapsule':
      case 'probeCapsule':
        return { kind: 'command', method: raw.method, params: { capsuleId: Math.round(numberIn(params.capsuleId, 'capsuleId', CAPSULE_ID_LIMITS)) } };
      case 'setServing':
        return { kind: 'command', method: 'setServing', params: parseServingInputs(params) };
      case 'setPlan':
        return { kind: 'command', method: 'setPlan', params: parsePlanInputs(params) };
      case 'simulateCandidate':
        if (typeof params.candidateId !== 'string' || !/^[a-z0-9][a-z0-9._:/-]{0,199}$/.test(params.candidateId)) throw new ProtocolError('candidateId must be a candidate id');
        return { kind: 'command', method: 'simulateCandidate', params: { candidateId: params.candidateId } };
      case 'setCompressor':
        if (!COMPRESSOR_IDS.includes(params.backend as CompressorId)) throw new ProtocolError(`backend must be one of ${COMPRESSOR_IDS.join(', ')}`);
        return { kind: 'command', method: 'setCompressor', params: { backend: params.backend as CompressorId } };
      case 'compress':
        return { kind: 'command', method: 'compress', params: { rate: numberIn(params.rate, 'rate', CAPSULE_RATE_LIMITS) } };
    }
    throw new ProtocolError(`unknown command '${String(raw.method)}'`);
  }
  throw new ProtocolError(`unknown message kind '${String(raw.kind)}'`);
}

const SERVING_MODE_NAMES = ['colocated', 'disaggregated', 'llumnix'] as const;

function idString(value: unknown, name: string): string {
  if (typeof value !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(value)) throw new ProtocolError(`${name} must be an id`);
  return value;
}

/** Tensor-parallel degrees the Serving card and the planner use (GPUs per instance). */
export const TENSOR_PARALLEL_CHOICES: readonly number[] = [1, 2, 4, 8];
const TP_VALUES = TENSOR_PARALLEL_CHOICES;

/** Absent (inputs saved before TP was a field): 1. */
function parseTensorParallel(value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number' || !TP_VALUES.includes(value)) throw new ProtocolError(`tensorParallel must be one of ${TP_VALUES.join(', ')}`);
  return value;
}

/** Shape and range checks of the Serving card's inputs (ids are checked by the host). */
export function parseServingInputs(params: Raw): ServingInputs {
  const mode = params.mode;
  if (!SERVING_MODE_NAMES.includes(mode as (typeof SERVING_MODE_NAMES)[number])) {
    throw new ProtocolError(`mode must be one of ${SERVING_MODE_NAMES.join(', ')}`);
  }
  return {
    model: idString(params.model, 'model'),
    gpu: idString(params.gpu, 'gpu'),
    precision: idString(params.precision, 'precision'),
    mode: mode as ServingInputs['mode'],
    rate: numberIn(params.rate, 'rate', SERVING_LIMITS.rate),
    outputTokens: Math.round(numberIn(params.outputTokens, 'outputTokens', SERVING_LIMITS.outputTokens)),
    sloTtftMs: numberIn(params.sloTtftMs, 'sloTtftMs', SERVING_LIMITS.sloTtftMs),
    sloTpotMs: numberIn(params.sloTpotMs, 'sloTpotMs', SERVING_LIMITS.sloTpotMs),
    gpus: Math.round(numberIn(params.gpus, 'gpus', SERVING_LIMITS.gpus)),
    tensorParallel: parseTensorParallel(params.tensorParallel),
  };
}

/** Range checks of the Plan card's inputs (0 turns an optional budget off). */
export function parsePlanInputs(params: Raw): PlanInputs {
  const int = (key: 'outputTokens' | 'maxGpus') => Math.round(numberIn(params[key], key, PLAN_LIMITS[key]));
  return {
    outputTokens: int('outputTokens'),
    rate: numberIn(params.rate, 'rate', PLAN_LIMITS.rate),
    sloTtftMs: numberIn(params.sloTtftMs, 'sloTtftMs', PLAN_LIMITS.sloTtftMs),
    sloTpotMs: numberIn(params.sloTpotMs, 'sloTpotMs', PLAN_LIMITS.sloTpotMs),
    minQuality: numberIn(params.minQuality, 'minQuality', PLAN_LIMITS.minQuality),
    maxCostPer1kUsd: numberIn(params.maxCostPer1kUsd, 'maxCostPer1kUsd', PLAN_LIMITS.maxCostPer1kUsd),
    maxEnergyJ: numberIn(params.maxEnergyJ, 'maxEnergyJ', PLAN_LIMITS.maxEnergyJ),
    maxGpus: int('maxGpus'),
  };
}
