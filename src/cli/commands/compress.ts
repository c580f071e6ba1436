import { formatCount } from '../../core/format/numbers';
import { compressPrompt, DEFAULT_RATE } from '../../core/capsule/index';
import type { CompressOptions } from '../../core/capsule/types';
import { isTokenizerId, TOKENIZER_IDS, type TokenizerId } from '../../core/tokens/tokenizer';
import { booleanFlag, numberFlag, parseArgs, stringFlag, type ParsedArgs } from '../args';
import { UsageError, type CliCommand, type CliIo } from '../command';
import { readInputText, requireText } from '../input';

const BACKENDS = ['builtin'] as const;

const USAGE = `usage: capsule compress [FILE|-] [--rate R | --target-tokens N] [--backend builtin] [--tokenizer ID] [--json | --jsonl]

Compresses a prompt into a capsule under a token budget, keeping its structure,
placeholders, URLs, numbers, code and constraints byte for byte. Reads FILE (stdin
when FILE is - or absent) and prints the capsule; a one-line summary goes to stderr.
  --rate R            fraction of tokens to keep, in (0, 1] (default ${DEFAULT_RATE})
  --target-tokens N   token budget instead of a rate
  --backend builtin   compressor to use (only 'builtin' for now)
  --tokenizer ID      tokenizer the budget is counted with: ${TOKENIZER_IDS.join(', ')} (default o200k_base)
  --json              print {"capsule", "originalTokens", "capsuleTokens", "rate", ...}
  --jsonl             batch mode: each input line is {"id": ..., "prompt": "..."}; each output
                      line is {"id", "capsule", "originalTokens", "capsuleTokens"} or {"id", "error"}.
                      Exit code 1 when any line failed (the others still complete).`;

interface Settings {
  options: CompressOptions;
  tokenizer: TokenizerId;
  mode: 'text' | 'json' | 'jsonl';
}

function readSettings(args: ParsedArgs): Settings {
  const rate = numberFlag(args, 'rate');
  const targetTokens = numberFlag(args, 'target-tokens');
  if (rate !== undefined && targetTokens !== undefined) throw new UsageError('--rate and --target-tokens are mutually exclusive');
  if (rate !== undefined && !(rate > 0 && rate <= 1)) throw new UsageError(`option '--rate' must be in (0, 1], got ${rate}`);
  const json = booleanFlag(args, 'json');
  const jsonl = booleanFlag(args, 'jsonl');
  if (json && jsonl) throw new UsageError('--json and --jsonl are mutually exclusive');
  const backend = stringFlag(args, 'backend') ?? 'builtin';
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    throw new UsageError(`unknown backend '${backend}' (available: ${BACKENDS.join(', ')})`);
  }
  const tokenizerFlag = stringFlag(args, 'tokenizer') ?? 'o200k_base';
  if (!isTokenizerId(tokenizerFlag)) throw new UsageError(`unknown tokenizer '${tokenizerFlag}' (available: ${TOKENIZER_IDS.join(', ')})`);
  const options: CompressOptions = { tokenizer: tokenizerFlag };
  if (targetTokens !== undefined) options.targetTokens = targetTokens;
  else options.rate = rate ?? DEFAULT_RATE;
  return { options, tokenizer: tokenizerFlag, mode: json ? 'json' : jsonl ? 'jsonl' : 'text' };
}

export const compressCommand: CliCommand = {
  name: 'compress',
  summary: 'compress a prompt into a capsule under a token budget',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, {
      rate: { kind: 'number' },
      'target-tokens': { kind: 'integer', min: 0 },
      backend: { kind: 'string' },
      tokenizer: { kind: 'string' },
      json: { kind: 'boolean' },
      jsonl: { kind: 'boolean' },
    });
    if (args.positionals.length > 1) throw new UsageError('compress takes at most one FILE');
    const settings = readSettings(args);
    const { text, name } = await readInputText(args.positionals[0], io);
    if (settings.mode === 'jsonl') return runBatch(text, settings, io);
    requireText(text, name);
    const { capsule, report } = compressPrompt(text, settings.options);
    if (settings.mode === 'json') {
      const result = {
        capsule,
        originalTokens: report.originalTokens,
        capsuleTokens: report.capsuleTokens,
        rate: report.rateReached,
        rateRequested: report.rateRequested,
        targetTokens: report.targetTokens,
        withinBudget: report.withinBudget,
        ...(report.budgetNote !== undefined ? { budgetNote: report.budgetNote } : {}),
        tokenizer: settings.tokenizer,
        backend: 'builtin',
        protected: report.protected,
        dropped: report.dropped,
        elapsedMs: Math.round(report.elapsedMs * 10) / 10,
      };
      io.stdout.write(JSON.stringify(result) + '\n');
      return 0;
    }
    io.stdout.write(capsule.endsWith('\n') || capsule === '' ? capsule : capsule + '\n');
    const summary = `${name}: ${formatCount(report.originalTokens)} -> ${formatCount(report.capsuleTokens)} tokens (${settings.tokenizer}), rate ${report.rateReached.toFixed(2)} for a target of ${formatCount(report.targetTokens)}`;
    io.stderr.write(summary + (report.budgetNote ? `; ${report.budgetNote}` : '') + '\n');
    return 0;
  },
};

/** One capsule per input line; a bad line gets an error object and the rest go on. */
function runBatch(input: string, settings: Settings, io: CliIo): number {
  let failures = 0;
  const lines = input.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    let id: unknown = null;
    try {
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw new Error(`line ${n + 1} is not valid JSON`);
      }
      if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new Error(`line ${n + 1} is not a JSON object`);
      const record = row as Record<string, unknown>;
      id = record['id'] ?? null;
      const prompt = record['prompt'];
      if (typeof prompt !== 'string') throw new Error(`line ${n + 1} has no string "prompt"`);
      requireText(prompt, `the prompt of line ${n + 1}`);
      const { capsule, report } = compressPrompt(prompt, settings.options);
      io.stdout.write(JSON.stringify({ id, capsule, originalTokens: report.originalTokens, capsuleTokens: report.capsuleTokens }) + '\n');
    } catch (error) {
      failures++;
      io.stdout.write(JSON.stringify({ id, error: (error as Error).message }) + '\n');
    }
  }
  return failures > 0 ? 1 : 0;
}
