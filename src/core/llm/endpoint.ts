/**
 * Any OpenAI-compatible endpoint (OpenAI, Azure OpenAI's v1 API, vLLM, Ollama, LM Studio,
 * llama.cpp server) through the `openai` package: chat completions for candidates,
 * embeddings for ranking. The package retries 429 and 5xx with backoff, honouring
 * Retry-After; every failure left after that becomes an EndpointError whose message
 * says what happened and what to do.
 */
import OpenAI from 'openai';
import { EndpointError } from './errors';
import type { ChatMessage } from './instructions';

export { EndpointError } from './errors';

export interface EndpointConfig {
  /** Base URL of the API, usually ending in /v1. */
  baseUrl: string;
  /** Absent for local servers that need none. Never logged. */
  apiKey?: string;
  model: string;
  embeddingsModel?: string;
  timeoutMs: number;
  maxRetries: number;
  /** Extra HTTP headers (e.g. an Azure api-key header or a gateway's routing header). */
  headers?: Record<string, string>;
}

export interface Completion {
  /** One text per choice, content-filtered choices left out. */
  texts: string[];
  filtered: number;
  promptTokens: number;
  completionTokens: number;
}

export interface LlmEndpoint {
  readonly config: EndpointConfig;
  /** `n` choices of one request; throws EndpointError('n-unsupported') where the server refuses n > 1. */
  complete(messages: ChatMessage[], n: number, maxTokens: number, signal?: AbortSignal, temperature?: number): Promise<Completion>;
  embed(texts: string[], signal?: AbortSignal): Promise<{ vectors: number[][]; tokens: number }>;
}

/** The placeholder key sent to servers that need none (the package requires one). */
const NO_KEY = 'no-key';

/** Describes a failure of a call to `config`'s endpoint in words a user can act on. */
export function describeEndpointError(error: unknown, config: EndpointConfig, what = 'the request'): EndpointError {
  if (error instanceof EndpointError) return error;
  const retries = config.maxRetries > 0 ? ` after ${config.maxRetries} ${config.maxRetries === 1 ? 'retry' : 'retries'}` : '';
  if (error instanceof OpenAI.APIUserAbortError || (error instanceof Error && error.name === 'AbortError')) {
    return new EndpointError('cancelled', 'Cancelled.');
  }
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new EndpointError('timeout', `${config.baseUrl} did not answer ${what} within ${config.timeoutMs / 1000} s${retries}. Raise the timeout, or check that the server is not overloaded.`);
  }
  if (error instanceof OpenAI.APIConnectionError) {
    // fetch wraps the system error: APIConnectionError -> TypeError('fetch failed') -> ECONNREFUSED.
    const causes: unknown[] = [];
    for (let c: unknown = error.cause; c instanceof Error && causes.length < 4; c = (c as Error).cause) causes.push(c);
    const coded = causes.find((c): c is NodeJS.ErrnoException => typeof (c as NodeJS.ErrnoException).code === 'string');
    const cause = coded?.code ?? (causes.at(-1) as Error | undefined)?.message ?? error.message;
    return new EndpointError('connection', `Could not connect to ${config.baseUrl} (${cause}). Is the server running, and is the base URL right (it usually ends in /v1)?`);
  }
  if (error instanceof OpenAI.APIError) {
    const status = error.status;
    const detail = (error.message ?? '').replace(/^\d{3}\s*/, '').slice(0, 300);
    if (status === 401) return new EndpointError('auth', `${config.baseUrl} refused the API key (401): ${detail}. Set a valid key.`, status);
    if (status === 403) return new EndpointError('forbidden', `${config.baseUrl} does not allow this key to use ${config.model} (403): ${detail}`, status);
    if (status === 404) return new EndpointError('not-found', `Model '${config.model}' or the API was not found at ${config.baseUrl} (404): ${detail}. Check the model name and that the base URL ends in /v1.`, status);
    if (status === 429) return new EndpointError('rate-limit', `${config.baseUrl} is rate limiting (429)${retries}: ${detail}. Try again later, or ask for fewer candidates.`, status);
    if (status !== undefined && status >= 500) return new EndpointError('server', `${config.baseUrl} failed (${status})${retries}: ${detail}`, status);
    if (error.code === 'context_length_exceeded' || /context length|maximum context|too many tokens|context window/i.test(detail)) {
      return new EndpointError('context-length', `The prompt is longer than ${config.model}'s context (${status}): ${detail}. Compress a smaller part, or use a model with a longer context.`, status);
    }
    if (/content.?filter|content management policy|safety/i.test(detail)) {
      return new EndpointError('content-filter', `${config.model}'s content filter refused the prompt (${status}): ${detail}`, status);
    }
    return new EndpointError('bad-request', `${config.baseUrl} refused ${what} (${status}): ${detail}`, status);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new EndpointError('malformed', `${config.baseUrl} sent a reply that is not an OpenAI-style response (${message.slice(0, 200)}).`);
}

function isNRefusal(error: unknown): boolean {
  return error instanceof OpenAI.BadRequestError && /(^|[^a-z])n([^a-z]|$)|number of (choices|completions)|multiple (choices|completions)/i.test(error.message ?? '');
}

export function openAiEndpoint(config: EndpointConfig): LlmEndpoint {
  const client = new OpenAI({
    apiKey: config.apiKey || NO_KEY,
    // Not from the environment: OPENAI_ORG_ID / OPENAI_PROJECT_ID would go to any host.
    organization: null,
    project: null,
    baseURL: config.baseUrl,
    timeout: config.timeoutMs,
    maxRetries: config.maxRetries,
    defaultHeaders: config.headers ?? {},
  });
  return {
    config,
    async complete(messages, n, maxTokens, signal, temperature) {
      let response: OpenAI.Chat.Completions.ChatCompletion;
      try {
        response = await client.chat.completions.create(
          { model: config.model, messages, n, max_tokens: maxTokens, temperature: temperature ?? (n > 1 ? 0.7 : 0) },
          signal ? { signal } : {},
        );
      } catch (error) {
        if (n > 1 && isNRefusal(error)) throw new EndpointError('n-unsupported', 'the server refuses n > 1', 400);
        throw describeEndpointError(error, config, 'the capsule request');
      }
      if (!response || !Array.isArray(response.choices)) throw describeEndpointError(new Error('no "choices" array'), config);
      const texts: string[] = [];
      let filtered = 0;
      for (const choice of response.choices) {
        if (choice?.finish_reason === 'content_filter') {
          filtered++;
          continue;
        }
        const content = choice?.message?.content;
        if (typeof content !== 'string') throw describeEndpointError(new Error('a choice without message.content'), config);
        texts.push(content);
      }
      if (texts.length === 0 && filtered > 0) throw new EndpointError('content-filter', `${config.model}'s content filter withheld every candidate.`);
      return { texts, filtered, promptTokens: response.usage?.prompt_tokens ?? 0, completionTokens: response.usage?.completion_tokens ?? 0 };
    },
    async embed(texts, signal) {
      if (!config.embeddingsModel) throw new EndpointError('bad-request', 'no embeddings model is configured');
      let response: OpenAI.Embeddings.CreateEmbeddingResponse;
      try {
        // Floats, not the package's default base64: local servers often send only floats.
        response = await client.embeddings.create({ model: config.embeddingsModel, input: texts, encoding_format: 'float' }, signal ? { signal } : {});
      } catch (error) {
        throw describeEndpointError(error, { ...config, model: config.embeddingsModel }, 'the embeddings request');
      }
      const data = response?.data;
      if (!Array.isArray(data) || data.length !== texts.length || data.some((d) => !Array.isArray(d?.embedding))) {
        throw describeEndpointError(new Error('embeddings missing or of the wrong count'), config);
      }
      const ordered = [...data].sort((a, b) => a.index - b.index);
      return { vectors: ordered.map((d) => d.embedding as number[]), tokens: response.usage?.prompt_tokens ?? 0 };
    },
  };
}
