/**
 * CEMA-style edge/cloud split: each prompt stays on the local model when the local model's
 * predictive entropy over it is low (it is on familiar ground), and goes to the cloud model
 * when it is high. CEMA (Chen et al., ICLR 2024) uses this test to decide which samples an
 * edge model is unreliable on: it keeps a sample when its entropy is under
 * E_max = 0.4 x ln C (C classes; `ent_high_margin: 0.4` in the authors' config). Here C is
 * the local model's vocabulary and the entropy is the mean over the prompt's tokens, in bits:
 * the default threshold is 0.4 x log2(vocabulary). Pure: the measuring is in splitMeasure.ts.
 */
import type { ModelEntry } from '../catalog/types';
import { formatMs, formatPercent, formatUsd } from '../format/numbers';
import type { HostedLatency } from './types';

/** CEMA's high-entropy margin (conf/cema.conf, ent_high_margin). */
export const CEMA_MARGIN = 0.4;

export interface PromptEntropy {
  id: string;
  /** Mean predictive entropy of the local model over the prompt's tokens, bits; null when it predicted none (a one-token prompt), which goes to the cloud. */
  meanEntropyBits: number | null;
  /** The prompt's tokens for the cloud model (exact where its tokenizer is here). */
  cloudTokens: number;
  /** Measured time of the local model over the prompt (its prefill), ms. */
  localPrefillMs: number;
}

export interface SplitOptions {
  thresholdBits: number;
  /** How the threshold was chosen, for the report. */
  thresholdRule: string;
  cloud: ModelEntry;
  cloudLatency: HostedLatency | undefined;
  outputTokens: number;
  /** Measured time of one decode step of the local model (a one-token forward pass), ms. */
  localStepMs: number;
}

export interface SplitSide {
  prompts: number;
  share: number;
  costUsd: number;
  /** Mean end-to-end latency per request (TTFT + decode); null when unknown. */
  meanLatencyMs: number | null;
}

export interface SplitReport {
  thresholdBits: number;
  thresholdRule: string;
  cloudModel: string;
  outputTokens: number;
  local: SplitSide;
  cloud: SplitSide;
  split: { costUsd: number; meanLatencyMs: number | null };
  allCloud: { costUsd: number; meanLatencyMs: number | null };
  /** Share of the all-cloud cost the split saves. */
  savedShare: number;
  entropyQuantiles: { p10: number; p50: number; p90: number };
  routes: Array<{ id: string; meanEntropyBits: number | null; route: 'local' | 'cloud' }>;
  notes: string[];
}

export function cemaThresholdBits(vocabSize: number, margin = CEMA_MARGIN): number {
  return margin * Math.log2(vocabSize);
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] ?? Number.NaN;
const mean = (xs: readonly number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export function splitPrompts(prompts: readonly PromptEntropy[], options: SplitOptions): SplitReport {
  const { cloud, cloudLatency, outputTokens } = options;
  const cloudCost = (p: PromptEntropy) => (p.cloudTokens * cloud.inputPerMTok + outputTokens * cloud.outputPerMTok) / 1e6;
  const cloudMs = cloudLatency ? cloudLatency.ttftMs + ((outputTokens - 1) * 1000) / cloudLatency.outputTokensPerSec : null;
  const localMs = (p: PromptEntropy) => p.localPrefillMs + (outputTokens - 1) * options.localStepMs;
  const routes = prompts.map((p) => ({ id: p.id, meanEntropyBits: p.meanEntropyBits, route: p.meanEntropyBits !== null && p.meanEntropyBits < options.thresholdBits ? ('local' as const) : ('cloud' as const) }));
  const local = prompts.filter((_, i) => routes[i]!.route === 'local');
  const remote = prompts.filter((_, i) => routes[i]!.route === 'cloud');
  const n = Math.max(1, prompts.length);
  const allCloudCost = prompts.reduce((s, p) => s + cloudCost(p), 0);
  const remoteCost = remote.reduce((s, p) => s + cloudCost(p), 0);
  const localLatencies = local.map(localMs);
  const splitLatency = cloudMs === null && remote.length > 0 ? null : mean([...localLatencies, ...remote.map(() => cloudMs ?? 0)]);
  const sorted = prompts.map((p) => p.meanEntropyBits).filter((e): e is number => e !== null).sort((a, b) => a - b);
  const notes = [
    'Local requests are charged nothing per request (your own device); their latency is the measured prefill plus the output tokens at the measured time of a one-token forward pass (a decode step with a KV cache would cost about that; the bundled graphs have none, so it is an estimate).',
    cloudLatency
      ? `Cloud latency: ${cloudLatency.origin === 'user' ? 'user-set' : 'published third-party median'} (${cloudLatency.source}).`
      : `${cloud.name} has no latency figure (set promptCapsule.plan.hostedLatency or --hosted-latency): cloud latency is unknown.`,
    'The rule is CEMA\'s entropy test used as a router: it says where the small model is on familiar ground, not whether its answer would be right.',
  ];
  return {
    thresholdBits: options.thresholdBits,
    thresholdRule: options.thresholdRule,
    cloudModel: cloud.id,
    outputTokens,
    local: { prompts: local.length, share: local.length / n, costUsd: 0, meanLatencyMs: local.length > 0 ? mean(localLatencies) : null },
    cloud: { prompts: remote.length, share: remote.length / n, costUsd: remoteCost, meanLatencyMs: remote.length > 0 ? cloudMs : null },
    split: { costUsd: remoteCost, meanLatencyMs: splitLatency },
    allCloud: { costUsd: allCloudCost, meanLatencyMs: cloudMs },
    savedShare: allCloudCost > 0 ? 1 - remoteCost / allCloudCost : 0,
    entropyQuantiles: { p10: quantile(sorted, 0.1), p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) },
    routes,
    notes,
  };
}

const pct = (x: number) => formatPercent(x, 1);
const usd = formatUsd;
const ms = (x: number | null) => (x === null ? 'unknown' : formatMs(x));

/** The report in sentences, for the terminal and the extension's Markdown report. */
export function describeSplit(r: SplitReport): string[] {
  const q = r.entropyQuantiles;
  return [
    `Threshold ${r.thresholdBits.toFixed(2)} bits (${r.thresholdRule}); prompts' mean entropy p10 ${q.p10.toFixed(2)}, p50 ${q.p50.toFixed(2)}, p90 ${q.p90.toFixed(2)} bits.`,
    `Local: ${r.local.prompts} prompts (${pct(r.local.share)})${r.local.prompts > 0 ? `, mean latency ${ms(r.local.meanLatencyMs)}` : ''}.`,
    `Cloud (${r.cloudModel}): ${r.cloud.prompts} prompts (${pct(r.cloud.share)})${r.cloud.prompts > 0 ? `, ${usd(r.cloud.costUsd)}, mean latency ${ms(r.cloud.meanLatencyMs)}` : ''}.`,
    `Split: ${usd(r.split.costUsd)}, mean latency ${ms(r.split.meanLatencyMs)}; all cloud: ${usd(r.allCloud.costUsd)}, mean latency ${ms(r.allCloud.meanLatencyMs)}. The split saves ${pct(r.savedShare)} of the cost.`,
  ];
}
