import { isHttpUrl } from '../core/llm/hosts';
import * as vscode from 'vscode';
import { PLAN_LIMITS, USAGE_LIMITS, type PlanInputs, type UsageSettings } from '../core/protocol/panel';
import { parseHostedLatency } from '../core/plan/hosted';
import { PLAN_DEFAULTS } from '../core/plan/defaults';
import type { PlanSpace } from '../core/plan/types';
import { GPUS } from '../core/sim/catalog';
import { PRECISIONS, type Precision } from '../core/onnx/manifest';
import { PROVIDER_SETTINGS, type ProviderSetting } from '../core/onnx/providers';

export const SETTINGS_SECTION = 'promptCapsule';

export const SettingKeys = {
  activeModel: 'activeModel',
  models: 'models',
  catalogFile: 'catalogFile',
  callsPerDay: 'usage.callsPerDay',
  outputTokens: 'usage.outputTokens',
  statusBarEnabled: 'statusBar.enabled',
  compressionRate: 'compression.rate',
  compressionAskForRate: 'compression.askForRate',
  compressionBackend: 'compression.backend',
  llmBaseUrl: 'llm.baseUrl',
  llmModel: 'llm.model',
  llmEmbeddingsModel: 'llm.embeddingsModel',
  llmCandidates: 'llm.candidates',
  llmTimeoutMs: 'llm.timeoutMs',
  llmMaxRetries: 'llm.maxRetries',
  llmConcurrency: 'llm.concurrency',
  llmExtraHeaders: 'llm.extraHeaders',
  llmLocalPorts: 'llm.localPorts',
  llmLatencyBudgetMs: 'llm.latencyBudgetMs',
  localModelFolder: 'localModel.folder',
  localModelProvider: 'localModel.provider',
  localModelLatencyBudgetMs: 'localModel.latencyBudgetMs',
  localModelQualityFloor: 'localModel.qualityFloor',
  localModelDepth: 'localModel.depth',
  localModelPrecision: 'localModel.precision',
  planOutputTokens: 'plan.outputTokens',
  planRate: 'plan.rate',
  planSloTtftMs: 'plan.sloTtftMs',
  planSloTpotMs: 'plan.sloTpotMs',
  planAttainment: 'plan.attainment',
  planMinQuality: 'plan.minQuality',
  planMaxCostPer1kUsd: 'plan.maxCostPer1kUsd',
  planMaxEnergyJ: 'plan.maxEnergyJ',
  planMaxGpus: 'plan.maxGpus',
  planGpus: 'plan.gpus',
  planFamilies: 'plan.families',
  planHosted: 'plan.hosted',
  planEngines: 'plan.engines',
  splitThresholdBits: 'split.thresholdBits',
  splitCloudModel: 'split.cloudModel',
  splitOutputTokens: 'split.outputTokens',
  planHostedLatency: 'plan.hostedLatency',
} as const;

export type CompressionBackend = 'builtin' | 'onnx' | 'llm';
const BACKEND_IDS: readonly CompressionBackend[] = ['builtin', 'onnx', 'llm'];

export const DEFAULT_MODEL_ID = 'gpt-4o';

export interface CapsuleSettings {
  activeModel: string;
  models: unknown[];
  catalogFile: string;
  usage: UsageSettings;
  statusBarEnabled: boolean;
  /** Settings that had the wrong type and were replaced by defaults, for one warning. */
  problems: string[];
}

function numberSetting(config: vscode.WorkspaceConfiguration, key: string, fallback: number, limits: { min: number; max: number }, problems: string[]): number {
  const value = config.get<unknown>(key, fallback);
  if (typeof value === 'number' && Number.isFinite(value) && value >= limits.min && value <= limits.max) return value;
  problems.push(`${SETTINGS_SECTION}.${key} must be a number between ${limits.min} and ${limits.max}`);
  return fallback;
}

/** Reads settings defensively: a hand-edited settings.json may hold anything. */
export function readSettings(): CapsuleSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const problems: string[] = [];
  const activeModel = config.get<unknown>(SettingKeys.activeModel, DEFAULT_MODEL_ID);
  const models = config.get<unknown>(SettingKeys.models, []);
  const catalogFile = config.get<unknown>(SettingKeys.catalogFile, '');
  if (typeof activeModel !== 'string') problems.push(`${SETTINGS_SECTION}.${SettingKeys.activeModel} must be a model id`);
  if (!Array.isArray(models)) problems.push(`${SETTINGS_SECTION}.${SettingKeys.models} must be an array of model rows`);
  if (typeof catalogFile !== 'string') problems.push(`${SETTINGS_SECTION}.${SettingKeys.catalogFile} must be a file path`);
  return {
    activeModel: typeof activeModel === 'string' && activeModel ? activeModel : DEFAULT_MODEL_ID,
    models: Array.isArray(models) ? models : [],
    catalogFile: typeof catalogFile === 'string' ? catalogFile.trim() : '',
    usage: {
      callsPerDay: numberSetting(config, SettingKeys.callsPerDay, 1000, USAGE_LIMITS.callsPerDay, problems),
      outputTokens: Math.round(numberSetting(config, SettingKeys.outputTokens, 500, USAGE_LIMITS.outputTokens, problems)),
    },
    statusBarEnabled: config.get<unknown>(SettingKeys.statusBarEnabled, true) !== false,
    problems,
  };
}

export async function updateSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration(SETTINGS_SECTION).update(key, value, vscode.ConfigurationTarget.Global);
}

export interface CompressionSettings {
  rate: number;
  askForRate: boolean;
  backend: CompressionBackend;
}

export function readCompressionSettings(): CompressionSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const rate = config.get<unknown>(SettingKeys.compressionRate, 0.5);
  return {
    rate: typeof rate === 'number' && Number.isFinite(rate) && rate >= 0.05 && rate <= 1 ? rate : 0.5,
    askForRate: config.get<unknown>(SettingKeys.compressionAskForRate, true) !== false,
    backend: backendSetting(config.get<unknown>(SettingKeys.compressionBackend, 'builtin')),
  };
}

function backendSetting(value: unknown): CompressionBackend {
  return BACKEND_IDS.find((b) => b === value) ?? 'builtin';
}

/** The local (onnx) backend's settings; `problems` says what was malformed and replaced by its default. */
export interface LocalModelSettings {
  /** '' for the bundled model. */
  folder: string;
  provider: ProviderSetting;
  latencyBudgetMs: number;
  /** 0: off (the latency budget decides). */
  qualityFloor: number;
  /** 0: the selector decides. */
  depth: number;
  precision: Precision | 'auto';
  problems: string[];
}

export function readLocalModelSettings(): LocalModelSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const problems: string[] = [];
  const folder = config.get<unknown>(SettingKeys.localModelFolder, '');
  if (typeof folder !== 'string') problems.push(`${SETTINGS_SECTION}.${SettingKeys.localModelFolder} must be a folder path`);
  const provider = config.get<unknown>(SettingKeys.localModelProvider, 'auto');
  const providerOk = (PROVIDER_SETTINGS as readonly unknown[]).includes(provider);
  if (!providerOk) problems.push(`${SETTINGS_SECTION}.${SettingKeys.localModelProvider} must be one of ${PROVIDER_SETTINGS.join(', ')}`);
  const precision = config.get<unknown>(SettingKeys.localModelPrecision, 'auto');
  const precisionOk = precision === 'auto' || (PRECISIONS as readonly unknown[]).includes(precision);
  if (!precisionOk) problems.push(`${SETTINGS_SECTION}.${SettingKeys.localModelPrecision} must be auto, fp32 or int8`);
  return {
    folder: typeof folder === 'string' ? folder.trim() : '',
    provider: providerOk ? (provider as ProviderSetting) : 'auto',
    latencyBudgetMs: numberSetting(config, SettingKeys.localModelLatencyBudgetMs, 250, { min: 1, max: 600_000 }, problems),
    qualityFloor: numberSetting(config, SettingKeys.localModelQualityFloor, 0, { min: 0, max: 1 }, problems),
    depth: Math.round(numberSetting(config, SettingKeys.localModelDepth, 0, { min: 0, max: 256 }, problems)),
    precision: precisionOk ? (precision as Precision | 'auto') : 'auto',
    problems,
  };
}

/** The LLM backend's settings; `problems` says what is missing or malformed. */
export interface LlmSettings {
  baseUrl: string;
  model: string;
  embeddingsModel: string;
  candidates: number;
  timeoutMs: number;
  maxRetries: number;
  concurrency: number;
  extraHeaders: Record<string, string>;
  localPorts: number[];
  /** > 0: pick the model per prompt from this server's calibration (0: always `model`). */
  latencyBudgetMs: number;
  problems: string[];
}

export function readLlmSettings(): LlmSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const problems: string[] = [];
  const text = (key: string) => {
    const value = config.get<unknown>(key, '');
    if (typeof value !== 'string') problems.push(`${SETTINGS_SECTION}.${key} must be a string`);
    return typeof value === 'string' ? value.trim() : '';
  };
  const baseUrl = text(SettingKeys.llmBaseUrl);
  const model = text(SettingKeys.llmModel);
  if (!baseUrl) problems.push(`${SETTINGS_SECTION}.${SettingKeys.llmBaseUrl} is not set`);
  else if (!isHttpUrl(baseUrl)) problems.push(`${SETTINGS_SECTION}.${SettingKeys.llmBaseUrl} must be an http(s) URL, e.g. https://api.openai.com/v1`);
  if (!model) problems.push(`${SETTINGS_SECTION}.${SettingKeys.llmModel} is not set`);
  const headers = config.get<unknown>(SettingKeys.llmExtraHeaders, {});
  const headersOk = typeof headers === 'object' && headers !== null && !Array.isArray(headers) && Object.values(headers).every((v) => typeof v === 'string');
  if (!headersOk) problems.push(`${SETTINGS_SECTION}.${SettingKeys.llmExtraHeaders} must be an object of header names to strings`);
  const ports = config.get<unknown>(SettingKeys.llmLocalPorts, []);
  const portsOk = Array.isArray(ports) && ports.every((p) => Number.isInteger(p) && p > 0 && p < 65536);
  if (!portsOk) problems.push(`${SETTINGS_SECTION}.${SettingKeys.llmLocalPorts} must be a list of port numbers`);
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    model,
    embeddingsModel: text(SettingKeys.llmEmbeddingsModel),
    candidates: Math.round(numberSetting(config, SettingKeys.llmCandidates, 3, { min: 1, max: 10 }, problems)),
    timeoutMs: Math.round(numberSetting(config, SettingKeys.llmTimeoutMs, 60_000, { min: 1000, max: 600_000 }, problems)),
    maxRetries: Math.round(numberSetting(config, SettingKeys.llmMaxRetries, 2, { min: 0, max: 10 }, problems)),
    concurrency: Math.round(numberSetting(config, SettingKeys.llmConcurrency, 3, { min: 1, max: 16 }, problems)),
    // Plain copies: configuration values are proxies that cannot cross to the worker thread.
    extraHeaders: headersOk ? Object.fromEntries(Object.entries(headers as Record<string, string>)) : {},
    localPorts: portsOk ? [...(ports as number[])] : [],
    latencyBudgetMs: Math.round(numberSetting(config, SettingKeys.llmLatencyBudgetMs, 0, { min: 0, max: 600_000 }, problems)),
    problems,
  };
}

/** The Plan card's defaults and candidate space; `problems` says what was malformed and replaced by its default. */
export interface PlanSettings {
  inputs: PlanInputs;
  attainment: number;
  space: PlanSpace;
  problems: string[];
}

export const PLAN_INPUT_DEFAULTS: PlanInputs = {
  outputTokens: 256,
  rate: 4,
  sloTtftMs: 500,
  sloTpotMs: 50,
  minQuality: 0,
  maxCostPer1kUsd: 0,
  maxEnergyJ: 0,
  maxGpus: PLAN_DEFAULTS.maxGpus,
};

export function readPlanSettings(): PlanSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const problems: string[] = [];
  const num = (key: string, fallback: number, limits: { min: number; max: number }) => numberSetting(config, key, fallback, limits, problems);
  const inputs: PlanInputs = {
    outputTokens: Math.round(num(SettingKeys.planOutputTokens, PLAN_INPUT_DEFAULTS.outputTokens, PLAN_LIMITS.outputTokens)),
    rate: num(SettingKeys.planRate, PLAN_INPUT_DEFAULTS.rate, PLAN_LIMITS.rate),
    sloTtftMs: num(SettingKeys.planSloTtftMs, PLAN_INPUT_DEFAULTS.sloTtftMs, PLAN_LIMITS.sloTtftMs),
    sloTpotMs: num(SettingKeys.planSloTpotMs, PLAN_INPUT_DEFAULTS.sloTpotMs, PLAN_LIMITS.sloTpotMs),
    minQuality: num(SettingKeys.planMinQuality, 0, PLAN_LIMITS.minQuality),
    maxCostPer1kUsd: num(SettingKeys.planMaxCostPer1kUsd, 0, PLAN_LIMITS.maxCostPer1kUsd),
    maxEnergyJ: num(SettingKeys.planMaxEnergyJ, 0, PLAN_LIMITS.maxEnergyJ),
    maxGpus: Math.round(num(SettingKeys.planMaxGpus, PLAN_INPUT_DEFAULTS.maxGpus, PLAN_LIMITS.maxGpus)),
  };
  const strings = (key: string, fallback: readonly string[], allowed?: readonly string[]): string[] => {
    const value = config.get<unknown>(key, fallback);
    const ok = Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && (!allowed || allowed.includes(v)));
    if (!ok) problems.push(`${SETTINGS_SECTION}.${key} must be a non-empty list${allowed ? ` of ${allowed.join(', ')}` : ' of ids'}`);
    return ok ? [...(value as string[])] : [...fallback];
  };
  const hosted = config.get<unknown>(SettingKeys.planHosted, 'default');
  const hostedOk = hosted === 'default' || hosted === 'all' || hosted === 'none';
  if (!hostedOk) problems.push(`${SETTINGS_SECTION}.${SettingKeys.planHosted} must be default, all or none`);
  const space: PlanSpace = {
    gpus: strings(SettingKeys.planGpus, PLAN_DEFAULTS.gpus, GPUS.map((g) => g.id)),
    families: strings(SettingKeys.planFamilies, PLAN_DEFAULTS.families),
    engines: strings(SettingKeys.planEngines, PLAN_DEFAULTS.engines, PLAN_DEFAULTS.engineChoices),
    hosted: hostedOk ? (hosted as 'default' | 'all' | 'none') : 'default',
  };
  try {
    // A plain copy: configuration values are proxies that cannot cross to the worker thread.
    const latency = parseHostedLatency(JSON.parse(JSON.stringify(config.get<unknown>(SettingKeys.planHostedLatency, {}) ?? {})));
    if (Object.keys(latency).length > 0) space.hostedLatency = latency;
  } catch (err) {
    problems.push(`${SETTINGS_SECTION}.${SettingKeys.planHostedLatency}: ${(err as Error).message}`);
  }
  return { inputs, attainment: num(SettingKeys.planAttainment, PLAN_DEFAULTS.attainment, { min: 0.01, max: 1 }), space, problems };
}

/** The edge/cloud split's settings; `problems` says what was malformed and replaced by its default. */
export interface SplitSettings {
  /** 0: CEMA's rule (0.4 x log2 of the local model's vocabulary). */
  thresholdBits: number;
  cloudModel: string;
  outputTokens: number;
  problems: string[];
}

export function readSplitSettings(): SplitSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const problems: string[] = [];
  const cloud = config.get<unknown>(SettingKeys.splitCloudModel, 'gpt-4o');
  if (typeof cloud !== 'string' || !cloud.trim()) problems.push(`${SETTINGS_SECTION}.${SettingKeys.splitCloudModel} must be a model id`);
  return {
    thresholdBits: numberSetting(config, SettingKeys.splitThresholdBits, 0, { min: 0, max: 64 }, problems),
    cloudModel: typeof cloud === 'string' && cloud.trim() ? cloud.trim() : 'gpt-4o',
    outputTokens: Math.round(numberSetting(config, SettingKeys.splitOutputTokens, 256, { min: 1, max: 32_768 }, problems)),
    problems,
  };
}
