import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { buildCatalog } from '../../core/catalog/catalog';
import { buildModelRows } from '../../core/count/budgetRows';
import { countByTokenizer } from '../../core/count/countModels';
import { formatCount, formatPercent, formatUsd } from '../../core/format/numbers';
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
    io.stdout.write(out.join('\n') + '\n');
    return 0;
  },
};
