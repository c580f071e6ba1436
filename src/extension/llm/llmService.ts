import * as vscode from 'vscode';
import type { CompressOptions } from '../../core/capsule/types';
import { CapsuleCache, capsuleCacheKey } from '../../core/llm/cache';
import type { ModelCalibration, Selection } from '../../core/llm/select';
import type { LlmCapsuleResult } from '../../core/llm/capsulator';
import type { ProbeReport } from '../../core/llm/probe';
import type { EndpointConfig } from '../../core/llm/endpoint';
import { EndpointError } from '../../core/llm/errors';
import { isLoopbackHost } from '../../core/llm/hosts';
import { readLlmSettings, type LlmSettings } from '../settings';
import type { Workers } from '../workers';

const CONSENT_KEY = 'llm.consentedOrigins';
const CACHE_KEY = 'llm.capsuleCache';
const CACHE_ENTRIES = 100;
const CALIBRATION_KEY = 'llm.calibrations';

/** An LLM capsule as the extension keeps it. */
export type LlmCapsule = LlmCapsuleResult & { selection?: Selection; cached: boolean };
const SECRET_PREFIX = 'promptCapsule.apiKey:';

/** Loopback: the prompt does not leave the machine, so no question is asked. */
const isLoopback = (origin: string): boolean => isLoopbackHost(new URL(origin).hostname);

export class LlmNotConfiguredError extends Error {
  constructor(readonly problems: string[]) {
    super(`the LLM backend is not set up: ${problems.join('; ')}`);
    this.name = 'LlmNotConfiguredError';
  }
}

export class LlmConsentDeclinedError extends Error {
  constructor() {
    super('the prompt was not sent');
    this.name = 'AbortError';
  }
}

/**
 * The LLM backend in VS Code: endpoint settings, the API key (SecretStorage only, one per
 * server origin, so a key is never sent to another host), the one-time question before a
 * prompt first leaves the machine for an endpoint, and the capsule cache.
 */
export class LlmService implements vscode.Disposable {
  private readonly calibrated = new vscode.EventEmitter<void>();
  /** Fires when a calibration is saved (describe() may read differently). */
  readonly onDidCalibrate = this.calibrated.event;

  private readonly cache: CapsuleCache<LlmCapsuleResult>;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
    private readonly workers: Workers,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.cache = new CapsuleCache(CACHE_ENTRIES, state.get<Array<[string, LlmCapsuleResult]>>(CACHE_KEY, []));
  }

  dispose(): void {
    this.calibrated.dispose();
  }

  settings(): LlmSettings {
    return readLlmSettings();
  }

  /** "gpt-4o-mini at api.openai.com", for pickers and the card; undefined when not set up. */
  describe(): string | undefined {
    const s = this.settings();
    if (s.problems.length > 0) return undefined;
    const auto = s.latencyBudgetMs > 0 && this.calibrations(s.baseUrl).length > 0 ? ` (picked per prompt within ${s.latencyBudgetMs} ms)` : '';
    return `${s.model}${auto} at ${new URL(s.baseUrl).host}`;
  }

  originOf(baseUrl: string): string {
    return new URL(baseUrl).origin;
  }

  async apiKey(baseUrl: string): Promise<string | undefined> {
    return this.secrets.get(SECRET_PREFIX + this.originOf(baseUrl));
  }

  async setApiKey(baseUrl: string, key: string): Promise<void> {
    await this.secrets.store(SECRET_PREFIX + this.originOf(baseUrl), key);
    this.log.info(`API key stored for ${this.originOf(baseUrl)}`);
  }

  async clearApiKey(baseUrl: string): Promise<void> {
    await this.secrets.delete(SECRET_PREFIX + this.originOf(baseUrl));
    this.log.info(`API key removed for ${this.originOf(baseUrl)}`);
  }

  async clearCache(): Promise<number> {
    const n = this.cache.clear();
    await this.state.update(CACHE_KEY, []);
    return n;
  }

  /** The endpoint as the worker needs it, with the key (never logged). */
  private async endpointConfig(settings: LlmSettings): Promise<EndpointConfig> {
    const apiKey = await this.apiKey(settings.baseUrl);
    return {
      baseUrl: settings.baseUrl,
      model: settings.model,
      timeoutMs: settings.timeoutMs,
      maxRetries: settings.maxRetries,
      headers: settings.extraHeaders,
      ...(apiKey ? { apiKey } : {}),
      ...(settings.embeddingsModel ? { embeddingsModel: settings.embeddingsModel } : {}),
    };
  }

  /** The probe check: the same questions with the original and with the capsule (in the worker). */
  async probe(original: string, capsule: string, questions: string[] | undefined, count: number, token?: vscode.CancellationToken): Promise<ProbeReport> {
    const settings = this.settings();
    if (settings.problems.length > 0) throw new LlmNotConfiguredError(settings.problems);
    if (!(await this.consent(settings))) throw new LlmConsentDeclinedError();
    const endpoint = await this.endpointConfig(settings);
    const report = await this.workers.heavy.run('probeLlm', { original, capsule, endpoint, ...(questions?.length ? { questions } : { count }) }, token);
    this.log.info(`probe check with ${settings.model}: ${report.answers.filter((a) => a.agree).length} of ${report.answers.length} answers agree (${report.measure})`);
    return report;
  }

  /** This machine's calibration of the models at `baseUrl` (empty when never run). */
  calibrations(baseUrl: string): ModelCalibration[] {
    return this.state.get<Record<string, ModelCalibration[]>>(CALIBRATION_KEY, {})[baseUrl] ?? [];
  }

  /**
   * Measures each model on the bundled sample prompts (in the worker) and keeps the
   * result for this machine and server. Loopback servers only: on a paid API this would
   * spend money without being asked.
   */
  async calibrate(baseUrl: string, models: string[], token: vscode.CancellationToken, onProgress: (done: number, total: number) => void): Promise<ModelCalibration[]> {
    if (!isLoopback(this.originOf(baseUrl))) throw new Error(`calibration runs against servers on this machine only; ${this.originOf(baseUrl)} is not one`);
    const settings = this.settings();
    const apiKey = await this.apiKey(baseUrl);
    const endpoints: EndpointConfig[] = models.map((model) => ({
      baseUrl,
      model,
      timeoutMs: settings.timeoutMs,
      maxRetries: settings.maxRetries,
      headers: settings.extraHeaders,
      ...(apiKey ? { apiKey } : {}),
    }));
    const results = await this.workers.heavy.run('calibrateLlm', { endpoints, options: { rate: 0.5, candidates: settings.candidates, concurrency: settings.concurrency } }, token, (p) =>
      onProgress(p.done, p.total),
    );
    const all = this.state.get<Record<string, ModelCalibration[]>>(CALIBRATION_KEY, {});
    await this.state.update(CALIBRATION_KEY, { ...all, [baseUrl]: results });
    this.calibrated.fire();
    this.log.info(`calibrated ${results.length} models at ${baseUrl}: ${results.map((r) => `${r.model} ${r.error ? `failed (${r.error})` : `${Math.round(r.msPer1kTokens)} ms/1k, ${Math.round(r.passShare * 100)}% passed`}`).join('; ')}`);
    return results;
  }

  /**
   * Asks once per endpoint and model before a prompt first leaves the machine; true to go
   * on. A new model asks again: it may cost more, or be run by someone else.
   */
  private async consent(settings: LlmSettings): Promise<boolean> {
    const origin = this.originOf(settings.baseUrl);
    if (isLoopback(origin)) return true;
    const grant = `${origin} ${settings.model}`;
    const granted = this.state.get<string[]>(CONSENT_KEY, []);
    if (granted.includes(grant)) return true;
    const send = 'Send';
    const choice = await vscode.window.showWarningMessage(
      `Prompt Capsule will send the prompt to ${origin} (model ${settings.model}) to compress it. Send prompts to this endpoint?`,
      { modal: true, detail: 'You are asked once per endpoint and model. Change them with the promptCapsule.llm settings.' },
      send,
    );
    if (choice !== send) return false;
    await this.state.update(CONSENT_KEY, [...granted, grant]);
    return true;
  }

  /**
   * A capsule from the configured endpoint, validated, with the built-in capsule as the
   * fallback, made in the worker thread (the HTTP client and the tokenizer never load in
   * the extension host). Served from the cache when the same request was paid for before.
   */
  async compress(text: string, options: CompressOptions, token?: vscode.CancellationToken): Promise<LlmCapsule> {
    const settings = this.settings();
    if (settings.problems.length > 0) throw new LlmNotConfiguredError(settings.problems);
    // With per-prompt selection the model is picked in the worker: the key holds what
    // decides it (the budget and the calibration), so another model's capsule is never served.
    const calibrations = this.calibrations(settings.baseUrl);
    const selection = settings.latencyBudgetMs > 0 && calibrations.length > 0 ? { calibrations, latencyBudgetMs: settings.latencyBudgetMs } : undefined;
    const modelKey = selection ? `${settings.model}|auto ${settings.latencyBudgetMs} ms|${calibrations.map((c) => `${c.model}@${c.measuredAt}`).join(',')}` : settings.model;
    const key = capsuleCacheKey({
      prompt: text,
      baseUrl: settings.baseUrl,
      model: modelKey,
      ...(settings.embeddingsModel ? { embeddingsModel: settings.embeddingsModel } : {}),
      ...(options.targetTokens !== undefined ? { targetTokens: options.targetTokens } : { rate: options.rate ?? 0.5 }),
      tokenizer: options.tokenizer ?? 'o200k_base',
      candidates: settings.candidates,
    });
    const hit = this.cache.get(key);
    if (hit) {
      this.log.info(`llm capsule from the cache (${settings.model})`);
      return { ...hit, cached: true };
    }
    if (!(await this.consent(settings))) throw new LlmConsentDeclinedError();
    const endpoint = await this.endpointConfig(settings);
    const started = Date.now();
    // With a latency budget and a calibration of this server's models, the model is
    // picked per prompt (in the worker, which counts the prompt's tokens).
    try {
      const result = await this.workers.heavy.run(
        'compressLlm',
        { text, options: { ...options, candidates: settings.candidates, concurrency: settings.concurrency }, endpoint, ...(selection ? { selection } : {}) },
        token,
      );
      if (result.selection) this.log.info(`llm model selection: ${result.selection.reason}`);
      this.log.info(
        `llm capsule: ${settings.model} at ${this.originOf(settings.baseUrl)}, ${result.candidates.length} candidates (${result.candidates.filter((c) => c.passed).length} passed), ` +
          `${result.fallback ? `built-in fallback: ${result.fallbackReason}` : `chose ${result.chosen! + 1}`}, ${result.usage.promptTokens}+${result.usage.completionTokens} tokens, ${Date.now() - started} ms`,
      );
      // A fallback is not cached: the endpoint may do better next time.
      if (!result.fallback) {
        this.cache.set(key, result);
        await this.state.update(CACHE_KEY, this.cache.entries());
      }
      return { ...result, cached: false };
    } catch (error) {
      if (error instanceof EndpointError && error.kind !== 'cancelled') this.log.warn(`llm capsule failed (${error.kind}): ${error.message}`);
      throw error;
    }
  }
}
