/**
 * Self-hosted candidates: a family's sub-models x precision x GPU x deployment mode, each
 * sized (tensor-parallel degree, replicas) for the workload and the SLOs, then simulated.
 * The figures are the simulator's own: a candidate's `simulateCommand` prints the same.
 */
import { BUNDLED_CALIBRATION } from '../sim/calibration';
import { getGpu, getPrecision, MODELS, type ServingModel } from '../sim/catalog';
import { describeCoverage } from '../sim/coverage';
import { planMemory } from '../sim/memory';
import { simulate, type DeploymentMode, type DeploymentSpec, type SimulationConfig, type SimulationResult } from '../sim/simulate';
import { deploymentFor as servingDeployment } from '../serving/estimate';
import { servingTokens } from '../serving/options';
import { TENSOR_PARALLEL_CHOICES } from '../protocol/panel';
import { throwIfAborted, type CancelSignal } from '../worker/cancellation';
import { visualTokensKept, visualBudgetQuality } from './hired';
import { candidateQuality, subModelFamilies, type QualityEstimate } from './quality';
import type { PlanBudgets, PlanCandidate, PlanWorkload } from './types';

/** One sub-model a family offers: a simulator model id and its depth. */
export interface SubModel {
  family: string;
  /** Sub-model family id in data/quality.json; undefined for a model offered at full depth only. */
  qualityFamily?: string;
  model: ServingModel;
  depth: number;
  maxDepth: number;
}

/** A family id expands to its published depths (Sorted LLaMA) or to one full-depth model. */
export function expandFamily(family: string): SubModel[] | string {
  const sub = subModelFamilies().find((f) => f.family === family);
  if (sub) {
    const out: SubModel[] = [];
    for (const d of sub.depths) {
      const model = MODELS.find((m) => m.id === `${family}-l${d.layers}`);
      if (model) out.push({ family, qualityFamily: family, model, depth: d.layers, maxDepth: sub.layers });
    }
    return out.length > 0 ? out : `${family}: no simulator model for its depths`;
  }
  const model = MODELS.find((m) => m.id === family);
  if (!model) {
    const known = [...subModelFamilies().map((f) => f.family), ...MODELS.map((m) => m.id)].join(', ');
    return `unknown family '${family}' (one of ${known})`;
  }
  return [{ family, model, depth: model.layers, maxDepth: model.layers }];
}

export interface LayoutChoice {
  tp: number;
  instances: number;
  deployment: DeploymentSpec;
}

/** Tensor-parallel degrees tried, smallest first (they must divide the heads). */
const TP_CHOICES = TENSOR_PARALLEL_CHOICES;

/** Instances of `tp` GPUs laid out as the Serving card lays them out, so "Simulate this" reproduces a candidate. */
const deploymentFor = (mode: DeploymentMode, tp: number, instances: number): DeploymentSpec => servingDeployment(mode, instances * tp, tp).spec;

const minInstances = (mode: DeploymentMode) => (mode === 'colocated' ? 1 : 2);

export interface SelfHostedContext {
  workload: PlanWorkload;
  /** Engine profile (data/calibration.json); undefined: the simulator's default, as `capsule simulate` without --engine. */
  engine?: string;
  budgets: PlanBudgets & { attainment: number };
  maxGpus: number;
  visualTokenBudget: number;
  signal?: CancelSignal;
  /** Counts simulations (shared by the whole plan). */
  onSimulation(): void;
}

/** Input tokens a self-hosted model sees: its own count of the text, plus the visual tokens kept. */
export function selfHostedInputTokens(model: ServingModel, workload: PlanWorkload, visualTokenBudget: number): number {
  const text = servingTokens(model.id, workload.inputTokens).tokens;
  const images = workload.images?.count ?? 0;
  if (images === 0 || !model.visionTokensPerImage) return text;
  return text + images * visualTokensKept(model.visionTokensPerImage, visualTokenBudget);
}

function configFor(sub: SubModel, precision: string, gpu: string, deployment: DeploymentSpec, inputTokens: number, ctx: SelfHostedContext, requests?: number): SimulationConfig {
  const w = ctx.workload;
  const config: SimulationConfig = {
    model: sub.model.id,
    gpu,
    precision,
    deployment,
    workload: {
      requests: requests ?? w.requests ?? 1000,
      arrival: w.arrival.kind === 'rate' ? { kind: 'poisson', rate: w.arrival.rate } : { kind: 'closed', concurrency: w.arrival.concurrency },
      input: { kind: 'fixed', tokens: inputTokens },
      output: { kind: 'fixed', tokens: w.outputTokens },
      seed: w.seed ?? 1,
    },
  };
  if (ctx.engine !== undefined) config.engineProfile = ctx.engine;
  const { sloTtftMs, sloTpotMs } = ctx.budgets;
  if (sloTtftMs !== undefined || sloTpotMs !== undefined) {
    config.slo = { ...(sloTtftMs !== undefined ? { ttftMs: sloTtftMs } : {}), ...(sloTpotMs !== undefined ? { tpotMs: sloTpotMs } : {}) };
  }
  return config;
}

/** The `capsule simulate` command line that reproduces a candidate's figures. */
export function simulateCommand(config: SimulationConfig): string {
  const d = config.deployment;
  const w = config.workload;
  const parts = ['capsule simulate', `--model ${config.model}`, `--gpu ${config.gpu}`, `--precision ${config.precision ?? 'fp16'}`, `--tp ${d.tensorParallel ?? 1}`, `--mode ${d.mode}`];
  if (d.mode === 'disaggregated') parts.push(`--prefill-instances ${d.prefillInstances}`, `--decode-instances ${d.decodeInstances}`);
  else parts.push(`--instances ${d.instances}`);
  parts.push(`--input-tokens ${w.input.kind === 'fixed' ? w.input.tokens : 0}`, `--output-tokens ${w.output.kind === 'fixed' ? w.output.tokens : 0}`);
  if (w.arrival.kind === 'poisson') parts.push(`--rate ${w.arrival.rate}`);
  else if (w.arrival.kind === 'closed') parts.push(`--concurrency ${w.arrival.concurrency}`);
  if (w.requests !== 1000) parts.push(`--requests ${w.requests}`);
  if (config.slo?.ttftMs !== undefined) parts.push(`--slo-ttft-ms ${config.slo.ttftMs}`);
  if (config.slo?.tpotMs !== undefined) parts.push(`--slo-tpot-ms ${config.slo.tpotMs}`);
  if (w.seed !== 1) parts.push(`--seed ${w.seed}`);
  if (config.engineProfile !== undefined) parts.push(`--engine ${config.engineProfile}`);
  return parts.join(' ');
}

/**
 * Whether a simulated deployment serves the load: with SLOs, the attainment target; without,
 * a queue that stays short (the 90th-percentile wait for a first token within one lone
 * request's end-to-end time), so that "no SLO" never means "an ever-growing backlog".
 */
function serves(result: SimulationResult, alone: SimulationResult, ctx: SelfHostedContext): boolean {
  if (result.sloAttainment !== null) return result.sloAttainment >= ctx.budgets.attainment;
  return result.ttftMs.p90 <= alone.ttftMs.p90 + alone.e2eMs.p90;
}

/** A lone request already misses an SLO: more replicas cannot help, a wider tensor-parallel group may. */
function aloneMissesSlo(alone: SimulationResult, ctx: SelfHostedContext): boolean {
  const { sloTtftMs, sloTpotMs } = ctx.budgets;
  return (sloTtftMs !== undefined && alone.ttftMs.p50 > sloTtftMs) || (sloTpotMs !== undefined && ctx.workload.outputTokens > 1 && alone.tpotMs.p50 > sloTpotMs);
}

export interface SizedCandidate {
  config: SimulationConfig;
  result: SimulationResult;
  tp: number;
  instances: number;
  inputTokens: number;
  /** Whether the layout serves the load (the SLOs at the attainment target, or a short queue). */
  serves: boolean;
  /** How the layout was chosen, in words. */
  sizing: string;
}

interface Probe {
  instances: number;
  config: SimulationConfig;
  result: SimulationResult;
  ok: boolean;
}

/**
 * The layout of one (sub-model, precision, GPU, mode) with the fewest GPUs that serves the
 * workload. For each tensor-parallel degree that holds a request (and whose lone request meets
 * the SLOs), the fewest instances that serve the load: probe the smallest count, gallop
 * (by the throughput shortfall when saturated, else doubling) until one serves, then bisect
 * between the last that did not and the first that did. A wider group is tried only while it
 * could still use fewer GPUs than the best found. When nothing serves within maxGpus, the
 * layout with the most capacity is returned, marked as not serving. Attainment is taken to
 * grow with instances (the bisection's premise). A reason instead when nothing fits at all.
 */
export function sizeCandidate(sub: SubModel, precision: string, gpuId: string, mode: DeploymentMode, ctx: SelfHostedContext): SizedCandidate | string {
  const model = sub.model;
  const gpu = getGpu(gpuId);
  const prec = getPrecision(precision);
  const inputTokens = selfHostedInputTokens(model, ctx.workload, ctx.visualTokenBudget);
  const longest = inputTokens + ctx.workload.outputTokens;
  if (longest > model.maxContext) return `${model.name}: ${inputTokens} input + ${ctx.workload.outputTokens} output tokens exceed its ${model.maxContext}-token context`;
  const least = minInstances(mode);
  const holds = TP_CHOICES.filter((tp) => model.heads % tp === 0 && planMemory(model, gpu, prec, tp).kvCapacityTokens >= longest);
  if (holds.length === 0) return `${model.name} in ${precision} does not fit on ${TP_CHOICES.at(-1)} × ${gpu.name} with room for one request`;
  const fits = holds.filter((tp) => tp * least <= ctx.maxGpus);
  if (fits.length === 0) return `${mode} ${model.name} in ${precision} needs at least ${holds[0]! * least} × ${gpu.name} (${least} instance${least > 1 ? 's' : ''} of TP ${holds[0]}); at most ${ctx.maxGpus} allowed`;

  const simulateOnce = (config: SimulationConfig) => {
    throwIfAborted(ctx.signal ?? { aborted: false });
    ctx.onSimulation();
    return simulate(config);
  };
  const offered = ctx.workload.arrival.kind === 'rate' ? ctx.workload.arrival.rate : 0;
  let best: (Probe & { tp: number; tried: number[] }) | undefined;
  let fallback: (Probe & { tp: number; tried: number[] }) | undefined;
  const notes: string[] = [];
  for (const tp of fits) {
    if (best && tp * least >= best.result.gpus) break; // a wider group cannot use fewer GPUs
    const alone = simulateOnce(configFor(sub, precision, gpuId, deploymentFor(mode, tp, least), inputTokens, ctx, 1));
    const most = Math.floor(ctx.maxGpus / tp);
    const probes = new Map<number, Probe>();
    const probe = (instances: number): Probe => {
      const known = probes.get(instances);
      if (known) return known;
      const config = configFor(sub, precision, gpuId, deploymentFor(mode, tp, instances), inputTokens, ctx);
      const result = simulateOnce(config);
      const out = { instances, config, result, ok: serves(result, alone, ctx) };
      probes.set(instances, out);
      return out;
    };
    if (aloneMissesSlo(alone, ctx)) {
      // More instances cannot help a request that misses alone; keep one row to show why.
      notes.push(`TP ${tp}: a lone request misses an SLO`);
      if (!fallback) fallback = { ...probe(least), tp, tried: [least] };
      continue;
    }
    // Gallop to a count that serves.
    let failing = least - 1;
    let current = probe(least);
    while (!current.ok && current.instances < most) {
      failing = current.instances;
      const achieved = current.result.throughput.requestsPerSec;
      const estimate = offered > 0 && achieved > 0 ? Math.ceil((current.instances * offered) / achieved) : current.instances * 2;
      current = probe(Math.min(most, Math.max(current.instances + 1, estimate)));
    }
    if (!current.ok) {
      notes.push(`TP ${tp}: not served by ${most} instances`);
      if (!fallback || fallback.result.sloAttainment === null || (current.result.sloAttainment ?? 0) > (fallback.result.sloAttainment ?? 0)) fallback = { ...current, tp, tried: [...probes.keys()] };
      continue;
    }
    // Bisect down to the fewest that serve.
    let lo = failing;
    let hi = current;
    while (hi.instances - lo > 1) {
      const mid = probe(Math.floor((lo + hi.instances) / 2));
      if (mid.ok) hi = mid;
      else lo = mid.instances;
    }
    if (!best || hi.result.gpus < best.result.gpus || (hi.result.gpus === best.result.gpus && hi.result.costPer1kRequestsUsd < best.result.costPer1kRequestsUsd)) {
      best = { ...hi, tp, tried: [...probes.keys()] };
    }
  }
  const chosen = best ?? fallback!;
  const target = ctx.budgets.sloTtftMs !== undefined || ctx.budgets.sloTpotMs !== undefined ? `${Math.round(ctx.budgets.attainment * 100)}% within the SLOs` : 'a short queue';
  const sizing = best
    ? `TP ${chosen.tp} × ${chosen.instances}: the fewest GPUs for ${target} (instances tried at TP ${chosen.tp}: ${chosen.tried.sort((a, b) => a - b).join(', ')}${notes.length ? `; ${notes.join('; ')}` : ''})`
    : `${target} not reached within ${ctx.maxGpus} GPUs (${notes.join('; ')}); shown: TP ${chosen.tp} × ${chosen.instances}`;
  return { config: chosen.config, result: chosen.result, tp: chosen.tp, instances: chosen.instances, inputTokens, serves: best !== undefined, sizing };
}

/** Builds a candidate row from a sized, simulated layout. */
export function selfHostedCandidate(sub: SubModel, sized: SizedCandidate, ctx: SelfHostedContext): PlanCandidate {
  const { config, result } = sized;
  const d = config.deployment;
  const precision = config.precision ?? 'fp16';
  let quality: QualityEstimate | undefined = candidateQuality(sub.qualityFamily, sub.qualityFamily ? sub.depth : undefined, precision, sub.qualityFamily ? undefined : sub.model.id);
  const visual = (ctx.workload.images?.count ?? 0) > 0 && sub.model.visionTokensPerImage ? ctx.visualTokenBudget : undefined;
  if (quality && visual !== undefined && visual < 1) {
    const v = visualBudgetQuality(sub.model.id, visual);
    quality = v ? { relative: quality.relative * v.relative, basis: [...quality.basis, ...v.basis] } : undefined;
  }
  const engine = config.engineProfile ?? BUNDLED_CALIBRATION.defaultEngine;
  const id = [sub.model.id, precision, config.gpu, `tp${sized.tp}`, d.mode, `x${sized.instances}`, ...(visual !== undefined ? [`v${Math.round(visual * 100)}`] : []), ...(config.engineProfile !== undefined ? [config.engineProfile] : [])].join(':');
  const candidate: PlanCandidate = {
    id,
    kind: 'self-hosted',
    model: sub.model.id,
    modelName: sub.model.name,
    depth: sub.depth,
    maxDepth: sub.maxDepth,
    precision,
    gpu: config.gpu,
    tp: sized.tp,
    gpus: result.gpus,
    engine,
    mode: d.mode,
    instances: sized.instances,
    ...(d.mode === 'disaggregated' ? { prefillInstances: d.prefillInstances!, decodeInstances: d.decodeInstances! } : {}),
    inputTokens: sized.inputTokens,
    ...(visual !== undefined ? { visualTokenBudget: visual } : {}),
    quality: quality?.relative ?? null,
    qualityBasis: quality?.basis ?? [`no published quality for ${precision}${sub.qualityFamily ? ` at depth ${sub.depth}` : ''}`],
    ttftP90Ms: result.ttftMs.p90,
    tpotP90Ms: ctx.workload.outputTokens > 1 ? result.tpotMs.p90 : null,
    attainment: result.sloAttainment,
    servesLoad: sized.serves,
    costPer1kRequestsUsd: result.costPer1kRequestsUsd,
    energyJPerRequest: result.energyJPerRequest,
    violates: [],
    violations: [],
    latencySource: `simulated (${result.completedRequests} requests, seed ${config.workload.seed}); ${describeCoverage(engine, config.gpu, getGpu(config.gpu).name)}`,
    simulateCommand: simulateCommand(config),
    notes: [sized.sizing],
  };
  if (visual !== undefined && visual < 1) candidate.notes.push(`HiRED keeps ${Math.round(visual * 100)}% of each image's visual tokens: ${visualTokensKept(sub.model.visionTokensPerImage!, visual)} of ${sub.model.visionTokensPerImage}`);
  return candidate;
}
