/**
 * The LLM backend: the model rewrites the prompt into k candidate capsules under an
 * explicit limit; each is validated (limit, markers, protected items, constraints),
 * the ones that pass are ranked by meaning kept minus a length penalty, and the best is
 * returned. When none passes, the built-in capsule is returned with the reasons.
 */
import { resolveTarget } from '../capsule/index';
import { BUDGET_TOLERANCE, buildReport } from '../capsule/report';
import type { CapsuleReport, CapsuleResult, CompressOptions } from '../capsule/types';
import { formatCount } from '../format/numbers';
import { getTokenizer } from '../tokens/tokenizer';
import { describeEndpointError, EndpointError, type LlmEndpoint } from './endpoint';
import { capsuleMessages } from './instructions';
import { candidateScore, cosine, distinctiveWordShare } from './score';
import { preparePrompt, restoreBlocks } from './spans';
import { cleanReply, validateCandidate } from './validate';

export interface LlmCompressOptions extends CompressOptions {
  /** Candidates asked for (default 3). */
  candidates?: number;
  /** Most requests in flight when the server refuses n > 1 (default 3). */
  concurrency?: number;
}

export interface CandidateReport {
  tokens: number;
  passed: boolean;
  reason?: string;
  /** Meaning kept (cosine or distinctive-word share), for the ones that passed. */
  meaning?: number;
  score?: number;
  /** The candidate with its blocks restored. */
  text: string;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
  embeddingTokens: number;
  requests: number;
}

export interface LlmCapsuleResult extends CapsuleResult {
  backend: 'llm';
  endpoint: string;
  model: string;
  candidates: CandidateReport[];
  /** Index into candidates of the one returned; null when the built-in capsule was used. */
  chosen: number | null;
  fallback: boolean;
  /** Why the built-in capsule was used. */
  fallbackReason?: string;
  /** How meaning was measured: 'embeddings' or 'distinctive-words'. */
  ranking: 'embeddings' | 'distinctive-words';
  usage: LlmUsage;
}

export interface LlmDeps {
  /** The built-in capsulator (in the worker, in the extension), for the fallback. */
  builtin(text: string, options: CompressOptions): Promise<CapsuleResult> | CapsuleResult;
}

const DEFAULT_CANDIDATES = 3;
const SAMPLING_TEMPERATURE = 0.7;
// Below every current model's output cap (gpt-4o-mini: 16,384); a capsule this long is rare.
const MAX_REPLY_TOKENS = 16_000;
const DEFAULT_CONCURRENCY = 3;

/**
 * Most requests in flight at once, in input order. The first failure stops the rest:
 * no further task starts, and the ones in flight are aborted (they would be billed and
 * thrown away).
 */
async function limited<T>(tasks: Array<(signal: AbortSignal) => Promise<T>>, concurrency: number, outer?: AbortSignal): Promise<T[]> {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  outer?.addEventListener('abort', onAbort);
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length && !controller.signal.aborted) {
      const i = next++;
      try {
        results[i] = await tasks[i]!(controller.signal);
      } catch (error) {
        controller.abort();
        throw error;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
    return results;
  } finally {
    outer?.removeEventListener('abort', onAbort);
  }
}

function llmReport(
  counts: { originalTokens: number; capsuleTokens: number; target: number; rateRequested: number },
  started: number,
  prepared: ReturnType<typeof preparePrompt>,
  tokenizer: ReturnType<typeof getTokenizer>,
): CapsuleReport {
  const { originalTokens, capsuleTokens, target, rateRequested } = counts;
  const protectedKinds = new Map<string, { count: number; tokens: number }>();
  for (const item of [...prepared.mustKeep, ...prepared.blocks]) {
    const row = protectedKinds.get(item.kind) ?? { count: 0, tokens: 0 };
    row.count++;
    row.tokens += tokenizer.count(item.text);
    protectedKinds.set(item.kind, row);
  }
  return {
    // Sizes, rate, budget verdict and its note as the built-in capsulator reports them.
    ...buildReport({ originalTokens, capsuleTokens, target, rateRequested, started }),
    protected: [...protectedKinds].map(([kind, row]) => ({ kind, ...row })),
    dropped: originalTokens > capsuleTokens ? [{ category: 'rewritten by the model', count: 1, tokens: originalTokens - capsuleTokens }] : [],
  };
}

export async function compressWithLlm(text: string, options: LlmCompressOptions, endpoint: LlmEndpoint, deps: LlmDeps, signal?: AbortSignal): Promise<LlmCapsuleResult> {
  const started = performance.now();
  const tokenizer = getTokenizer(options.tokenizer ?? 'o200k_base');
  const originalTokens = tokenizer.count(text);
  const { target, rateRequested } = resolveTarget(options, originalTokens);
  const usage: LlmUsage = { promptTokens: 0, completionTokens: 0, embeddingTokens: 0, requests: 0 };
  const base = { backend: 'llm' as const, endpoint: endpoint.config.baseUrl, model: endpoint.config.model, usage };
  const prepared = preparePrompt(text);

  const fallback = async (reason: string, candidates: CandidateReport[] = [], ranking: LlmCapsuleResult['ranking'] = 'distinctive-words'): Promise<LlmCapsuleResult> => {
    const builtin = await deps.builtin(text, options);
    return { ...builtin, ...base, candidates, chosen: null, fallback: true, fallbackReason: reason, ranking };
  };
  if (target >= originalTokens) {
    return { capsule: text, report: llmReport({ originalTokens, capsuleTokens: originalTokens, target, rateRequested }, started, prepared, tokenizer), ...base, candidates: [], chosen: null, fallback: false, ranking: 'distinctive-words' };
  }
  if (prepared.format !== 'markdown') {
    return fallback(`a ${prepared.format.toUpperCase()} prompt is data, not prose: the built-in capsulator keeps its keys and validity`);
  }
  // The reply is written with markers; the blocks come back after it, and must fit too.
  const blockTokens = prepared.blocks.reduce((sum, b) => sum + tokenizer.count(b.text) - tokenizer.count(b.marker), 0);
  const replyLimit = target - blockTokens;
  if (replyLimit < Math.max(8, target * 0.1)) {
    return fallback(`code and data blocks alone take ${formatCount(blockTokens)} of the ${formatCount(target)}-token target`);
  }
  const messages = capsuleMessages(prepared, replyLimit);
  // Room to overshoot (an over-long candidate is rejected, not cut).
  const maxTokens = Math.min(MAX_REPLY_TOKENS, Math.ceil(replyLimit * 2) + 64);
  const k = Math.max(1, Math.floor(options.candidates ?? DEFAULT_CANDIDATES));

  let texts: string[] = [];
  try {
    const first = await requestCandidates(endpoint, messages, k, maxTokens, signal);
    texts = first.texts;
    usage.promptTokens += first.promptTokens;
    usage.completionTokens += first.completionTokens;
    usage.requests += first.requests;
    if (texts.length < k) {
      // Servers that ignore n (or filter some choices): top up with single requests.
      // Sampled, not greedy: k - 1 identical copies of one reply would be no choice.
      const more = await limited(
        Array.from({ length: k - texts.length }, () => (inner: AbortSignal) => endpoint.complete(messages, 1, maxTokens, inner, k > 1 ? SAMPLING_TEMPERATURE : 0)),
        options.concurrency ?? DEFAULT_CONCURRENCY,
        signal,
      );
      for (const reply of more) {
        texts.push(...reply.texts);
        usage.promptTokens += reply.promptTokens;
        usage.completionTokens += reply.completionTokens;
        usage.requests++;
      }
    }
  } catch (error) {
    const failure = describeEndpointError(error, endpoint.config);
    // A request the server refuses as such (a parameter it does not take, a prompt past
    // its context) is no outage: the built-in capsule stands in, with the reason.
    if (failure.kind === 'bad-request' || failure.kind === 'context-length') return fallback(`the endpoint refused the request: ${failure.message}`);
    throw failure;
  }

  const limitTokens = Math.floor(target * BUDGET_TOLERANCE);
  const candidates: CandidateReport[] = texts.map((reply) => {
    const cleaned = cleanReply(reply, prepared.masked);
    const verdict = validateCandidate(cleaned, prepared.blocks, prepared.mustKeep, text);
    const restored = restoreBlocks(cleaned, prepared.blocks);
    const tokens = tokenizer.count(restored);
    if (!verdict.passed) return { tokens, passed: false, reason: verdict.reason, text: restored };
    if (tokens > limitTokens) return { tokens, passed: false, reason: `${formatCount(tokens)} tokens, over the limit of ${formatCount(limitTokens)}`, text: restored };
    if (tokens >= originalTokens) return { tokens, passed: false, reason: 'not shorter than the prompt', text: restored };
    return { tokens, passed: true, text: restored };
  });

  const passed = candidates.filter((c) => c.passed);
  let ranking: LlmCapsuleResult['ranking'] = 'distinctive-words';
  if (passed.length > 0 && endpoint.config.embeddingsModel) {
    try {
      const { vectors, tokens } = await endpoint.embed([text, ...passed.map((c) => c.text)], signal);
      usage.embeddingTokens += tokens;
      usage.requests++;
      passed.forEach((c, i) => (c.meaning = cosine(vectors[0]!, vectors[i + 1]!)));
      ranking = 'embeddings';
    } catch (error) {
      if (describeEndpointError(error, endpoint.config).kind === 'cancelled') throw new EndpointError('cancelled', 'Cancelled.');
      // Ranking falls back to distinctive words; the capsule itself is still valid.
    }
  }
  for (const c of passed) {
    c.meaning ??= distinctiveWordShare(text, c.text);
    c.score = candidateScore(c.meaning, c.tokens, limitTokens);
  }
  if (passed.length === 0) {
    const reasons = candidates.map((c, i) => `${i + 1}: ${c.reason}`).join('; ');
    return fallback(`no candidate passed (${reasons || 'the server returned none'})`, candidates, ranking);
  }
  const best = passed.reduce((a, b) => (b.score! > a.score! ? b : a));
  const chosen = candidates.indexOf(best);
  return {
    capsule: best.text,
    report: llmReport({ originalTokens, capsuleTokens: best.tokens, target, rateRequested }, started, prepared, tokenizer),
    ...base,
    candidates,
    chosen,
    fallback: false,
    ranking,
  };
}

/** k candidates in one request with `n`, or k single requests where the server refuses n. */
async function requestCandidates(endpoint: LlmEndpoint, messages: ReturnType<typeof capsuleMessages>, k: number, maxTokens: number, signal?: AbortSignal) {
  try {
    const reply = await endpoint.complete(messages, k, maxTokens, signal);
    return { ...reply, requests: 1 };
  } catch (error) {
    if (!(error instanceof EndpointError && error.kind === 'n-unsupported')) throw error;
    return { texts: [] as string[], promptTokens: 0, completionTokens: 0, requests: 1 };
  }
}
