import { formatCount } from '../../core/format/numbers';
import { booleanFlag, parseArgs, stringFlag } from '../args';
import { UsageError, type CliCommand } from '../command';
import { loadCatalog } from '../input';
import { renderTable } from '../table';

const USAGE = `usage: capsule models [--catalog FILE] [--json]

Lists the model catalog: prices in USD per 1M tokens, context window, tokenizer, source date.
  --catalog FILE   also load a price file (LiteLLM model_prices_and_context_window.json)
  --json           the rows as JSON`;

const price = (x: number | null) => (x === null ? '-' : x.toFixed(x < 1 ? 3 : 2));

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'list the model catalog (prices, context windows, tokenizers)',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, { catalog: { kind: 'string' }, json: { kind: 'boolean' } });
    if (args.positionals.length > 0) throw new UsageError(`models takes no arguments, got '${args.positionals[0]}'`);
    const catalog = await loadCatalog(stringFlag(args, 'catalog'), io);
    if (booleanFlag(args, 'json')) {
      io.stdout.write(JSON.stringify({ reviewed: catalog.reviewed, models: catalog.models }, null, 2) + '\n');
      return 0;
    }
    io.stdout.write(
      renderTable(catalog.models, [
        { header: 'id', value: (m) => m.id },
        { header: 'provider', value: (m) => m.provider },
        { header: 'tokenizer', value: (m) => (m.tokenizerExact ? m.tokenizer : `~${m.tokenizer} x${m.estimateRatio}`) },
        { header: 'input $/1M', value: (m) => price(m.inputPerMTok), align: 'right' },
        { header: 'cached $/1M', value: (m) => price(m.cachedInputPerMTok), align: 'right' },
        { header: 'output $/1M', value: (m) => price(m.outputPerMTok), align: 'right' },
        { header: 'context', value: (m) => formatCount(m.contextWindow), align: 'right' },
        { header: 'max out', value: (m) => formatCount(m.maxOutputTokens), align: 'right' },
        { header: 'vision', value: (m) => (m.vision ? 'yes' : 'no') },
        { header: 'as of', value: (m) => m.asOf },
      ]),
    );
    io.stdout.write(`\n${catalog.models.length} models. "~" marks estimated token counts (tokenizer not public). Sources: capsule models --json\n`);
    return 0;
  },
};
