import { compressPrompt, DEFAULT_RATE } from '../../core/capsule/index';
import type { CapsuleResult, CompressOptions } from '../../core/capsule/types';
import { buildCatalog, type Catalog } from '../../core/catalog/catalog';
import { formatCount } from '../../core/format/numbers';
import { compressWithLlm, type LlmCapsuleResult } from '../../core/llm/capsulator';
import { compressionEconomics, usageCostUsd } from '../../core/llm/economics';
import { EndpointError, openAiEndpoint, type EndpointConfig, type LlmEndpoint } from '../../core/llm/endpoint';
import { isHttpUrl, isLoopbackHost } from '../../core/llm/hosts';
import { estimateProbeCost, probeAgreement, type ProbeReport } from '../../core/llm/probe';
import { isTokenizerId, TOKENIZER_IDS, type TokenizerId } from '../../core/tokens/tokenizer';
import { booleanFlag, numberFlag, parseArgs, stringFlag, type ParsedArgs } from '../args';
import { compressWithLocalModel, type LocalCapsuleResult, type LocalModelRequest } from '../../core/onnx/service';
import { LOCAL_MODEL_FLAGS, localModelJson, localModelNote, readLocalModelRequest } from '../localModelFlags';
import { LocalRequestError, ModelPackageError, ProviderUnavailableError } from '../../core/onnx/errors';
import { UsageError, type CliCommand, type CliIo } from '../command';
import { readInputText, requireText } from '../input';

const BACKENDS = ['builtin', 'llm', 'onnx'] as const;
type Backend = (typeof BACKENDS)[number];

const USAGE = `usage: capsule compress [FILE|-] [--rate R | --target-tokens N] [--backend builtin|llm|onnx] [--tokenizer ID] [--json | --jsonl]
       capsule compress --backend onnx [--model-dir DIR] [--depth K | --latency-budget-ms MS | --quality-floor Q] [--precision fp32|int8] [--provider auto|cpu|webgpu|cuda]
       capsule compress --backend llm --base-url URL --model NAME [--embeddings-model NAME] [--candidates K] ...

Compresses a prompt into a capsule under a token budget, keeping its structure,
placeholders, URLs, numbers, code and constraints byte for byte. Reads FILE (stdin
when FILE is - or absent) and prints the capsule; a one-line summary goes to stderr.
  --rate R            fraction of tokens to keep, in (0, 1] (default ${DEFAULT_RATE})
  --target-tokens N   token budget instead of a rate
  --backend B         builtin (default: no model, offline), onnx (a local model scores the
                      words; offline) or llm (an OpenAI-compatible API)
  --tokenizer ID      tokenizer the budget is counted with: ${TOKENIZER_IDS.join(', ')} (default o200k_base)
  --json              print {"capsule", "originalTokens", "capsuleTokens", "rate", ...}
  --jsonl             batch mode: each input line is {"id": ..., "prompt": "..."}; each output
                      line is {"id", "capsule", "originalTokens", "capsuleTokens"} or {"id", "error"}.
                      Exit code 1 when any line failed (the others still complete).
Local model backend (onnx; the model bundled with Prompt Capsule unless --model-dir):
  --model-dir DIR     a model package folder (manifest.json, tokenizer, stage graphs)
  --depth K           run the model at depth K (its first K blocks: faster, less accurate)
  --latency-budget-ms MS   else pick the deepest variant predicted to fit MS (default 250),
                      from a one-time calibration of this machine, cached in ~/.cache/prompt-capsule
  --quality-floor Q   or the fastest variant with quality >= Q (0..1 of the full model)
  --precision P       fp32 or int8 (default: the selector's choice)
  --provider P        auto (default: CUDA, then WebGPU, then CPU), cuda, webgpu or cpu
  --json adds "local": {"modelId", "depth", "precision", "provider", "providerNote", "modelMs", "selection"}
  and "depth", "precision", "provider", "modelMs", "selection" (the reason) at the top level.
LLM backend (the prompt is sent to URL; the key comes from CAPSULE_API_KEY, or from
OPENAI_API_KEY for api.openai.com only; none for local servers):
  --base-url URL      e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama)
  --model NAME        the model that writes the capsule
  --embeddings-model NAME   rank candidates by embedding similarity (else by distinctive words kept)
  --candidates K      candidates to ask for, 1-10 (default 3)
  --concurrency C     requests in flight when the server refuses n > 1 (default 3)
  --timeout-ms MS     per request (default 60000); --max-retries N on 429/5xx (default 2)
  --target-model ID   catalog model the capsule is sent to, for the saving and break-even (default gpt-4o)
  --probe N           then ask --probe-model (default --model) N generated questions with the
                      original and with the capsule, and report how often the answers agree
                      (its estimated cost is printed first); --probe-questions FILE: yours, one a line
  --json adds "candidates" (tokens, passed, reason, score), "chosen", "fallback", "usage" (tokens, cost), "probe".
  An endpoint failure prints one line and exits 1; usage errors exit 2.`;

interface Settings {
  options: CompressOptions;
  tokenizer: TokenizerId;
  mode: 'text' | 'json' | 'jsonl';
  backend: Backend;
  local?: LocalModelRequest;
  llm?: {
    endpoint: EndpointConfig;
    /** One client for the whole run (a --jsonl batch reuses its connections). */
    client: LlmEndpoint;
    catalog: Catalog;
    candidates: number;
    concurrency: number;
    targetModel: string;
    probe?: { count: number; questions?: string[]; model: string };
  };
}

/**
 * The key for this endpoint: CAPSULE_API_KEY for any, OPENAI_API_KEY only for OpenAI's
 * own API (a key set for OpenAI must not go to a local server or another company). A key
 * is never sent over plain http to another machine.
 */
function apiKeyFor(url: URL, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const key = env['CAPSULE_API_KEY'] || (url.hostname === 'api.openai.com' ? env['OPENAI_API_KEY'] : undefined);
  if (key && url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new UsageError(`refusing to send the API key over plain http to ${url.host}; use https, or unset CAPSULE_API_KEY for a server that needs none`);
  }
  return key || undefined;
}

function readLlmSettings(args: ParsedArgs, env: Readonly<Record<string, string | undefined>>): NonNullable<Settings['llm']> {
  const baseUrl = stringFlag(args, 'base-url');
  const model = stringFlag(args, 'model');
  if (!baseUrl) throw new UsageError('--backend llm needs --base-url URL (e.g. https://api.openai.com/v1)');
  if (!model) throw new UsageError('--backend llm needs --model NAME');
  if (!isHttpUrl(baseUrl)) throw new UsageError(`--base-url '${baseUrl}' is not an http(s) URL`);
  const apiKey = apiKeyFor(new URL(baseUrl), env);
  const embeddingsModel = stringFlag(args, 'embeddings-model');
  const endpoint: EndpointConfig = {
    baseUrl,
    model,
    timeoutMs: numberFlag(args, 'timeout-ms') ?? 60_000,
    maxRetries: numberFlag(args, 'max-retries') ?? 2,
    ...(apiKey ? { apiKey } : {}),
    ...(embeddingsModel ? { embeddingsModel } : {}),
  };
  const targetModel = stringFlag(args, 'target-model') ?? 'gpt-4o';
  const catalog = buildCatalog();
  // Checked before anything is sent: a paid capsule must not be lost to a typo.
  if (!catalog.get(targetModel)) throw new UsageError(`unknown --target-model '${targetModel}'; see 'capsule models'`);
  const settings: NonNullable<Settings['llm']> = {
    endpoint,
    client: openAiEndpoint(endpoint),
    catalog,
    candidates: numberFlag(args, 'candidates') ?? 3,
    concurrency: numberFlag(args, 'concurrency') ?? 3,
    targetModel,
  };
  const probeCount = numberFlag(args, 'probe');
  if (probeCount !== undefined) settings.probe = { count: probeCount, model: stringFlag(args, 'probe-model') ?? model };
  return settings;
}

function readSettings(args: ParsedArgs, io: CliIo): Settings {
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
  const llmOnly = ['base-url', 'model', 'embeddings-model', 'candidates', 'concurrency', 'timeout-ms', 'max-retries', 'target-model', 'probe', 'probe-questions', 'probe-model'].filter(
    (f) => args.flags[f] !== undefined,
  );
  if (backend !== 'llm' && llmOnly.length > 0) throw new UsageError(`--${llmOnly[0]} goes with --backend llm`);
  const localOnly = Object.keys(LOCAL_MODEL_FLAGS).filter((f) => args.flags[f] !== undefined);
  if (backend !== 'onnx' && localOnly.length > 0) throw new UsageError(`--${localOnly[0]} goes with --backend onnx`);
  const settings: Settings = { options, tokenizer: tokenizerFlag, mode: json ? 'json' : jsonl ? 'jsonl' : 'text', backend: backend as Backend };
  if (backend === 'llm') settings.llm = readLlmSettings(args, io.env ?? process.env);
  if (backend === 'onnx') settings.local = readLocalModelRequest(args, io);
  return settings;
}

type Compressed = CapsuleResult & { llm?: LlmCapsuleResult; local?: LocalCapsuleResult['local'] };

async function compressOne(text: string, settings: Settings): Promise<Compressed> {
  if (settings.local) return compressWithLocalModel(text, settings.options, settings.local);
  if (settings.backend === 'builtin' || !settings.llm) return compressPrompt(text, settings.options);
  const { client, candidates, concurrency } = settings.llm;
  const result = await compressWithLlm(text, { ...settings.options, candidates, concurrency }, client, { builtin: compressPrompt });
  return { ...result, llm: result };
}

/** What --json adds for the LLM backend: candidates, the choice, fallback, usage and cost. */
function llmJson(result: LlmCapsuleResult, settings: Settings): Record<string, unknown> {
  const { catalog } = settings.llm!;
  // Checked when the settings were read.
  const target = catalog.get(settings.llm!.targetModel)!;
  const economics = compressionEconomics(result.usage, catalog.get(result.model), target, {
    originalTokens: result.report.originalTokens,
    capsuleTokens: result.report.capsuleTokens,
    tokenizer: settings.tokenizer,
  });
  return {
    model: result.model,
    endpoint: result.endpoint,
    candidates: result.candidates.map((c) => ({ tokens: c.tokens, passed: c.passed, ...(c.reason ? { reason: c.reason } : {}), ...(c.score !== undefined ? { score: Math.round(c.score * 1000) / 1000 } : {}) })),
    chosen: result.chosen,
    fallback: result.fallback,
    ...(result.fallbackReason ? { fallbackReason: result.fallbackReason } : {}),
    ranking: result.ranking,
    usage: { ...result.usage, costUsd: economics.compressionCostUsd, ...(economics.pricedAs ? { pricedAs: economics.pricedAs } : {}) },
    savingPerCallUsd: economics.savingPerCallUsd,
    breakEvenCalls: economics.breakEvenCalls,
    targetModel: target.id,
  };
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
      'base-url': { kind: 'string' },
      model: { kind: 'string' },
      'embeddings-model': { kind: 'string' },
      candidates: { kind: 'integer', min: 1, max: 10 },
      concurrency: { kind: 'integer', min: 1, max: 16 },
      'timeout-ms': { kind: 'integer', min: 100, max: 600_000 },
      'max-retries': { kind: 'integer', min: 0, max: 10 },
      'target-model': { kind: 'string' },
      probe: { kind: 'integer', min: 1, max: 20 },
      'probe-questions': { kind: 'string' },
      'probe-model': { kind: 'string' },
      ...LOCAL_MODEL_FLAGS,
    });
    if (args.positionals.length > 1) throw new UsageError('compress takes at most one FILE');
    const settings = readSettings(args, io);
    const questionsFile = stringFlag(args, 'probe-questions');
    if (questionsFile && settings.llm) {
      const questions = (await readInputText(questionsFile, io)).text.split('\n').map((q) => q.trim()).filter(Boolean);
      if (questions.length === 0) throw new UsageError(`'${questionsFile}' has no questions (one a line)`);
      settings.llm.probe = { count: questions.length, questions, model: stringFlag(args, 'probe-model') ?? settings.llm.endpoint.model };
    }
    const { text, name } = await readInputText(args.positionals[0], io);
    if (settings.mode === 'jsonl') {
      if (settings.llm?.probe) throw new UsageError('--probe works on one prompt, not with --jsonl');
      return runBatch(text, settings, io);
    }
    requireText(text, name);
    let result: Compressed;
    let probe: (ProbeReport & { costUsd: number | null }) | undefined;
    try {
      result = await compressOne(text, settings);
      if (settings.llm?.probe) probe = await runProbe(text, result, settings, io);
    } catch (error) {
      if (error instanceof LocalRequestError) throw new UsageError(error.message);
      if (!(error instanceof EndpointError || error instanceof ModelPackageError || error instanceof ProviderUnavailableError)) throw error;
      io.stderr.write(`capsule compress: ${error instanceof ModelPackageError ? `bad model package: ${error.message}` : error.message}\n`);
      return 1;
    }
    const { capsule, report } = result;
    if (settings.mode === 'json') {
      const json = {
        capsule,
        originalTokens: report.originalTokens,
        capsuleTokens: report.capsuleTokens,
        rate: report.rateReached,
        rateRequested: report.rateRequested,
        targetTokens: report.targetTokens,
        withinBudget: report.withinBudget,
        ...(report.budgetNote !== undefined ? { budgetNote: report.budgetNote } : {}),
        tokenizer: settings.tokenizer,
        backend: settings.backend,
        protected: report.protected,
        dropped: report.dropped,
        elapsedMs: Math.round(report.elapsedMs * 10) / 10,
        ...(result.llm ? llmJson(result.llm, settings) : {}),
        ...(result.local ? localModelJson(result.local) : {}),
        ...(probe
          ? {
              probe: {
                model: settings.llm!.probe!.model,
                agreement: probe.agreement,
                meanSimilarity: probe.meanSimilarity,
                measure: probe.measure,
                answers: probe.answers.map((a) => ({ question: a.question, similarity: Math.round(a.similarity * 1000) / 1000, agree: a.agree })),
                usage: { promptTokens: probe.promptTokens, completionTokens: probe.completionTokens },
                costUsd: probe.costUsd,
              },
            }
          : {}),
      };
      io.stdout.write(JSON.stringify(json) + '\n');
      return 0;
    }
    io.stdout.write(capsule.endsWith('\n') || capsule === '' ? capsule : capsule + '\n');
    const summary = `${name}: ${formatCount(report.originalTokens)} -> ${formatCount(report.capsuleTokens)} tokens (${settings.tokenizer}), rate ${report.rateReached.toFixed(2)} for a target of ${formatCount(report.targetTokens)}`;
    const llmNote = result.llm ? (result.llm.fallback ? `; built-in capsule used: ${result.llm.fallbackReason}` : `; ${result.llm.model}, candidate ${result.llm.chosen! + 1} of ${result.llm.candidates.length}`) : '';
    const localNote = result.local ? `; ${localModelNote(result.local)}` : '';
    const probeNote = probe ? `; probe: ${probe.answers.filter((a) => a.agree).length} of ${probe.answers.length} answers agree (${probe.measure})` : '';
    io.stderr.write(summary + (report.budgetNote ? `; ${report.budgetNote}` : '') + llmNote + localNote + probeNote + '\n');
    return 0;
  },
};

/** The probe check on the capsule: its estimated cost on stderr first, then the questions. */
async function runProbe(text: string, result: Compressed, settings: Settings, io: CliIo): Promise<ProbeReport & { costUsd: number | null }> {
  const probe = settings.llm!.probe!;
  const priced = settings.llm!.catalog.get(probe.model);
  // The report counted both with the same tokenizer.
  const estimate = estimateProbeCost(result.report.originalTokens, result.report.capsuleTokens, probe.count, !probe.questions, priced);
  io.stderr.write(
    `probe check: ${probe.count} question${probe.count === 1 ? '' : 's'} to ${probe.model}, at most about ${formatCount(estimate.tokens)} tokens` +
      `${estimate.usd === null ? ' (no catalog price for this model)' : ` (~$${estimate.usd.toFixed(4)})`}\n`,
  );
  const endpoint = openAiEndpoint({ ...settings.llm!.endpoint, model: probe.model });
  const report = await probeAgreement(text, result.capsule, endpoint, probe.questions ? { questions: probe.questions } : { count: probe.count });
  const costUsd = priced ? usageCostUsd(report, priced) : null;
  return { ...report, costUsd };
}

/** One capsule per input line; a bad line gets an error object and the rest go on. */
async function runBatch(input: string, settings: Settings, io: CliIo): Promise<number> {
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
      const { capsule, report, llm, local } = await compressOne(prompt, settings);
      const extra = llm ? { fallback: llm.fallback, chosen: llm.chosen, usage: llm.usage } : local ? localModelJson(local) : {};
      io.stdout.write(JSON.stringify({ id, capsule, originalTokens: report.originalTokens, capsuleTokens: report.capsuleTokens, ...extra }) + '\n');
    } catch (error) {
      failures++;
      io.stdout.write(JSON.stringify({ id, error: (error as Error).message }) + '\n');
    }
  }
  return failures > 0 ? 1 : 0;
}
