/**
 * Budgets, the Pareto frontier and the recommendation: pure functions of the candidates'
 * figures, so each rule is tested on hand-made rows.
 */
import { formatPercent, formatUsd } from '../format/numbers';
import { BUDGET_NAMES, type BudgetName, type PlanBudgets, type PlanCandidate, type PlanRecommendation } from './types';

/** Within this share of the cheapest's cost, a higher-quality candidate is pointed out. */
export const NEAR_COST_SHARE = 0.02;

const usd = formatUsd;

/** Which budgets a candidate misses, and why, in words. Unknown figures miss a budget set on them. */
export function checkBudgets(c: PlanCandidate, budgets: PlanBudgets & { attainment: number }): { violates: BudgetName[]; violations: string[] } {
  const violates: BudgetName[] = [];
  const violations: string[] = [];
  const miss = (name: BudgetName, why: string) => {
    violates.push(name);
    violations.push(why);
  };
  const pct = (x: number) => formatPercent(x, 1);
  const target = budgets.attainment;
  for (const [name, slo, value, label] of [
    ['sloTtftMs', budgets.sloTtftMs, c.ttftP90Ms, 'TTFT'],
    ['sloTpotMs', budgets.sloTpotMs, c.tpotP90Ms, 'TPOT'],
  ] as const) {
    if (slo === undefined) continue;
    if (name === 'sloTpotMs' && c.tpotP90Ms === null && c.ttftP90Ms !== null) continue; // one output token: no TPOT
    if (value === null) {
      miss(name, `${label} SLO ${slo} ms: ${c.latencySource}`);
      continue;
    }
    if (c.attainment !== null) {
      // Simulated: the attainment target decides; the SLO whose p90 is over it is the one missed
      // (both, when each alone is within it but not the two together).
      if (c.attainment >= target) continue;
      const [otherSlo, otherValue] = name === 'sloTtftMs' ? [budgets.sloTpotMs, c.tpotP90Ms] : [budgets.sloTtftMs, c.ttftP90Ms];
      const otherOver = otherSlo !== undefined && otherValue !== null && otherValue > otherSlo;
      if (value > slo || !otherOver) miss(name, `${pct(c.attainment)} of requests meet the SLOs, under the ${pct(target)} target; ${label} p90 ${value.toFixed(0)} ms against ${slo} ms`);
    } else if (value > slo) {
      miss(name, `${label} ${value.toFixed(0)} ms is over the ${slo} ms SLO (${c.latencySource})`);
    }
  }
  // Without SLOs, a deployment that cannot keep up (an ever-growing queue) still misses: its
  // figures are those of a backlog, and its cost is that of the throughput it reached.
  const hasSlo = budgets.sloTtftMs !== undefined || budgets.sloTpotMs !== undefined;
  if (c.servesLoad === false && !hasSlo) miss('load', `does not keep up with the request rate: the queue grows (TTFT p90 ${c.ttftP90Ms?.toFixed(0) ?? '?'} ms)`);
  if (budgets.minQuality !== undefined) {
    if (c.quality === null) miss('minQuality', `quality floor ${budgets.minQuality}: ${c.qualityBasis.join('; ')}`);
    else if (c.quality < budgets.minQuality) miss('minQuality', `quality ${c.quality.toFixed(3)} is under the floor ${budgets.minQuality}`);
  }
  if (budgets.maxCostPer1kUsd !== undefined && c.costPer1kRequestsUsd > budgets.maxCostPer1kUsd) {
    miss('maxCostPer1kUsd', `${usd(c.costPer1kRequestsUsd)} per 1k requests is over the ${usd(budgets.maxCostPer1kUsd)} cap`);
  }
  if (budgets.maxEnergyJ !== undefined) {
    if (c.energyJPerRequest === null) miss('maxEnergyJ', `energy cap ${budgets.maxEnergyJ} J: no published energy for a hosted model`);
    else if (c.energyJPerRequest > budgets.maxEnergyJ) miss('maxEnergyJ', `${c.energyJPerRequest.toFixed(0)} J per request is over the ${budgets.maxEnergyJ} J cap`);
  }
  return { violates, violations };
}

/** End-to-end latency of one request at the 90th percentile's figures (TTFT + TPOT x the rest). */
export function latencyMs(c: PlanCandidate, outputTokens: number): number | null {
  if (c.ttftP90Ms === null) return null;
  if (outputTokens <= 1) return c.ttftP90Ms;
  return c.tpotP90Ms === null ? null : c.ttftP90Ms + c.tpotP90Ms * (outputTokens - 1);
}

/**
 * The candidates no other beats on cost, quality and latency together (lower cost, higher
 * quality, lower latency; one strictly better). Candidates with an unknown figure are left out.
 */
export function paretoFrontier(candidates: readonly PlanCandidate[], outputTokens: number): string[] {
  const points = candidates
    .map((c) => ({ id: c.id, cost: c.costPer1kRequestsUsd, quality: c.quality, latency: latencyMs(c, outputTokens) }))
    .filter((p): p is { id: string; cost: number; quality: number; latency: number } => p.quality !== null && p.latency !== null);
  const dominates = (a: (typeof points)[number], b: (typeof points)[number]) =>
    a.cost <= b.cost && a.quality >= b.quality && a.latency <= b.latency && (a.cost < b.cost || a.quality > b.quality || a.latency < b.latency);
  return points.filter((p) => !points.some((q) => q !== p && dominates(q, p))).map((p) => p.id);
}

const BUDGET_WORDS: Record<BudgetName, string> = {
  sloTtftMs: 'the TTFT SLO',
  sloTpotMs: 'the TPOT SLO',
  minQuality: 'the quality floor',
  maxCostPer1kUsd: 'the cost cap',
  maxEnergyJ: 'the energy cap',
  load: 'the request rate',
};

/** Cheaper first; ties: higher quality, then lower latency, then id (a stable order). */
export function byCost(outputTokens: number) {
  return (a: PlanCandidate, b: PlanCandidate) =>
    a.costPer1kRequestsUsd - b.costPer1kRequestsUsd ||
    (b.quality ?? -1) - (a.quality ?? -1) ||
    (latencyMs(a, outputTokens) ?? Infinity) - (latencyMs(b, outputTokens) ?? Infinity) ||
    a.id.localeCompare(b.id);
}

export function describeCandidate(c: PlanCandidate): string {
  if (c.kind === 'hosted') return `${c.modelName} (hosted API)`;
  const depth = c.depth !== null && c.maxDepth !== null && c.depth < c.maxDepth && !c.modelName.includes('layers') ? `, ${c.depth} of ${c.maxDepth} layers` : '';
  const layout = c.mode === 'disaggregated' ? `${c.prefillInstances} prefill + ${c.decodeInstances} decode` : `${c.instances} instance${c.instances === 1 ? '' : 's'}`;
  const engine = c.engine && c.engine !== 'current' ? ` with ${c.engine}` : '';
  return `${c.modelName}${depth}, ${c.precision}, ${c.mode} on ${c.gpus} × ${c.gpu} (TP ${c.tp}, ${layout})${engine}`;
}

/**
 * The cheapest candidate meeting every budget, with the reason; or none, with the budget
 * that binds: the one that alone stands between the most candidates and feasibility (ties:
 * every such budget), or the most missed when no single budget does.
 */
export function recommend(candidates: readonly PlanCandidate[], outputTokens: number): PlanRecommendation {
  const feasible = candidates.filter((c) => c.violates.length === 0).sort(byCost(outputTokens));
  const best = feasible[0];
  if (best) {
    const quality = best.quality !== null ? `, quality ${best.quality.toFixed(3)}` : '';
    const head = `${describeCandidate(best)} is the cheapest of ${feasible.length} candidate${feasible.length === 1 ? '' : 's'} meeting every budget: ${usd(best.costPer1kRequestsUsd)} per 1k requests${quality}`;
    // Deployments of the same GPUs cost nearly the same at a given rate (the GPU hours are
    // paid either way): say so when a better model is within a hair of the cheapest.
    const close = feasible.filter((c) => c.costPer1kRequestsUsd <= best.costPer1kRequestsUsd * (1 + NEAR_COST_SHARE) && (c.quality ?? -1) > (best.quality ?? -1));
    const upgrade = close.sort((a, b) => (b.quality ?? -1) - (a.quality ?? -1) || a.costPer1kRequestsUsd - b.costPer1kRequestsUsd)[0];
    const recommendation: PlanRecommendation = { id: best.id, reason: '' };
    if (upgrade) {
      const more = ((upgrade.costPer1kRequestsUsd / best.costPer1kRequestsUsd - 1) * 100).toFixed(1);
      recommendation.upgrade = upgrade.id;
      recommendation.reason = `${head}. For ${more}% more (${usd(upgrade.costPer1kRequestsUsd)}), ${describeCandidate(upgrade)} has quality ${upgrade.quality!.toFixed(3)}.`;
    } else {
      const next = feasible[1];
      recommendation.reason = `${head}${next ? `; the next cheapest that meets them, ${describeCandidate(next)}, costs ${usd(next.costPer1kRequestsUsd)}` : '; it is the only one that meets them'}.`;
    }
    return recommendation;
  }
  if (candidates.length === 0) return { id: null, reason: 'None meets the budgets: there are no candidates (check the GPUs, families and hosted models allowed).' };
  const onlyMiss = new Map<BudgetName, PlanCandidate[]>();
  const missed = new Map<BudgetName, number>();
  for (const c of candidates) {
    for (const v of c.violates) missed.set(v, (missed.get(v) ?? 0) + 1);
    if (c.violates.length === 1) onlyMiss.set(c.violates[0]!, [...(onlyMiss.get(c.violates[0]!) ?? []), c]);
  }
  let binding: BudgetName[];
  let detail: string;
  if (onlyMiss.size > 0) {
    const most = Math.max(...[...onlyMiss.values()].map((l) => l.length));
    binding = BUDGET_NAMES.filter((b) => onlyMiss.get(b)?.length === most);
    const cheapest = binding.flatMap((b) => onlyMiss.get(b)!).sort(byCost(outputTokens))[0]!;
    detail = `${most} candidate${most === 1 ? '' : 's'} miss only ${binding.map((b) => BUDGET_WORDS[b]).join(' or ')}; relaxing it, the cheapest would be ${describeCandidate(cheapest)} at ${usd(cheapest.costPer1kRequestsUsd)} per 1k requests (${cheapest.violations.join('; ')})`;
  } else {
    const most = Math.max(...missed.values());
    binding = BUDGET_NAMES.filter((b) => missed.get(b) === most);
    detail = `every candidate misses two or more budgets; ${binding.map((b) => BUDGET_WORDS[b]).join(' and ')} ${binding.length === 1 ? 'is' : 'are'} missed most (${most} of ${candidates.length})`;
  }
  return { id: null, binding, reason: `None meets the budgets: ${detail}.` };
}
