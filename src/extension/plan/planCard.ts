import * as vscode from 'vscode';
import type { ModelEntry } from '../../core/catalog/types';
import type { PlanCardState, PlanInputs } from '../../core/protocol/panel';
import type { PlanCandidate, PlanQuery } from '../../core/plan/types';
import { CancelledError } from '../../core/worker/cancellation';
import type { WorkerClient } from '../../core/worker/client';
import { readPlanSettings } from '../settings';

const INPUTS_KEY = 'budgetPanel.plan';
// Re-plan once the user stops editing a budget (or the selection settles).
const PLAN_DEBOUNCE_MS = 300;

/** What the plan is for: the prompt's (or its capsule's) tokens. */
export interface PlanSubject {
  o200kTokens: number;
  /** Exact tokens per hosted model id (the panel's rows). */
  hostedTokens: Record<string, number>;
  basis: string;
}

interface PlanCardDeps {
  worker: WorkerClient;
  log: vscode.LogOutputChannel;
  memento: vscode.Memento;
  catalog: () => readonly ModelEntry[];
}

/**
 * The Plan card's host side: hidden until "Plan Model Budget" opens it; then it plans again
 * (in the worker, latest wins) whenever the text, its capsule or the card's budgets change.
 * The card's edits are kept per user; the settings are the defaults.
 */
export class PlanCard implements vscode.Disposable {
  private card: PlanCardState | undefined;
  private subject: PlanSubject | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private cancellation: vscode.CancellationTokenSource | undefined;
  private key = '';
  private firstResult: Array<() => void> = [];

  constructor(
    private readonly deps: PlanCardDeps,
    private readonly onChange: () => void,
  ) {}

  get state(): PlanCardState | undefined {
    return this.card;
  }

  get isOpen(): boolean {
    return this.card !== undefined;
  }

  /** The card's inputs: the settings, with the fields the user edited in the card over them. */
  inputs(defaults: PlanInputs = readPlanSettings().inputs): PlanInputs {
    const saved = this.deps.memento.get<Partial<PlanInputs>>(INPUTS_KEY);
    return { ...defaults, ...(saved ?? {}) };
  }

  /** Shows the card; resolves once a plan for the current text has finished (or failed). */
  open(): Promise<void> {
    const done = new Promise<void>((resolve) => this.firstResult.push(resolve));
    if (!this.card) this.card = { status: 'running', inputs: this.inputs(), inputTokens: this.subject?.o200kTokens ?? 0, tokenBasis: this.subject?.basis ?? '' };
    this.schedule(true);
    return done;
  }

  /** The text (or capsule) the panel shows changed; `counting` while its tokens are on their way. */
  setSubject(subject: PlanSubject | undefined, counting = false): void {
    this.subject = subject;
    if (!subject && this.card && !counting) {
      // Nothing to plan for: stop what runs or waits, and plan afresh once there is text again.
      this.stopPending();
      this.key = '';
      this.card = { ...this.card, status: 'error', message: 'Select the prompt in an editor: the plan is for its tokens.' };
      delete this.card.progress;
      this.finish();
      return;
    }
    this.schedule();
  }

  /**
   * Keeps only the fields that differ from the settings, so a setting changed later still
   * applies to every field the card never edited.
   */
  async setInputs(inputs: PlanInputs): Promise<void> {
    const defaults = readPlanSettings().inputs;
    const edited = Object.fromEntries(Object.entries(inputs).filter(([key, value]) => defaults[key as keyof PlanInputs] !== value));
    await this.deps.memento.update(INPUTS_KEY, Object.keys(edited).length > 0 ? edited : undefined);
    this.schedule();
  }

  /** Stops the running plan, or the one about to start (Cancel shows during the debounce too). */
  cancel(): void {
    if (this.timer && this.card?.status === 'running') {
      this.stopPending();
      this.key = '';
      const previous = this.card.result ? { result: this.card.result, resultInputs: this.card.resultInputs! } : {};
      this.card = { inputs: this.card.inputs, inputTokens: this.card.inputTokens, tokenBasis: this.card.tokenBasis, ...previous, status: 'cancelled', message: 'Plan cancelled before it started.' };
      this.finish();
      return;
    }
    this.cancellation?.cancel();
  }

  private stopPending(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const running = this.cancellation;
    this.cancellation = undefined;
    running?.cancel();
  }

  rerun(): void {
    this.schedule(true);
  }

  candidate(id: string): PlanCandidate | undefined {
    return this.card?.result?.candidates.find((c) => c.id === id);
  }

  private schedule(force = false): void {
    if (!this.card || !this.subject) return;
    const settings = readPlanSettings();
    const inputs = this.inputs(settings.inputs);
    const key = JSON.stringify([inputs, settings.attainment, settings.space, this.subject.o200kTokens, this.subject.basis]);
    if (key === this.key && !force) return;
    this.key = key;
    if (this.timer) clearTimeout(this.timer);
    const superseded = this.cancellation;
    this.cancellation = undefined;
    superseded?.cancel();
    for (const p of settings.problems) this.deps.log.warn(`plan settings: ${p} (the default is used)`);
    const subject = this.subject;
    this.card = { ...this.card, inputs, inputTokens: subject.o200kTokens, tokenBasis: subject.basis, status: 'running' };
    delete this.card.progress;
    delete this.card.message;
    this.onChange();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run(this.query(inputs, subject, settings.attainment, settings.space), inputs);
    }, PLAN_DEBOUNCE_MS);
  }

  private query(inputs: PlanInputs, subject: PlanSubject, attainment: number, space: PlanQuery['space']): PlanQuery {
    // 0 turns an optional budget off (the card's fields say so).
    const optional = (x: number) => (x > 0 ? x : undefined);
    const budgets: PlanQuery['budgets'] = { sloTtftMs: inputs.sloTtftMs, sloTpotMs: inputs.sloTpotMs, attainment };
    if (optional(inputs.minQuality) !== undefined) budgets.minQuality = inputs.minQuality;
    if (optional(inputs.maxCostPer1kUsd) !== undefined) budgets.maxCostPer1kUsd = inputs.maxCostPer1kUsd;
    if (optional(inputs.maxEnergyJ) !== undefined) budgets.maxEnergyJ = inputs.maxEnergyJ;
    return {
      workload: { inputTokens: Math.max(1, subject.o200kTokens), hostedInputTokens: subject.hostedTokens, outputTokens: inputs.outputTokens, arrival: { kind: 'rate', rate: inputs.rate } },
      budgets,
      space: { ...space, maxGpus: inputs.maxGpus },
    };
  }

  private async run(query: PlanQuery, inputs: PlanInputs): Promise<void> {
    const cancellation = new vscode.CancellationTokenSource();
    this.cancellation = cancellation;
    const previous = this.card?.result ? { result: this.card.result, resultInputs: this.card.resultInputs! } : {};
    const base = { inputs, inputTokens: query.workload.inputTokens, tokenBasis: this.card!.tokenBasis };
    const started = Date.now();
    try {
      const result = await this.deps.worker.run('plan', { query, catalog: [...this.deps.catalog()] }, cancellation.token, (progress) => {
        if (this.cancellation !== cancellation || this.card?.status !== 'running') return;
        this.card = { ...this.card, progress };
        this.onChange();
      });
      if (this.cancellation !== cancellation) return; // superseded: the newer run posts its own state
      this.card = { ...base, status: 'ready', result, resultInputs: inputs };
      this.deps.log.info(`plan: ${result.candidates.length} candidates, ${result.simulations} simulations, ${result.elapsedMs} ms; recommendation ${result.recommendation.id ?? 'none'}`);
    } catch (error) {
      if (error instanceof CancelledError || cancellation.token.isCancellationRequested) {
        if (this.cancellation === cancellation && this.card?.status === 'running') {
          this.card = { ...base, ...previous, status: 'cancelled', message: `Plan cancelled after ${((Date.now() - started) / 1000).toFixed(1)} s.` };
          this.finish();
        }
        return;
      }
      if (this.cancellation !== cancellation) return;
      const message = `Planning failed: ${(error as Error).message}`;
      this.deps.log.warn(message);
      this.card = { ...base, ...previous, status: 'error', message };
    } finally {
      if (this.cancellation === cancellation) this.cancellation = undefined;
      cancellation.dispose();
    }
    this.finish();
  }

  private finish(): void {
    this.onChange();
    for (const resolve of this.firstResult.splice(0)) resolve();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.cancellation?.cancel();
    for (const resolve of this.firstResult.splice(0)) resolve();
  }
}
