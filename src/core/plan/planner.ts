/**
 * The budget planner: every candidate configuration for a workload (hosted API models and
 * self-hosted sub-model x precision x GPU x deployment layouts, simulated), the budgets each
 * misses, the cost-quality-latency frontier, and the cheapest candidate meeting every budget.
 * Pure and synchronous (it runs in the worker); it polls the cancel signal between simulations.
 */
import { bundledCatalog } from '../catalog/catalog';
import type { ModelEntry } from '../catalog/types';
import { BUNDLED_CALIBRATION } from '../sim/calibration';
import { GPUS, PRECISIONS } from '../sim/catalog';
import { SimulationConfigError } from '../sim/simulate';
import { throwIfAborted, type CancelSignal } from '../worker/cancellation';
import { checkBudgets, paretoFrontier, recommend } from './choose';
import { VISUAL_BUDGET_LIMITS } from './hired';
import { hostedCandidate, hostedModels } from './hosted';
import { precisionQuality } from './quality';
import { expandFamily, selfHostedCandidate, sizeCandidate, type SelfHostedContext } from './selfHosted';
import { PLAN_DEFAULTS } from './defaults';
import type { PlanBudgets, PlanCandidate, PlanQuery, PlanResult } from './types';

export { PLAN_DEFAULTS };


export class PlanInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanInputError';
  }
}

export interface PlanOptions {
  /** Hosted models to price (default: the bundled catalog). */
  catalog?: readonly ModelEntry[];
  signal?: CancelSignal;
  /** Called after each configuration (done, total). */
  progress?: (done: number, total: number) => void;
}

function checkQuery(query: PlanQuery): void {
  const w = query.workload;
  const positiveInt = (x: number, name: string) => {
    if (!Number.isInteger(x) || x < 1) throw new PlanInputError(`${name} must be a whole number of at least 1, got ${x}`);
  };
  positiveInt(w.inputTokens, 'input tokens');
  positiveInt(w.outputTokens, 'output tokens');
  if (w.arrival.kind === 'rate' && !(w.arrival.rate > 0)) throw new PlanInputError('the request rate must be above 0');
  if (w.arrival.kind === 'concurrency') positiveInt(w.arrival.concurrency, 'concurrency');
  if (w.images) {
    positiveInt(w.images.width, 'image width');
    positiveInt(w.images.height, 'image height');
    if (!Number.isInteger(w.images.count) || w.images.count < 0) throw new PlanInputError('the image count must be 0 or more');
  }
  const b = query.budgets;
  if (b.attainment !== undefined && !(b.attainment > 0 && b.attainment <= 1)) throw new PlanInputError('attainment must be in (0, 1]');
  if (b.minQuality !== undefined && !(b.minQuality >= 0 && b.minQuality <= 1)) throw new PlanInputError('the quality floor must be between 0 and 1');
  const v = query.space?.visualTokenBudget;
  if (v !== undefined && !(v >= VISUAL_BUDGET_LIMITS.min && v <= VISUAL_BUDGET_LIMITS.max)) {
    throw new PlanInputError(`the visual-token budget must be between ${VISUAL_BUDGET_LIMITS.min} and ${VISUAL_BUDGET_LIMITS.max} (HiRED's published range starts at 20%)`);
  }
  for (const gpu of query.space?.gpus ?? []) {
    if (!GPUS.some((g) => g.id === gpu)) throw new PlanInputError(`unknown GPU '${gpu}' (one of ${GPUS.map((g) => g.id).join(', ')})`);
  }
  for (const p of query.space?.precisions ?? []) {
    if (!PRECISIONS.some((x) => x.id === p)) throw new PlanInputError(`unknown precision '${p}' (one of ${PRECISIONS.map((x) => x.id).join(', ')})`);
  }
  for (const e of query.space?.engines ?? []) {
    if (!(PLAN_DEFAULTS.engineChoices as readonly string[]).includes(e)) throw new PlanInputError(`unknown engine '${e}' (one of ${PLAN_DEFAULTS.engineChoices.join(', ')})`);
  }
  const maxGpus = query.space?.maxGpus;
  if (maxGpus !== undefined) positiveInt(maxGpus, 'the most GPUs');
}

export function planBudget(query: PlanQuery, options: PlanOptions = {}): PlanResult {
  const started = Date.now();
  checkQuery(query);
  const space = query.space ?? {};
  const workload = query.workload;
  const budgets: PlanBudgets & { attainment: number } = { ...query.budgets, attainment: query.budgets.attainment ?? PLAN_DEFAULTS.attainment };
  const signal = options.signal ?? { aborted: false };
  const skipped: string[] = [];
  const candidates: PlanCandidate[] = [];

  const hosted = hostedModels(options.catalog ?? bundledCatalog().models, space);
  skipped.push(...hosted.skipped);
  for (const m of hosted.models) {
    const c = hostedCandidate(m, workload, space);
    if (typeof c === 'string') skipped.push(c);
    else candidates.push(c);
  }

  const subModels = [];
  for (const family of space.families ?? PLAN_DEFAULTS.families) {
    const expanded = expandFamily(family);
    if (typeof expanded === 'string') throw new PlanInputError(expanded);
    const images = workload.images?.count ?? 0;
    const text = images > 0 ? expanded.filter((sub) => !sub.model.visionTokensPerImage) : [];
    if (text.length > 0) skipped.push(`${family}: takes no images (no vision encoder)`);
    subModels.push(...expanded.filter((sub) => !text.includes(sub)));
  }
  const precisions = [...(space.precisions ?? PLAN_DEFAULTS.precisions)];
  for (const p of precisions) if (!precisionQuality(p)) skipped.push(`${p}: no published quality figure, so its candidates have none (they miss any quality floor)`);
  const gpus = space.gpus ?? PLAN_DEFAULTS.gpus;
  const modes = space.modes ?? PLAN_DEFAULTS.modes;
  let simulations = 0;
  const ctx: SelfHostedContext = {
    workload,
    budgets,
    maxGpus: space.maxGpus ?? PLAN_DEFAULTS.maxGpus,
    visualTokenBudget: space.visualTokenBudget ?? PLAN_DEFAULTS.visualTokenBudget,
    signal,
    onSimulation: () => simulations++,
  };
  const engines = space.engines ?? PLAN_DEFAULTS.engines;
  const total = subModels.length * precisions.length * gpus.length * modes.length * engines.length;
  let done = 0;
  for (const engine of engines) {
    // The default engine runs without --engine, exactly as `capsule simulate` does by default.
    const engineCtx: SelfHostedContext = engine === BUNDLED_CALIBRATION.defaultEngine ? ctx : { ...ctx, engine };
    for (const sub of subModels) {
      for (const precision of precisions) {
        for (const gpu of gpus) {
          for (const mode of modes) {
            throwIfAborted(signal);
            try {
              const sized = sizeCandidate(sub, precision, gpu, mode, engineCtx);
              if (typeof sized === 'string') skipped.push(`${mode}: ${sized}`);
              else candidates.push(selfHostedCandidate(sub, sized, engineCtx));
            } catch (err) {
              if (!(err instanceof SimulationConfigError)) throw err;
              skipped.push(`${sub.model.name}, ${precision}, ${gpu}, ${mode}, ${engine}: ${err.message}`);
            }
            options.progress?.(++done, total);
          }
        }
      }
    }
  }

  for (const c of candidates) Object.assign(c, checkBudgets(c, budgets));
  return {
    candidates,
    pareto: paretoFrontier(candidates, workload.outputTokens),
    recommendation: recommend(candidates, workload.outputTokens),
    budgets,
    skipped: [...new Set(skipped)],
    simulations,
    elapsedMs: Date.now() - started,
  };
}
