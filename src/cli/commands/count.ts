import { countForModels } from '../../core/count/countModels';
import { estimateCost } from '../../core/cost/cost';
import { formatCount, formatUsd } from '../../core/format/numbers';
import { booleanFlag, numberFlag, parseArgs, stringFlag } from '../args';
import { UsageError, type CliCommand } from '../command';
import { loadCatalog, readInputText, requireModel, requireText } from '../input';

export const DEFAULT_MODEL_ID = 'gpt-4o';

const USAGE = `usage: capsule count [FILE|-] [--model ID] [--calls N] [--output-tokens M] [--catalog FILE] [--json]

Counts the tokens of FILE (stdin when FILE is - or absent) with the model's tokenizer
and prices one call (input only, or input + M output tokens), and N calls.
  --model ID          catalog model (default ${DEFAULT_MODEL_ID}; see 'capsule models')
  --calls N           number of calls to price (default 1)
  --output-tokens M   expected output tokens per call (default 0)
  --catalog FILE      also load a price file (LiteLLM model_prices_and_context_window.json)
  --json              machine-readable output`;

export const countCommand: CliCommand = {
  name: 'count',
  summary: 'count tokens and cost of a prompt for a model',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, {
      model: { kind: 'string' },
      calls: { kind: 'integer', min: 0 },
      'output-tokens': { kind: 'integer', min: 0 },
      catalog: { kind: 'string' },
      json: { kind: 'boolean' },
    });
    if (args.positionals.length > 1) throw new UsageError('count takes at most one FILE');
    const catalog = await loadCatalog(stringFlag(args, 'catalog'), io);
    const model = requireModel(catalog, stringFlag(args, 'model') ?? DEFAULT_MODEL_ID);
    const { text, name } = await readInputText(args.positionals[0], io);
    requireText(text, name);
    const calls = numberFlag(args, 'calls') ?? 1;
    const outputTokens = numberFlag(args, 'output-tokens') ?? 0;
    const [count] = countForModels(text, [model]);
    const tokens = count!.tokens;
    const cost = estimateCost(model, tokens, { callsPerDay: calls, outputTokens });
    if (booleanFlag(args, 'json')) {
      const result = {
        tokens,
        tokenizer: model.tokenizer,
        model: model.id,
        inputCostUsd: cost.inputCostUsd,
        exact: count!.exact,
        characters: text.length,
        outputTokens,
        outputCostUsd: cost.outputCostUsd,
        perCallUsd: cost.perCallUsd,
        calls,
        totalUsd: cost.perDayUsd,
        contextWindow: model.contextWindow,
        overflowsContext: cost.overflowsContext,
        priceSource: model.source,
        priceAsOf: model.asOf,
      };
      io.stdout.write(JSON.stringify(result) + '\n');
      return 0;
    }
    const label = count!.exact ? `${model.tokenizer}` : `estimate from ${model.tokenizer} x ${model.estimateRatio}`;
    const lines = [
      `${formatCount(tokens)} tokens (${label}) in ${name}, ${formatCount(text.length)} characters`,
      `${model.name} (${model.id}): input ${formatUsd(cost.inputCostUsd)} per call` +
        (outputTokens > 0 ? `, + ${formatCount(outputTokens)} output tokens ${formatUsd(cost.outputCostUsd)} = ${formatUsd(cost.perCallUsd)}` : ''),
    ];
    if (calls !== 1) lines.push(`${formatCount(calls)} calls: ${formatUsd(cost.perDayUsd)}`);
    if (cost.overflowsContext) lines.push(`warning: ${formatCount(tokens + outputTokens)} tokens exceed the ${formatCount(model.contextWindow)}-token context window`);
    lines.push(`prices as of ${model.asOf}: ${model.source}`);
    io.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
