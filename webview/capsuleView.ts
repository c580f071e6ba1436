import { html, nothing, render, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { live } from 'lit/directives/live.js';
import { formatCount, formatPercent, formatUsd } from '../src/core/format/numbers';
import type { BudgetState, CapsuleCardState, CompressorChoice, CompressorId, LlmCardInfo, LocalCardInfo } from '../src/core/protocol/panel';
import { debounce, cardSection } from './dom';
import { icon as codicon } from './templates';

export interface CapsuleViewEvents {
  onCompress(rate: number): void;
  onSetCompressor(backend: CompressorId): void;
  /** Each names the capsule the card shows, so a newer one is never acted on by mistake. */
  onApply(capsuleId: number): void;
  onCopy(capsuleId: number): void;
  onDiscard(capsuleId: number): void;
  onProbe(capsuleId: number): void;
  onCancelCompress(): void;
}

/** Names for the report's categories where the identifier alone reads poorly. */
const LABELS: Readonly<Record<string, string>> = {
  'low-information-word': 'low-information words',
  'whole-clause': 'whole clauses and list items',
  'duplicate-sentence': 'duplicate sentences',
  'filler-phrase': 'filler phrases',
  'rule-line': 'rule lines',
  'repeated-protected': 'repeats of protected spans',
  'identifier-last-resort': 'slash-joined words (last resort)',
  'empty-element': 'emptied JSON/YAML elements',
  structure: 'Markdown, JSON and YAML syntax',
};
const label = (kind: string) => LABELS[kind] ?? kind.replace(/[-_]/g, ' ');

/**
 * The Capsule card: original vs capsule tokens and cost, the rate reached, what was
 * protected and dropped, a rate slider that re-runs the compression, Apply and Copy. A Lit
 * template, rendered into the card on every state: Lit patches what changed, so the
 * slider keeps its focus and position and an opened <details> stays open while states arrive.
 */
export class CapsuleView {
  private readonly root: HTMLElement;
  private readonly emitRate: (rate: number) => void;
  private state: BudgetState | undefined;
  /** What the slider shows: the host's rate, until the user moves it. */
  private rate: number | undefined;
  /** The host's capsule and rate when the slider was last set from them. */
  private hostKey: string | undefined;

  constructor(
    container: HTMLElement,
    private readonly events: CapsuleViewEvents,
  ) {
    this.root = cardSection(container, { className: 'card capsule-card', testid: 'capsule-card', titleId: 'capsule-title' });
    this.emitRate = debounce((rate: number) => events.onCompress(rate), 350);
  }

  render(state: BudgetState): void {
    if (state.status !== 'ready' && !state.capsule) {
      this.state = undefined;
      this.rate = this.hostKey = undefined;
      render(nothing, this.root);
      this.root.hidden = true;
      return;
    }
    this.root.hidden = false;
    this.state = state;
    // The slider shows the host's rate whenever the capsule or its rate changes (a
    // compression started or done, the setting changed); a position the user chose stays
    // through other states (a recount, the Serving card's progress).
    const hostRate = state.capsule?.rate ?? state.compressionRate;
    const hostKey = `${state.capsule?.capsuleId}|${state.capsule?.status}|${hostRate}`;
    if (this.rate === undefined || hostKey !== this.hostKey) {
      this.rate = hostRate;
      this.hostKey = hostKey;
    }
    this.update();
  }

  private update(): void {
    const state = this.state;
    if (!state) return;
    const card = state.capsule;
    render(
      html`<h2 id="capsule-title">${codicon('fold')} Capsule</h2>
        ${state.compressor ? this.compressorSelect(state.compressor) : nothing}
        ${this.controls(this.rate!, card, state.compressor?.options.some((o) => o.id === 'llm' && o.available) ?? false)}
        ${card?.probe ? this.probeResult(card.probe) : nothing}
        ${card && card.status !== 'error' && card.originalTokens > 0 ? this.summary(card) : nothing}
        ${card?.message
          ? html`<p class=${card.status === 'error' ? 'message error' : 'message'} role=${ifDefined(card.status === 'error' ? 'alert' : undefined)}>${card.message}</p>`
          : nothing}
        ${card?.llm ? this.llmDetails(card.llm, state.usage.callsPerDay) : nothing}
        ${card?.local ? this.localDetails(card.local) : nothing}
        ${card && card.originalTokens > 0 ? this.details(card) : nothing}`,
      this.root,
    );
  }

  /** Which compressor new capsules use; an LLM that is not set up is listed, disabled. */
  private compressorSelect(choice: CompressorChoice): TemplateResult {
    const onChange = (event: Event) => this.events.onSetCompressor((event.currentTarget as HTMLElement & { value: string }).value as CompressorId);
    return html`<label class="field compressor"
      ><span>Compressor</span
      ><vscode-single-select data-testid="capsule-compressor" aria-label="Compressor" @change=${onChange}
        >${choice.options.map(
          (option) => html`<vscode-option value=${option.id} ?selected=${option.id === choice.backend} ?disabled=${!option.available}>${option.label}</vscode-option>`,
        )}</vscode-single-select
      ></label
    >`;
  }

  private probeResult(probe: NonNullable<CapsuleCardState['probe']>): TemplateResult {
    const how = probe.measure === 'embeddings' ? 'embedding similarity' : 'word overlap';
    return html`<details class="capsule-probe" data-testid="capsule-probe-result">
      <summary>${`Probe check: ${probe.agreeing} of ${probe.total} answers agree (${how})`}</summary>
      <ul>
        ${probe.answers.map((a) => html`<li>${`${a.agree ? '✓' : '✗'} ${a.question} (${a.similarity.toFixed(2)})`}</li>`)}
      </ul>
    </details>`;
  }

  /** Which sub-model of the local model ran, on which provider, in how long, and why it was chosen. */
  private localDetails(local: LocalCardInfo): TemplateResult {
    return html`<div class="capsule-local" data-testid="capsule-local">
      <h3>${`Local model: ${local.modelId}`}</h3>
      <p data-testid="capsule-local-run">${`Depth ${local.depth} of ${local.maxDepth}, ${local.precision}, on ${local.provider}: ${formatCount(local.modelMs)} ms for ${formatCount(local.modelTokens)} model tokens.`}</p>
      <p class="footnote" data-testid="capsule-local-selection">${`Why this sub-model: ${local.selection}.`}</p>
      ${local.providerNote !== local.provider ? html`<p class="footnote" data-testid="capsule-local-provider">${`Provider: ${local.providerNote}.`}</p>` : nothing}
    </div>`;
  }

  /** The LLM's candidates (passed or why not, score), the one chosen, and what it cost. */
  private llmDetails(llm: LlmCardInfo, callsPerDay: number): TemplateResult {
    const cost =
      llm.compressionCostUsd === null
        ? `${formatCount(llm.usage.promptTokens + llm.usage.completionTokens)} tokens on ${llm.model} (not in the price catalog: a local model costs no API fee).`
        : `Compression cost ${formatUsd(llm.compressionCostUsd)} (${formatCount(llm.usage.promptTokens)} in + ${formatCount(llm.usage.completionTokens)} out on ${llm.model}); it saves ${formatUsd(llm.savingPerCallUsd)} per call, so it pays for itself ${
            llm.breakEvenCalls === null ? 'never' : `after ${formatCount(llm.breakEvenCalls)} call${llm.breakEvenCalls === 1 ? '' : 's'}`
          }.`;
    const scoreTitle = `Meaning kept (${llm.ranking === 'embeddings' ? 'embedding cosine' : 'distinctive words kept'}) minus a length penalty`;
    return html`<div class="capsule-llm" data-testid="capsule-llm">
      <h3>${`LLM: ${llm.model}${llm.cached ? ' (from the cache, not paid again)' : ''}`}</h3>
      ${llm.selection ? html`<p class="message" data-testid="capsule-llm-selection">${`Model chosen for this prompt: ${llm.selection}.`}</p>` : nothing}
      ${llm.fallback ? html`<p class="message warn" data-testid="capsule-llm-fallback">${`Built-in capsule used: ${llm.fallbackReason ?? ''}.`}</p>` : nothing}
      <table class="capsule-candidates" data-testid="capsule-candidates">
        <thead>
          <tr>
            <th class="num">#</th>
            <th class="num">Tokens</th>
            <th>Verdict</th>
            <th class="num" title=${scoreTitle}>Score</th>
          </tr>
        </thead>
        <tbody>
          ${llm.candidates.map(
            (c, i) => html`<tr class=${ifDefined(i === llm.chosen ? 'chosen' : undefined)} data-testid=${`capsule-candidate-${i + 1}`}>
              <td class="num">${String(i + 1)}</td>
              <td class="num">${formatCount(c.tokens)}</td>
              <td>${c.passed ? (i === llm.chosen ? 'chosen' : 'passed') : `rejected: ${c.reason ?? ''}`}</td>
              <td class="num">${c.score === undefined ? '—' : c.score.toFixed(3)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <p class="footnote" data-testid="capsule-llm-cost">${cost}</p>
      ${llm.compressionCostUsd === null || callsPerDay <= 0
        ? nothing
        : html`<p class="footnote" data-testid="capsule-llm-net">${`Net after ${formatCount(callsPerDay)} calls (a day at the Budget card's rate): ${formatUsd(callsPerDay * llm.savingPerCallUsd - llm.compressionCostUsd)}.`}</p>`}
    </div>`;
  }

  /** The rate slider, and Compress, or the pending capsule's Apply, Copy, Discard and Check. */
  private controls(rate: number, card: CapsuleCardState | undefined, llmAvailable: boolean): TemplateResult {
    const running = card?.status === 'running';
    const id = card?.capsuleId;
    const onRate = (event: Event) => {
      this.rate = Number((event.currentTarget as HTMLInputElement).value);
      if (card) this.emitRate(this.rate);
      this.update();
    };
    // What the slider shows, clamped to its range (as the host's rate may not be).
    const sliderRate = () => Number(this.root.querySelector<HTMLInputElement>('input[data-testid="capsule-rate"]')?.value ?? rate);
    let actions: TemplateResult[];
    if (id === undefined) {
      actions = [this.button('Compress', 'fold', 'capsule-compress', () => this.events.onCompress(sliderRate()), running, 'Compress this text to a capsule (opens a diff)')];
    } else {
      const stale = card!.stale;
      actions = [
        this.button('Apply', 'check', 'capsule-apply', () => this.events.onApply(id), stale || running, stale ? 'The document changed since: compress again' : 'Replace the original text (one undo restores it)'),
        this.button('Copy', 'copy', 'capsule-copy', () => this.events.onCopy(id), running, 'Copy the capsule to the clipboard', true),
        this.button('Discard', 'discard', 'capsule-discard', () => this.events.onDiscard(id), false, 'Forget this capsule', true),
        ...(llmAvailable
          ? [this.button('Check', 'beaker', 'capsule-probe', () => this.events.onProbe(id), running, 'Ask the LLM the same questions with the original and with the capsule (its cost is shown first)', true)]
          : []),
      ];
    }
    return html`<div class="capsule-controls">
      <label class="rate"
        >Rate <input
          type="range"
          min="0.1"
          max="1"
          step="0.01"
          value=${String(rate)}
          .value=${live(String(rate))}
          data-testid="capsule-rate"
          aria-label="Fraction of tokens to keep"
          @input=${onRate}
        /><output class="rate-value" data-testid="capsule-rate-value">${`keep ${formatPercent(rate)}`}</output></label
      >
      ${running
        ? html`<vscode-progress-ring aria-label="Compressing"></vscode-progress-ring>
            ${this.button('Cancel', 'debug-stop', 'capsule-cancel', () => this.events.onCancelCompress(), false, 'Stop this compression; nothing changes', true)}`
        : nothing}
      ${actions}
    </div>`;
  }

  private button(text: string, icon: string, testid: string, onClick: () => void, disabled: boolean, title: string, secondary = false): TemplateResult {
    const onButtonClick = (event: Event) => {
      if (!(event.currentTarget as HTMLElement).hasAttribute('disabled')) onClick();
    };
    return html`<vscode-button data-testid=${testid} title=${title} ?secondary=${secondary} ?disabled=${disabled} @click=${onButtonClick}>${codicon(icon)} ${text}</vscode-button>`;
  }

  private summary(card: CapsuleCardState): TemplateResult {
    const cut = card.originalTokens > 0 ? 1 - card.capsuleTokens / card.originalTokens : 0;
    const row = (name: string, tokens: number, cost: number, testid: string) =>
      html`<tr data-testid=${testid}>
        <th scope="row">${name}</th>
        <td class="num" data-value=${tokens}>${formatCount(tokens)}</td>
        <td class="num">${formatUsd(cost)}</td>
      </tr>`;
    return html`<div>
      <table class="capsule-summary" data-testid="capsule-summary">
        <thead>
          <tr>
            <th></th>
            <th class="num">Tokens</th>
            <th class="num">${`Input cost / call (${card.modelName})`}</th>
          </tr>
        </thead>
        <tbody>
          ${row('Original', card.originalTokens, card.originalCostUsd, 'capsule-original')} ${row('Capsule', card.capsuleTokens, card.capsuleCostUsd, 'capsule-capsule')}
        </tbody>
      </table>
      <p class=${card.withinBudget ? 'capsule-rate-reached' : 'capsule-rate-reached warn'} data-testid="capsule-rate-reached"
        >${`${card.fileName} (${card.scope}): kept ${formatPercent(card.rateReached, 1)} of the tokens (−${formatPercent(cut)}), asked ${formatPercent(card.rate)}. `}${card.withinBudget
          ? 'Within budget.'
          : `Over budget: ${card.budgetNote ?? 'protected content exceeds the target'}.`}${card.stale ? ' The document changed since this capsule was made.' : ''}</p
      >
    </div>`;
  }

  private details(card: CapsuleCardState): TemplateResult {
    const list = (items: Array<{ name: string; count: number; tokens: number }>, empty: string) =>
      items.length === 0
        ? html`<p class="message">${empty}</p>`
        : html`<ul>
            ${items.map((i) => html`<li>${`${label(i.name)}: ${formatCount(i.count)} (${formatCount(i.tokens)} tokens)`}</li>`)}
          </ul>`;
    const protectedItems = card.protected.map((p) => ({ name: p.kind, count: p.count, tokens: p.tokens }));
    const droppedItems = card.dropped.map((d) => ({ name: d.category, count: d.count, tokens: d.tokens }));
    return html`<div class="capsule-details">
      <div data-testid="capsule-protected"><h3>Kept byte for byte</h3>${list(protectedItems, 'Nothing needed protection.')}</div>
      <div data-testid="capsule-dropped"><h3>Dropped</h3>${list(droppedItems, 'Nothing dropped.')}</div>
      <details class="capsule-preview">
        <summary>${card.previewTruncated ? 'Capsule text (first part)' : 'Capsule text'}</summary>
        <pre data-testid="capsule-text">${card.preview}</pre>
      </details>
    </div>`;
  }
}
