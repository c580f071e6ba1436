/**
 * The budget planner's inputs and outputs. The CLI's `--json` prints PlanResult as is
 * (its field names are a contract), and the Plan card renders it.
 */
import type { DeploymentMode } from '../sim/simulate';

export type PlanArrival = { kind: 'rate'; rate: number } | { kind: 'concurrency'; concurrency: number };

export interface PlanImages {
  count: number;
  width: number;
  height: number;
}

export interface PlanWorkload {
  /** The prompt's o200k_base tokens (each self-hosted model's own count is derived from it). */
  inputTokens: number;
  /** Exact prompt tokens per hosted model id, when the text was counted (else o200k_base is used). */
  hostedInputTokens?: Readonly<Record<string, number>>;
  outputTokens: number;
  arrival: PlanArrival;
  /** Requests per simulation (default 1000, as `capsule simulate`). */
  requests?: number;
  /** Images attached to every request. */
  images?: PlanImages;
  /** Simulation seed (default 1, as `capsule simulate`). */
  seed?: number;
}

export interface PlanBudgets {
  sloTtftMs?: number;
  sloTpotMs?: number;
  /** Share of requests that must meet both SLOs (default 0.9). */
  attainment?: number;
  /** 0..1 relative to the full model at 16-bit. */
  minQuality?: number;
  maxCostPer1kUsd?: number;
  maxEnergyJ?: number;
}

/** The budgets a candidate can miss; 'load' is implied: a deployment must keep up with the request rate. */
export type BudgetName = 'sloTtftMs' | 'sloTpotMs' | 'minQuality' | 'maxCostPer1kUsd' | 'maxEnergyJ' | 'load';
export const BUDGET_NAMES: readonly BudgetName[] = ['sloTtftMs', 'sloTpotMs', 'minQuality', 'maxCostPer1kUsd', 'maxEnergyJ', 'load'];

/** Published (dated, with its source) or user-set latency of a hosted model. */
export interface HostedLatency {
  ttftMs: number;
  outputTokensPerSec: number;
  source: string;
  asOf?: string;
  origin: 'published' | 'user';
}

export interface PlanSpace {
  /** GPU ids a self-hosted candidate may use (default a100-80gb, h100-sxm). */
  gpus?: readonly string[];
  /** Most GPUs one self-hosted deployment may take (default 8). */
  maxGpus?: number;
  /** Self-hosted families: a sub-model family (llama-2-13b-soft) or any `capsule simulate` model id. */
  families?: readonly string[];
  precisions?: readonly string[];
  modes?: readonly DeploymentMode[];
  /** Engine profiles: current (default), tensorrt-llm, lmdeploy, sglang. */
  engines?: readonly string[];
  /**
   * Hosted models: 'default' (those with a latency figure), 'all', 'none', or ids. A model
   * without a latency figure cannot be checked against an SLO, and says so.
   */
  hosted?: 'default' | 'all' | 'none' | readonly string[];
  /** User-set latency figures for hosted models, by id (they win over published ones). */
  hostedLatency?: Readonly<Record<string, Omit<HostedLatency, 'origin'>>>;
  /** Self-hosted vision models: share of visual tokens kept (HiRED, 0.2..1; default 1). */
  visualTokenBudget?: number;
}

export interface PlanQuery {
  workload: PlanWorkload;
  budgets: PlanBudgets;
  space?: PlanSpace;
}

export interface PlanCandidate {
  id: string;
  kind: 'hosted' | 'self-hosted';
  /** Hosted: the catalog id; self-hosted: an id `capsule simulate --model` accepts. */
  model: string;
  modelName: string;
  /** Layers run (self-hosted); null for hosted models. */
  depth: number | null;
  maxDepth: number | null;
  precision: string | null;
  gpu: string | null;
  /** Tensor-parallel degree per instance. */
  tp: number | null;
  /** GPUs in all. */
  gpus: number | null;
  /** Engine profile the simulation used (the calibration's default engine). */
  engine: string | null;
  mode: DeploymentMode | null;
  /** Replicas (colocated, llumnix) or prefill + decode instances (disaggregated). */
  instances: number | null;
  prefillInstances?: number;
  decodeInstances?: number;
  /** Input tokens per request as this candidate counts them (text, plus images). */
  inputTokens: number;
  /** Self-hosted vision models: the share of visual tokens kept (HiRED). */
  visualTokenBudget?: number;
  /** Relative quality 0..1; null where nothing published says. */
  quality: number | null;
  qualityBasis: string[];
  ttftP90Ms: number | null;
  tpotP90Ms: number | null;
  /** Share meeting both SLOs (simulated); null for hosted models and without SLOs. */
  attainment: number | null;
  /** Self-hosted: whether the sized layout serves the load (the SLOs at the target, or a short queue); null for hosted. */
  servesLoad: boolean | null;
  costPer1kRequestsUsd: number;
  energyJPerRequest: number | null;
  /** Budgets this candidate misses. */
  violates: BudgetName[];
  /** Why it misses each, in words. */
  violations: string[];
  /** Where its latency comes from: "simulated", "published ...", "user-set". */
  latencySource: string;
  /** The command that reproduces its figures (self-hosted). */
  simulateCommand?: string;
  notes: string[];
}

export interface PlanRecommendation {
  id: string | null;
  reason: string;
  /** A feasible candidate of higher quality that costs at most 2% more (the reason names it). */
  upgrade?: string;
  /** When nothing meets the budgets: the budget(s) that bind. */
  binding?: BudgetName[];
}

export interface PlanResult {
  candidates: PlanCandidate[];
  /** Candidate ids on the cost-quality-latency frontier. */
  pareto: string[];
  recommendation: PlanRecommendation;
  /** Budgets as applied (defaults filled in). */
  budgets: PlanBudgets & { attainment: number };
  /** Configurations left out, and why (a model that does not fit, a precision without quality data). */
  skipped: string[];
  simulations: number;
  elapsedMs: number;
}
