import { formatCount, formatPercent, formatUsd } from '../src/core/format/numbers';
import type { BudgetState, CapsuleCardState, CompressorChoice, CompressorId, LlmCardInfo, LocalCardInfo } from '../src/core/protocol/panel';
import { codicon, debounce, h } from './dom';

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
 * protected and dropped, a rate slider that re-runs the compression, Apply and Copy.
 */
export class CapsuleView {
  private readonly root: HTMLElement;
  private readonly emitRate: (rate: number) => void;

  constructor(container: HTMLElement, private readonly events: CapsuleViewEvents) {
    this.root = h('section', { class: 'card capsule-card', 'data-testid': 'capsule-card', 'aria-labelledby': 'capsule-title' });
    container.append(this.root);
    this.emitRate = debounce((rate: number) => events.onCompress(rate), 350);
  }

  render(state: BudgetState): void {
    if (state.status !== 'ready' && !state.capsule) {
      this.root.replaceChildren();
      this.root.hidden = true;
      return;
    }
    this.root.hidden = false;
    const card = state.capsule;
    const rate = card?.rate ?? state.compressionRate;
    const parts: Array<HTMLElement | null> = [
      h('h2', { id: 'capsule-title' }, codicon('fold'), ' Capsule'),
      state.compressor ? this.compressorSelect(state.compressor) : null,
      this.slider(rate, card, state.compressor?.options.some((o) => o.id === 'llm' && o.available) ?? false),
      card?.probe ? this.probeResult(card.probe) : null,
      card && card.status !== 'error' && card.originalTokens > 0 ? this.summary(card) : null,
      card?.message ? h('p', { class: card.status === 'error' ? 'message error' : 'message', role: card.status === 'error' ? 'alert' : undefined }, card.message) : null,
      card?.llm ? this.llmDetails(card.llm, state.usage.callsPerDay) : null,
      card?.local ? this.localDetails(card.local) : null,
      card && card.originalTokens > 0 ? this.details(card) : null,
    ];
    this.root.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  }

  /** Which compressor new capsules use; an LLM that is not set up is listed, disabled. */
  private compressorSelect(choice: CompressorChoice): HTMLElement {
    const select = document.createElement('vscode-single-select');
    select.setAttribute('data-testid', 'capsule-compressor');
    select.setAttribute('aria-label', 'Compressor');
    for (const option of choice.options) {
      const el = document.createElement('vscode-option');
      el.setAttribute('value', option.id);
      el.textContent = option.label;
      if (option.id === choice.backend) el.setAttribute('selected', '');
      if (!option.available) el.setAttribute('disabled', '');
      select.append(el);
    }
    select.addEventListener('change', () => this.events.onSetCompressor(select.value as CompressorId));
    return h('label', { class: 'field compressor' }, h('span', {}, 'Compressor'), select);
  }

  private probeResult(probe: NonNullable<CapsuleCardState['probe']>): HTMLElement {
    const how = probe.measure === 'embeddings' ? 'embedding similarity' : 'word overlap';
    return h(
      'details',
      { class: 'capsule-probe', 'data-testid': 'capsule-probe-result' },
      h('summary', {}, `Probe check: ${probe.agreeing} of ${probe.total} answers agree (${how})`),
      h('ul', {}, ...probe.answers.map((a) => h('li', {}, `${a.agree ? '✓' : '✗'} ${a.question} (${a.similarity.toFixed(2)})`))),
    );
  }

  /** Which sub-model of the local model ran, on which provider, in how long, and why it was chosen. */
  private localDetails(local: LocalCardInfo): HTMLElement {
    return h(
      'div',
      { class: 'capsule-local', 'data-testid': 'capsule-local' },
      h('h3', {}, `Local model: ${local.modelId}`),
      h(
        'p',
        { 'data-testid': 'capsule-local-run' },
        `Depth ${local.depth} of ${local.maxDepth}, ${local.precision}, on ${local.provider}: ${formatCount(local.modelMs)} ms for ${formatCount(local.modelTokens)} model tokens.`,
      ),
      h('p', { class: 'footnote', 'data-testid': 'capsule-local-selection' }, `Why this sub-model: ${local.selection}.`),
      local.providerNote !== local.provider ? h('p', { class: 'footnote', 'data-testid': 'capsule-local-provider' }, `Provider: ${local.providerNote}.`) : null,
    );
  }

  /** The LLM's candidates (passed or why not, score), the one chosen, and what it cost. */
  private llmDetails(llm: LlmCardInfo, callsPerDay: number): HTMLElement {
    const rows = llm.candidates.map((c, i) =>
      h(
        'tr',
        { class: i === llm.chosen ? 'chosen' : undefined, 'data-testid': `capsule-candidate-${i + 1}` },
        h('td', { class: 'num' }, String(i + 1)),
        h('td', { class: 'num' }, formatCount(c.tokens)),
        h('td', {}, c.passed ? (i === llm.chosen ? 'chosen' : 'passed') : `rejected: ${c.reason ?? ''}`),
        h('td', { class: 'num' }, c.score === undefined ? '—' : c.score.toFixed(3)),
      ),
    );
    const cost =
      llm.compressionCostUsd === null
        ? `${formatCount(llm.usage.promptTokens + llm.usage.completionTokens)} tokens on ${llm.model} (not in the price catalog: a local model costs no API fee).`
        : `Compression cost ${formatUsd(llm.compressionCostUsd)} (${formatCount(llm.usage.promptTokens)} in + ${formatCount(llm.usage.completionTokens)} out on ${llm.model}); it saves ${formatUsd(llm.savingPerCallUsd)} per call, so it pays for itself ${
            llm.breakEvenCalls === null ? 'never' : `after ${formatCount(llm.breakEvenCalls)} call${llm.breakEvenCalls === 1 ? '' : 's'}`
          }.`;
    return h(
      'div',
      { class: 'capsule-llm', 'data-testid': 'capsule-llm' },
      h('h3', {}, `LLM: ${llm.model}${llm.cached ? ' (from the cache, not paid again)' : ''}`),
      llm.selection ? h('p', { class: 'message', 'data-testid': 'capsule-llm-selection' }, `Model chosen for this prompt: ${llm.selection}.`) : null,
      llm.fallback ? h('p', { class: 'message warn', 'data-testid': 'capsule-llm-fallback' }, `Built-in capsule used: ${llm.fallbackReason ?? ''}.`) : null,
      h(
        'table',
        { class: 'capsule-candidates', 'data-testid': 'capsule-candidates' },
        h('thead', {}, h('tr', {}, h('th', { class: 'num' }, '#'), h('th', { class: 'num' }, 'Tokens'), h('th', {}, 'Verdict'), h('th', { class: 'num', title: `Meaning kept (${llm.ranking === 'embeddings' ? 'embedding cosine' : 'distinctive words kept'}) minus a length penalty` }, 'Score'))),
        h('tbody', {}, ...rows),
      ),
      h('p', { class: 'footnote', 'data-testid': 'capsule-llm-cost' }, cost),
      llm.compressionCostUsd === null || callsPerDay <= 0
        ? null
        : h(
            'p',
            { class: 'footnote', 'data-testid': 'capsule-llm-net' },
            `Net after ${formatCount(callsPerDay)} calls (a day at the Budget card's rate): ${formatUsd(callsPerDay * llm.savingPerCallUsd - llm.compressionCostUsd)}.`,
          ),
    );
  }

  private slider(rate: number, card: CapsuleCardState | undefined, llmAvailable = false): HTMLElement {
    const value = h('output', { class: 'rate-value', 'data-testid': 'capsule-rate-value' }, `keep ${formatPercent(rate)}`);
    const input = h('input', {
      type: 'range',
      min: 0.1,
      max: 1,
      step: 0.01,
      value: rate,
      'data-testid': 'capsule-rate',
      'aria-label': 'Fraction of tokens to keep',
    });
    input.addEventListener('input', () => {
      value.textContent = `keep ${formatPercent(Number(input.value))}`;
      if (card) this.emitRate(Number(input.value));
    });
    const controls = h('div', { class: 'capsule-controls' }, h('label', { class: 'rate' }, 'Rate ', input, value));
    if (card?.status === 'running') {
      const ring = document.createElement('vscode-progress-ring');
      ring.setAttribute('aria-label', 'Compressing');
      controls.append(ring, this.button('Cancel', 'debug-stop', 'capsule-cancel', () => this.events.onCancelCompress(), false, 'Stop this compression; nothing changes', true));
    }
    const id = card?.capsuleId;
    if (id === undefined) {
      controls.append(this.button('Compress', 'fold', 'capsule-compress', () => this.events.onCompress(Number(input.value)), card?.status === 'running', 'Compress this text to a capsule (opens a diff)'));
    } else {
      controls.append(
        this.button('Apply', 'check', 'capsule-apply', () => this.events.onApply(id), card!.stale || card!.status === 'running', card!.stale ? 'The document changed since: compress again' : 'Replace the original text (one undo restores it)'),
        this.button('Copy', 'copy', 'capsule-copy', () => this.events.onCopy(id), card!.status === 'running', 'Copy the capsule to the clipboard', true),
        this.button('Discard', 'discard', 'capsule-discard', () => this.events.onDiscard(id), false, 'Forget this capsule', true),
        ...(llmAvailable ? [this.button('Check', 'beaker', 'capsule-probe', () => this.events.onProbe(id), card!.status === 'running', 'Ask the LLM the same questions with the original and with the capsule (its cost is shown first)', true)] : []),
      );
    }
    return controls;
  }

  private button(text: string, icon: string, testid: string, onClick: () => void, disabled: boolean, title: string, secondary = false): HTMLElement {
    const button = document.createElement('vscode-button');
    button.append(codicon(icon), ` ${text}`);
    button.setAttribute('data-testid', testid);
    button.title = title;
    if (secondary) button.setAttribute('secondary', '');
    if (disabled) button.setAttribute('disabled', '');
    button.addEventListener('click', () => {
      if (!button.hasAttribute('disabled')) onClick();
    });
    return button;
  }

  private summary(card: CapsuleCardState): HTMLElement {
    const cut = card.originalTokens > 0 ? 1 - card.capsuleTokens / card.originalTokens : 0;
    const row = (name: string, tokens: number, cost: number, testid: string) =>
      h('tr', { 'data-testid': testid }, h('th', { scope: 'row' }, name), h('td', { class: 'num', 'data-value': tokens }, formatCount(tokens)), h('td', { class: 'num' }, formatUsd(cost)));
    return h(
      'div',
      {},
      h(
        'table',
        { class: 'capsule-summary', 'data-testid': 'capsule-summary' },
        h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', { class: 'num' }, 'Tokens'), h('th', { class: 'num' }, `Input cost / call (${card.modelName})`))),
        h(
          'tbody',
          {},
          row('Original', card.originalTokens, card.originalCostUsd, 'capsule-original'),
          row('Capsule', card.capsuleTokens, card.capsuleCostUsd, 'capsule-capsule'),
        ),
      ),
      h(
        'p',
        { class: card.withinBudget ? 'capsule-rate-reached' : 'capsule-rate-reached warn', 'data-testid': 'capsule-rate-reached' },
        `${card.fileName} (${card.scope}): kept ${formatPercent(card.rateReached, 1)} of the tokens (−${formatPercent(cut)}), asked ${formatPercent(card.rate)}. `,
        card.withinBudget ? 'Within budget.' : `Over budget: ${card.budgetNote ?? 'protected content exceeds the target'}.`,
        card.stale ? ' The document changed since this capsule was made.' : '',
      ),
    );
  }

  private details(card: CapsuleCardState): HTMLElement {
    const list = (items: Array<{ name: string; count: number; tokens: number }>, empty: string) =>
      items.length === 0
        ? h('p', { class: 'message' }, empty)
        : h('ul', {}, ...items.map((i) => h('li', {}, `${label(i.name)}: ${formatCount(i.count)} (${formatCount(i.tokens)} tokens)`)));
    const protectedItems = card.protected.map((p) => ({ name: p.kind, count: p.count, tokens: p.tokens }));
    const droppedItems = card.dropped.map((d) => ({ name: d.category, count: d.count, tokens: d.tokens }));
    return h(
      'div',
      { class: 'capsule-details' },
      h('div', { 'data-testid': 'capsule-protected' }, h('h3', {}, 'Kept byte for byte'), list(protectedItems, 'Nothing needed protection.')),
      h('div', { 'data-testid': 'capsule-dropped' }, h('h3', {}, 'Dropped'), list(droppedItems, 'Nothing dropped.')),
      h(
        'details',
        { class: 'capsule-preview' },
        h('summary', {}, card.previewTruncated ? 'Capsule text (first part)' : 'Capsule text'),
        h('pre', { 'data-testid': 'capsule-text' }, card.preview),
      ),
    );
  }
}
