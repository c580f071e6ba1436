import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { compressPrompt } from '../../core/capsule';
import { buildCatalog } from '../../core/catalog/catalog';
import { buildModelRows } from '../../core/count/budgetRows';
import { countByTokenizer } from '../../core/count/countModels';
import { estimateCost } from '../../core/cost/cost';
import { formatCount, formatPercent, formatUsd } from '../../core/format/numbers';
import { estimateServing } from '../../core/serving/estimate';
import { planBudget } from '../../core/plan/planner';
import { bundledModelDir } from '../../core/onnx/bundled';
import { LocalModel } from '../../core/onnx/localModel';
import { compressWithLocalModel } from '../../core/onnx/service';
import { parseArgs } from '../args';
import { UsageError, type CliCommand } from '../command';
import { renderTable } from '../table';

/** The bundled sample prompt; dist/cli.js and out/src/cli/commands/*.js both find it. */
export async function readSamplePrompt(): Promise<{ text: string; file: string }> {
  const candidates = [
    path.resolve(__dirname, '../media/samples/support-agent-prompt.md'),
    path.resolve(__dirname, '../../../../media/samples/support-agent-prompt.md'),
  ];
  for (const file of candidates) {
    try {
      return { text: await readFile(file, 'utf8'), file };
    } catch {
      // try the next layout
    }
  }
  throw new Error('bundled sample prompt not found (media/samples/support-agent-prompt.md)');
}

const DEMO_USAGE = { callsPerDay: 10_000, outputTokens: 300 };

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'show what Prompt Capsule does on a bundled sample prompt (offline)',
  usage: 'usage: capsule demo\n\nCounts and prices a bundled sample prompt for every catalog model. No network, no key.',
  async run(argv, io) {
    const args = parseArgs(argv, {});
    if (args.positionals.length > 0) throw new UsageError('demo takes no arguments');
    const { text, file } = await readSamplePrompt();
    const catalog = buildCatalog();
    const counts = countByTokenizer(text, catalog.models.map((m) => m.tokenizer));
    const rows = buildModelRows(catalog.models, counts, DEMO_USAGE).sort((a, b) => a.perCallUsd - b.perCallUsd);
    const out: string[] = [];
    out.push(`Prompt Capsule demo: ${path.basename(file)} (${formatCount(text.length)} characters)`);
    out.push(`Exact counts: ${[...counts].map(([id, n]) => `${id} ${formatCount(n)}`).join(', ')}`);
    out.push(`Cost per call = prompt + ${DEMO_USAGE.outputTokens} output tokens; per day = ${formatCount(DEMO_USAGE.callsPerDay)} calls.`);
    out.push('');
    out.push(
      renderTable(rows, [
        { header: 'model', value: (r) => r.id },
        { header: 'tokens', value: (r) => (r.exact ? '' : '~') + formatCount(r.tokens), align: 'right' },
        { header: 'input/call', value: (r) => formatUsd(r.inputCostUsd), align: 'right' },
        { header: 'per call', value: (r) => formatUsd(r.perCallUsd), align: 'right' },
        { header: 'per day', value: (r) => formatUsd(r.perDayUsd), align: 'right' },
        { header: 'context used', value: (r) => formatPercent(r.contextShare, 1), align: 'right' },
        { header: 'prices as of', value: (r) => r.asOf },
      ]).trimEnd(),
    );
    out.push('');
    out.push('"~" = estimate: that model\'s tokenizer is not public; see `capsule models` for the basis.');

    // The capsule: the same prompt compressed to half its tokens, offline.
    const { capsule, report } = compressPrompt(text, { rate: 0.5, tokenizer: 'o200k_base' });
    const gpt4o = catalog.get('gpt-4o')!;
    const before = estimateCost(gpt4o, report.originalTokens, DEMO_USAGE);
    const after = estimateCost(gpt4o, report.capsuleTokens, DEMO_USAGE);
    out.push('');
    out.push(`Capsule at rate 0.5 (built-in compressor, ${report.elapsedMs.toFixed(0)} ms):`);
    out.push(
      `  ${formatCount(report.originalTokens)} -> ${formatCount(report.capsuleTokens)} tokens (kept ${formatPercent(report.rateReached, 1)}${report.withinBudget ? ', within budget' : `, ${report.budgetNote}`})`,
    );
    out.push(`  gpt-4o input per call ${formatUsd(before.inputCostUsd)} -> ${formatUsd(after.inputCostUsd)}; per day ${formatUsd(before.perDayUsd)} -> ${formatUsd(after.perDayUsd)}`);
    out.push(`  kept byte for byte: ${report.protected.map((p) => `${p.kind} ${p.count}`).join(', ') || 'nothing'}`);
    out.push(`  dropped: ${report.dropped.map((d) => `${d.category} ${formatCount(d.tokens)} tokens`).join(', ') || 'nothing'}`);
    out.push('');
    out.push('--- capsule ---');
    out.push(capsule.trimEnd());
    out.push('---------------');

    // The same with the bundled local model, at full depth (no calibration: the demo writes no cache).
    const modelDir = bundledModelDir(__dirname);
    try {
      const maxDepth = LocalModel.load(modelDir, 'cpu').maxDepth;
      const local = await compressWithLocalModel(text, { rate: 0.5, tokenizer: 'o200k_base' }, { modelDir, provider: 'cpu', depth: maxDepth, precision: 'int8' });
      const builtinWords = new Set(capsule.split(/\s+/));
      const differing = local.capsule.split(/\s+/).filter((w) => w && !builtinWords.has(w)).length;
      out.push('');
      out.push(
        `With the bundled local model (--backend onnx: ${local.local.modelId} depth ${local.local.depth}/${local.local.maxDepth} ${local.local.precision} on ${local.local.provider}, ${local.local.modelMs.toFixed(0)} ms for ${formatCount(local.local.modelTokens)} model tokens after ${local.local.loadMs.toFixed(0)} ms loading it):`,
      );
      out.push(`  ${formatCount(local.report.originalTokens)} -> ${formatCount(local.report.capsuleTokens)} tokens; ${formatCount(differing)} of its words are not in the built-in capsule`);
    } catch (error) {
      out.push('', `(local model not run: ${(error as Error).message})`);
    }

    // Serving: the prompt and its capsule sent to a self-hosted model, simulated.
    const serving = estimateServing({
      model: 'llama-3.1-8b', gpu: 'h100-sxm', precision: 'bf16', mode: 'colocated', rate: 8, outputTokens: DEMO_USAGE.outputTokens,
      sloTtftMs: 300, sloTpotMs: 50, gpus: 2, inputTokens: report.originalTokens, capsuleTokens: report.capsuleTokens,
    });
    out.push('');
    out.push(`Serving simulation: Llama-3.1-8B on 2x H100 (bf16), 8 req/s, ${DEMO_USAGE.outputTokens} output tokens, SLO TTFT 300 ms / TPOT 50 ms`);
    out.push(`(simulator: ${serving.calibration.label})`);
    const modeRows = [...serving.modes, ...(serving.capsule ? [{ ...serving.capsule, mode: 'capsule/colocated' }] : [])];
    out.push(
      renderTable(modeRows, [
        { header: 'mode', value: (r) => String(r.mode) },
        { header: 'TTFT p50', value: (r) => ('error' in r ? '-' : `${r.ttftMs.p50.toFixed(0)} ms`), align: 'right' },
        { header: 'TTFT p90', value: (r) => ('error' in r ? '-' : `${r.ttftMs.p90.toFixed(0)} ms`), align: 'right' },
        { header: 'TPOT p90', value: (r) => ('error' in r ? '-' : `${r.tpotMs.p90.toFixed(1)} ms`), align: 'right' },
        { header: 'SLO met', value: (r) => ('error' in r ? '-' : formatPercent(r.sloAttainment, 1)), align: 'right' },
        { header: '$/1k req', value: (r) => ('error' in r ? '-' : formatUsd(r.costPer1kRequestsUsd)), align: 'right' },
        { header: 'note', value: (r) => ('error' in r ? r.error : r.layout) },
      ]).trimEnd(),
    );
    if (!('error' in serving.goodput)) out.push(`Goodput (colocated): ${serving.goodput.rps.toFixed(2)} req/s, ${serving.goodput.perGpu.toFixed(2)} per GPU at 90% SLO attainment.`);

    // The budget planner for the capsule: the cheapest configuration meeting the budgets.
    const plan = planBudget(
      { workload: { inputTokens: report.capsuleTokens, outputTokens: DEMO_USAGE.outputTokens, arrival: { kind: 'rate', rate: 8 } }, budgets: { sloTtftMs: 300, sloTpotMs: 50, minQuality: 0.95 } },
      { catalog: catalog.models },
    );
    out.push('');
    out.push(
      `Budget plan for the capsule (8 req/s, SLOs 300/50 ms, quality >= 0.95): ${plan.candidates.length} candidates, ${plan.candidates.filter((c) => c.violates.length === 0).length} meet every budget, ${plan.pareto.length} on the Pareto frontier (${plan.simulations} simulations, ${(plan.elapsedMs / 1000).toFixed(1)} s; 'capsule plan' for the table).`,
    );
    out.push(`  ${plan.recommendation.reason}`);
    io.stdout.write(out.join('\n') + '\n');
    return 0;
  },
};
