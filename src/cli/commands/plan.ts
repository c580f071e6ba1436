import { countForModels } from '../../core/count/countModels';
import { formatMs, formatUsd } from '../../core/format/numbers';
import { HIRED_CAVEAT } from '../../core/plan/hired';
import { hostedModels, parseHostedLatency } from '../../core/plan/hosted';
import { PLAN_DEFAULTS, PlanInputError, planBudget } from '../../core/plan/planner';
import type { PlanCandidate, PlanQuery, PlanResult, PlanSpace } from '../../core/plan/types';
import type { DeploymentMode } from '../../core/sim/simulate';
import { getTokenizer } from '../../core/tokens/tokenizer';
import { booleanFlag, numberFlag, parseArgs, stringFlag, type ParsedArgs } from '../args';
import { UsageError, type CliCommand, type CliIo } from '../command';
import { loadCatalog, readInputText, requireText } from '../input';
import { renderTable } from '../table';

const USAGE = `usage: capsule plan [FILE|-] [--input-tokens N] --output-tokens N (--rate R | --concurrency C) [budgets] [candidates] [--json]

Plans a model budget: every candidate configuration for the workload (hosted API models
priced from the catalog, and self-hosted sub-model x precision x GPU x deployment layouts
sized and simulated), the budgets each misses, the Pareto frontier of cost, quality and
latency, and the cheapest candidate that meets every budget.

Workload:
  FILE | -                the prompt (its o200k_base tokens; exact per hosted model), or
  --input-tokens N        its o200k_base token count instead of a file
  --output-tokens N       expected output tokens per request (required)
  --rate R                Poisson arrivals, requests/s   (or --concurrency C closed-loop clients)
  --images N --image-size WxH   images attached to each request (vision models only)
  --visual-token-budget P self-hosted vision models keep this share of visual tokens (HiRED, 0.2..1; default 1)
  --requests N --seed S   requests per simulation (default 1000) and seed (default 1), as 'capsule simulate'
Budgets:
  --slo-ttft-ms X --slo-tpot-ms Y   latency SLOs, met by --attainment of requests (default 0.9)
  --min-quality Q         0..1 relative to the full model at 16-bit
  --max-cost-per-1k USD   cost per 1,000 requests
  --max-energy-j J        energy per request
Candidates:
  --gpus a100-80gb,h100-sxm      GPUs allowed (default ${PLAN_DEFAULTS.gpus.join(',')})
  --max-gpus N                   most GPUs per deployment (default ${PLAN_DEFAULTS.maxGpus})
  --families llama-2-13b-soft,...  sub-model families or 'capsule simulate' model ids (default ${PLAN_DEFAULTS.families.join(',')})
  --precisions fp16,int8,...     (default ${PLAN_DEFAULTS.precisions.join(',')})
  --modes colocated,disaggregated,llumnix   (default all three)
  --engines current,tensorrt-llm,lmdeploy,sglang   engine profiles (default ${PLAN_DEFAULTS.engines.join(',')}: today's vLLM/NIM)
  --hosted default|all|none|ID,...  hosted models (default: those with a latency figure)
  --hosted-latency FILE.json     your own hosted latency: {"ID": {"ttftMs": N, "outputTokensPerSec": N, "source": "..."}}
  --catalog FILE                 also load a price file (LiteLLM's or ours)
  --top N                        rows in the table (default 15; --json prints every candidate)
  --json                         machine-readable output`;

const list = (args: ParsedArgs, name: string) =>
  stringFlag(args, name)
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function imageFlags(args: ParsedArgs): PlanQuery['workload']['images'] {
  const count = numberFlag(args, 'images');
  const size = stringFlag(args, 'image-size');
  if (count === undefined && size === undefined) return undefined;
  if (count === undefined || size === undefined) throw new UsageError('give --images N together with --image-size WxH');
  const match = /^(\d+)x(\d+)$/i.exec(size);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new UsageError(`--image-size '${size}': expected WIDTHxHEIGHT in pixels, e.g. 1024x768`);
  return { count, width: Number(match[1]), height: Number(match[2]) };
}

async function spaceFlags(args: ParsedArgs, io: CliIo): Promise<PlanSpace> {
  const space: PlanSpace = {};
  const gpus = list(args, 'gpus');
  if (gpus) space.gpus = gpus;
  const maxGpus = numberFlag(args, 'max-gpus');
  if (maxGpus !== undefined) space.maxGpus = maxGpus;
  const families = list(args, 'families');
  if (families) space.families = families;
  const precisions = list(args, 'precisions');
  if (precisions) space.precisions = precisions;
  const modes = list(args, 'modes');
  if (modes) {
    for (const m of modes) if (m !== 'colocated' && m !== 'disaggregated' && m !== 'llumnix') throw new UsageError(`--modes: '${m}' is not colocated, disaggregated or llumnix`);
    space.modes = modes as DeploymentMode[];
  }
  const engines = list(args, 'engines');
  if (engines) space.engines = engines;
  const hosted = stringFlag(args, 'hosted');
  if (hosted !== undefined) space.hosted = hosted === 'default' || hosted === 'all' || hosted === 'none' ? hosted : list(args, 'hosted')!;
  const latencyFile = stringFlag(args, 'hosted-latency');
  if (latencyFile !== undefined) {
    const { text } = await readInputText(latencyFile, io);
    try {
      space.hostedLatency = parseHostedLatency(JSON.parse(text));
    } catch (err) {
      throw new UsageError(`--hosted-latency '${latencyFile}': ${(err as Error).message}`);
    }
  }
  const visual = numberFlag(args, 'visual-token-budget');
  if (visual !== undefined) space.visualTokenBudget = visual;
  return space;
}

const ms = (x: number | null) => (x === null ? '—' : formatMs(x));

function where(c: PlanCandidate): string {
  if (c.kind === 'hosted') return 'hosted API';
  const layout = c.mode === 'disaggregated' ? `${c.prefillInstances}P+${c.decodeInstances}D` : `x${c.instances}`;
  return `${c.gpus} × ${c.gpu} TP${c.tp} ${c.mode} ${layout}${c.engine && c.engine !== 'current' ? ` ${c.engine}` : ''}`;
}

export function formatPlan(result: PlanResult, top: number): string {
  const pareto = new Set(result.pareto);
  const rec = result.recommendation.id;
  const byCost = [...result.candidates].sort((a, b) => a.costPer1kRequestsUsd - b.costPer1kRequestsUsd);
  // The recommendation first, then the frontier, then the rest, each cheapest first; shown by cost.
  const ranked = [...byCost.filter((c) => c.id === rec), ...byCost.filter((c) => c.id !== rec && pareto.has(c.id)), ...byCost.filter((c) => c.id !== rec && !pareto.has(c.id))];
  const table = renderTable(ranked.slice(0, top).sort((a, b) => a.costPer1kRequestsUsd - b.costPer1kRequestsUsd), [
    { header: '', value: (c) => (c.id === rec ? '→' : pareto.has(c.id) ? '◆' : '') },
    { header: 'candidate', value: (c) => (c.kind === 'hosted' ? c.modelName : `${c.model} ${c.precision}`) },
    { header: 'where', value: where },
    { header: 'quality', value: (c) => (c.quality === null ? '—' : c.quality.toFixed(3)), align: 'right' },
    { header: 'TTFT p90', value: (c) => ms(c.ttftP90Ms), align: 'right' },
    { header: 'TPOT p90', value: (c) => ms(c.tpotP90Ms), align: 'right' },
    { header: 'cost/1k req', value: (c) => formatUsd(c.costPer1kRequestsUsd), align: 'right' },
    { header: 'J/req', value: (c) => (c.energyJPerRequest === null ? '—' : c.energyJPerRequest.toFixed(0)), align: 'right' },
    { header: 'misses', value: (c) => c.violates.join(',') },
  ]);
  const lines = [
    `${result.candidates.length} candidates (${result.candidates.filter((c) => c.violates.length === 0).length} meet every budget), ${result.pareto.length} on the Pareto frontier (◆), ${result.simulations} simulations in ${(result.elapsedMs / 1000).toFixed(1)} s.`,
    '',
    table,
    `${rec ? 'Recommendation (→)' : 'Recommendation'}: ${result.recommendation.reason}`,
  ];
  const recommended = result.candidates.find((c) => c.id === rec);
  if (recommended?.simulateCommand) lines.push(`Reproduce: ${recommended.simulateCommand}`);
  if (result.candidates.some((c) => c.visualTokenBudget !== undefined && c.visualTokenBudget < 1)) lines.push(`HiRED: ${HIRED_CAVEAT}`);
  if (result.candidates.length > top) lines.push(`(${result.candidates.length - top} more rows: --top N or --json)`);
  if (result.skipped.length > 0) lines.push(`Left out: ${result.skipped.slice(0, 5).join('; ')}${result.skipped.length > 5 ? ` (+${result.skipped.length - 5} more)` : ''}`);
  return `${lines.join('\n')}\n`;
}

export const planCommand: CliCommand = {
  name: 'plan',
  summary: 'plan a model budget: the cheapest configuration meeting latency, quality, cost and energy budgets',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, {
      'input-tokens': { kind: 'integer', min: 1 },
      'output-tokens': { kind: 'integer', min: 1 },
      rate: { kind: 'number', min: 0 },
      concurrency: { kind: 'integer', min: 1 },
      requests: { kind: 'integer', min: 1, max: 100_000 },
      seed: { kind: 'integer', min: 0 },
      'slo-ttft-ms': { kind: 'number', min: 0 },
      'slo-tpot-ms': { kind: 'number', min: 0 },
      attainment: { kind: 'number', min: 0.01, max: 1 },
      'min-quality': { kind: 'number', min: 0, max: 1 },
      'max-cost-per-1k': { kind: 'number', min: 0 },
      'max-energy-j': { kind: 'number', min: 0 },
      gpus: { kind: 'string' },
      'max-gpus': { kind: 'integer', min: 1, max: 64 },
      families: { kind: 'string' },
      precisions: { kind: 'string' },
      modes: { kind: 'string' },
      engines: { kind: 'string' },
      hosted: { kind: 'string' },
      'hosted-latency': { kind: 'string' },
      images: { kind: 'integer', min: 0, max: 100 },
      'image-size': { kind: 'string' },
      'visual-token-budget': { kind: 'number', min: 0.2, max: 1 },
      catalog: { kind: 'string' },
      top: { kind: 'integer', min: 1 },
      json: { kind: 'boolean' },
    });
    if (args.positionals.length > 1) throw new UsageError('plan takes at most one FILE');
    const outputTokens = numberFlag(args, 'output-tokens');
    if (outputTokens === undefined) throw new UsageError('--output-tokens N is required (expected output tokens per request)');
    const rate = numberFlag(args, 'rate');
    const concurrency = numberFlag(args, 'concurrency');
    if ((rate === undefined) === (concurrency === undefined)) throw new UsageError('give exactly one of --rate R and --concurrency C');
    if (rate !== undefined && rate <= 0) throw new UsageError('--rate must be above 0');
    const catalog = await loadCatalog(stringFlag(args, 'catalog'), io);
    const space = await spaceFlags(args, io);

    let inputTokens = numberFlag(args, 'input-tokens');
    let hostedInputTokens: Record<string, number> | undefined;
    if (inputTokens !== undefined && args.positionals.length > 0) throw new UsageError('give FILE or --input-tokens N, not both');
    if (inputTokens === undefined) {
      const { text, name } = await readInputText(args.positionals[0], io);
      requireText(text, name);
      if (text.trim().length === 0) throw new UsageError(`${name} is empty: nothing to plan for (or give --input-tokens N)`);
      inputTokens = Math.max(1, getTokenizer('o200k_base').count(text));
      const hosted = hostedModels(catalog.models, space).models;
      hostedInputTokens = Object.fromEntries(countForModels(text, hosted).map((c) => [c.modelId, c.tokens]));
    }
    const query: PlanQuery = {
      workload: {
        inputTokens,
        ...(hostedInputTokens ? { hostedInputTokens } : {}),
        outputTokens,
        arrival: rate !== undefined ? { kind: 'rate', rate } : { kind: 'concurrency', concurrency: concurrency! },
        ...(numberFlag(args, 'requests') !== undefined ? { requests: numberFlag(args, 'requests')! } : {}),
        ...(numberFlag(args, 'seed') !== undefined ? { seed: numberFlag(args, 'seed')! } : {}),
      },
      budgets: {},
      space,
    };
    const images = imageFlags(args);
    if (images) query.workload.images = images;
    const budgetFlags = [
      ['slo-ttft-ms', 'sloTtftMs'],
      ['slo-tpot-ms', 'sloTpotMs'],
      ['attainment', 'attainment'],
      ['min-quality', 'minQuality'],
      ['max-cost-per-1k', 'maxCostPer1kUsd'],
      ['max-energy-j', 'maxEnergyJ'],
    ] as const;
    for (const [flag, key] of budgetFlags) {
      const value = numberFlag(args, flag);
      if (value !== undefined) query.budgets[key] = value;
    }
    let result: PlanResult;
    try {
      result = planBudget(query, { catalog: catalog.models });
    } catch (err) {
      if (err instanceof PlanInputError) throw new UsageError(err.message);
      throw err;
    }
    io.stdout.write(booleanFlag(args, 'json') ? `${JSON.stringify(result, null, 2)}\n` : formatPlan(result, numberFlag(args, 'top') ?? 15));
    return 0;
  },
};

