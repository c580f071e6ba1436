/**
 * Hosted API candidates: cost from the catalog's prices, latency from a published (dated,
 * sourced) or user-set figure. A hosted model is the provider's full model, so its relative
 * quality is 1 on the planner's scale (which compares a model with its own full version,
 * never one family with another; README).
 */
import type { ModelEntry } from '../catalog/types';
import latencyFile from './data/hosted-latency.json';
import { imageTokensFor } from './imageTokens';
import type { HostedLatency, PlanCandidate, PlanSpace, PlanWorkload } from './types';

export const PUBLISHED_HOSTED_LATENCY: ReadonlyMap<string, HostedLatency> = new Map(
  latencyFile.models.map((m) => [m.id, { ttftMs: m.ttftMs, outputTokensPerSec: m.outputTokensPerSec, source: m.source, asOf: m.asOf, origin: 'published' as const }]),
);

export function hostedLatency(id: string, space: PlanSpace): HostedLatency | undefined {
  const user = space.hostedLatency?.[id];
  if (user) return { ...user, origin: 'user' };
  return PUBLISHED_HOSTED_LATENCY.get(id);
}

/** The hosted models a plan considers (see PlanSpace.hosted). */
export function hostedModels(catalog: readonly ModelEntry[], space: PlanSpace): { models: ModelEntry[]; skipped: string[] } {
  const choice = space.hosted ?? 'default';
  if (choice === 'none') return { models: [], skipped: [] };
  if (choice === 'all') return { models: [...catalog], skipped: [] };
  if (choice === 'default') return { models: catalog.filter((m) => hostedLatency(m.id, space) !== undefined), skipped: [] };
  const skipped: string[] = [];
  const models: ModelEntry[] = [];
  for (const id of choice) {
    const m = catalog.find((x) => x.id === id);
    if (m) models.push(m);
    else skipped.push(`hosted model '${id}' is not in the price catalog`);
  }
  return { models, skipped };
}

/** Prompt tokens for a hosted model: its exact count when given, else o200k_base scaled by its ratio. */
function textTokens(m: ModelEntry, workload: PlanWorkload): { tokens: number; note?: string } {
  const exact = workload.hostedInputTokens?.[m.id];
  if (exact !== undefined) return { tokens: exact };
  if (m.tokenizer === 'o200k_base' && m.tokenizerExact) return { tokens: workload.inputTokens };
  return { tokens: Math.round(workload.inputTokens * (m.estimateRatio ?? 1)), note: `input tokens estimated from the o200k_base count${m.estimateRatio ? ` × ${m.estimateRatio}` : ''}` };
}

export function hostedCandidate(m: ModelEntry, workload: PlanWorkload, space: PlanSpace): PlanCandidate | string {
  const images = workload.images;
  let imageTokens = 0;
  const notes: string[] = [];
  if (images && images.count > 0) {
    if (!m.vision) return `${m.name} does not take images`;
    const perImage = imageTokensFor(m.id, images.width, images.height);
    if (!perImage) return `${m.name}: no documented image-token rule`;
    imageTokens = perImage.tokens * images.count;
    notes.push(`${images.count} image(s) of ${images.width}×${images.height}: ${perImage.tokens} tokens each by ${perImage.rule}${perImage.estimate ? ' (an estimate)' : ''}`);
  }
  const text = textTokens(m, workload);
  if (text.note) notes.push(text.note);
  const inputTokens = text.tokens + imageTokens;
  if (inputTokens + workload.outputTokens > m.contextWindow) return `${m.name}: ${inputTokens} input + ${workload.outputTokens} output tokens exceed its ${m.contextWindow}-token context`;
  const perRequest = (inputTokens * m.inputPerMTok + workload.outputTokens * m.outputPerMTok) / 1e6;
  const latency = hostedLatency(m.id, space);
  const tpot = latency ? 1000 / latency.outputTokensPerSec : null;
  notes.push(`prices as of ${m.asOf} (${m.source})`);
  return {
    id: `hosted:${m.id}`,
    kind: 'hosted',
    model: m.id,
    modelName: m.name,
    depth: null,
    maxDepth: null,
    precision: null,
    gpu: null,
    tp: null,
    gpus: null,
    engine: null,
    mode: null,
    instances: null,
    inputTokens,
    quality: 1,
    qualityBasis: [`${m.name} is the provider's full model: 1 on the scale, which compares sub-models and precisions of one model with its full 16-bit self, not one family with another`],
    ttftP90Ms: latency ? latency.ttftMs : null,
    tpotP90Ms: tpot !== null && workload.outputTokens > 1 ? tpot : null,
    attainment: null,
    servesLoad: null,
    costPer1kRequestsUsd: perRequest * 1000,
    energyJPerRequest: null,
    violates: [],
    violations: [],
    latencySource: latency
      ? latency.origin === 'user'
        ? `user-set (${latency.source})`
        : `published median, third party, ${latency.asOf}: ${latency.source} (a median, compared with the SLOs as the p90 is unpublished)`
      : 'no published latency',
    notes,
  };
}

/**
 * User-set hosted latency (a settings object or a JSON file): `{ "<model id>": { "ttftMs": 600,
 * "outputTokensPerSec": 80, "source": "our p90, Nov 2026" } }`. Throws a message naming the
 * first bad entry.
 */
export function parseHostedLatency(json: unknown): Record<string, Omit<HostedLatency, 'origin'>> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('hosted latency must be an object of model id -> { ttftMs, outputTokensPerSec, source? }');
  const out: Record<string, Omit<HostedLatency, 'origin'>> = {};
  for (const [id, raw] of Object.entries(json as Record<string, unknown>)) {
    const row = raw as Record<string, unknown> | null;
    const ttft = row?.ttftMs;
    const speed = row?.outputTokensPerSec;
    if (typeof ttft !== 'number' || !(ttft > 0) || !Number.isFinite(ttft)) throw new Error(`hosted latency '${id}': ttftMs must be a number above 0`);
    if (typeof speed !== 'number' || !(speed > 0) || !Number.isFinite(speed)) throw new Error(`hosted latency '${id}': outputTokensPerSec must be a number above 0`);
    const source = typeof row?.source === 'string' && row.source.trim() ? row.source.trim() : 'set by the user';
    out[id] = { ttftMs: ttft, outputTokensPerSec: speed, source };
  }
  return out;
}
