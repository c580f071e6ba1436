import { html, nothing, render, type TemplateResult } from 'lit';
import { classMap } from 'lit/directives/class-map.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { formatCount, formatFixed, formatNumber, formatPercent, formatUsd, formatMs as ms } from '../src/core/format/numbers';
import type { BudgetName, PlanBudgets } from '../src/core/plan/types';
import type { BudgetState, PlanCandidate, PlanCardState, PlanInputs, PlanResult } from '../src/core/protocol/panel';
import { ScatterChart, type ScatterSpec } from './charts';
import { debounce, cardSection } from './dom';
import { PLAN_FIELDS, parsePlanField, type PlanField } from '../src/core/plan/fields';
import { icon as codicon } from './templates';

export interface PlanViewEvents {
  /** Valid inputs, debounced (400 ms after the last keystroke). */
  onInputsChange(inputs: PlanInputs): void;
  onCancel(): void;
  onRerun(): void;
  /** A self-hosted candidate to the Serving card. */
  onSimulate(candidateId: string): void;
}

export type PlanSortColumn = 'candidate' | 'where' | 'quality' | 'ttft' | 'tpot' | 'attainment' | 'cost' | 'energy' | 'missed';

export interface PlanSort {
  column: PlanSortColumn;
  descending: boolean;
}

const INPUT_DEBOUNCE_MS = 400;

/** Budget names as the card words them. */
const BUDGET_SHORT: Record<BudgetName, string> = {
  sloTtftMs: 'TTFT',
  sloTpotMs: 'TPOT',
  minQuality: 'quality',
  maxCostPer1kUsd: 'cost',
  maxEnergyJ: 'energy',
  load: 'load',
};

function budgetText(name: BudgetName, b: PlanBudgets): string {
  switch (name) {
    case 'sloTtftMs':
      return `the TTFT SLO (p90 ≤ ${formatNumber(b.sloTtftMs ?? 0)} ms)`;
    case 'sloTpotMs':
      return `the TPOT SLO (p90 ≤ ${formatNumber(b.sloTpotMs ?? 0)} ms)`;
    case 'minQuality':
      return `the quality floor (${formatNumber(b.minQuality ?? 0)})`;
    case 'maxCostPer1kUsd':
      return `the cost cap (${formatUsd(b.maxCostPer1kUsd ?? 0)} per 1k requests)`;
    case 'maxEnergyJ':
      return `the energy cap (${formatNumber(b.maxEnergyJ ?? 0)} J per request)`;
    case 'load':
      return 'the request rate (a queue that stays short)';
  }
}

/** "rate 4 req/s, 256 output tokens, TTFT ≤ 150 ms, ...": what a set of results was made for. */
function describeInputs(i: PlanInputs): string {
  const parts = [`rate ${formatNumber(i.rate)} req/s`, `${formatNumber(i.outputTokens)} output tokens`, `TTFT ≤ ${formatNumber(i.sloTtftMs)} ms`, `TPOT ≤ ${formatNumber(i.sloTpotMs)} ms`];
  if (i.minQuality > 0) parts.push(`quality ≥ ${formatNumber(i.minQuality)}`);
  if (i.maxCostPer1kUsd > 0) parts.push(`≤ ${formatUsd(i.maxCostPer1kUsd)} per 1k requests`);
  if (i.maxEnergyJ > 0) parts.push(`≤ ${formatNumber(i.maxEnergyJ)} J per request`);
  parts.push(`at most ${formatNumber(i.maxGpus)} GPUs`);
  return parts.join(', ');
}

const sameInputs = (a: PlanInputs | undefined, b: PlanInputs | undefined) => !!a && !!b && PLAN_FIELDS.every((f) => a[f.key] === b[f.key]);

const isHosted = (c: PlanCandidate) => c.kind === 'hosted';

/** "32/40 layers · int8" or "hosted API". */
function variant(c: PlanCandidate): string {
  if (isHosted(c)) return 'hosted API';
  const depth = c.depth !== null && c.maxDepth !== null ? `${c.depth}/${c.maxDepth} layers` : '';
  return [depth, c.precision].filter(Boolean).join(' · ');
}

/** The variant and the GPUs, under the candidate's name: "32/40 layers · int8 · 1 × h100-sxm" (each part unbroken). */
function variantAndGpus(c: PlanCandidate): TemplateResult {
  const parts = isHosted(c) ? [variant(c)] : [...variant(c).split(' · '), where(c).main];
  return html`${parts.map((p, i) => html`${i > 0 ? ' · ' : ''}<span class="part">${p}</span>`)}`;
}

/** "1 × h100-sxm" and "TP 1 · colocated · 2 instances". */
function where(c: PlanCandidate): { main: string; sub: string } {
  if (isHosted(c)) return { main: 'hosted', sub: c.latencySource.startsWith('published') ? 'published latency' : c.latencySource.startsWith('user') ? 'your latency figure' : 'no latency figure' };
  const layout =
    c.mode === 'disaggregated' && c.prefillInstances !== undefined && c.decodeInstances !== undefined
      ? `${c.prefillInstances} prefill + ${c.decodeInstances} decode`
      : `${c.instances ?? '?'} instance${c.instances === 1 ? '' : 's'}`;
  const engine = c.engine && c.engine !== 'current' ? ` · ${c.engine}` : '';
  return { main: `${c.gpus ?? '?'} × ${c.gpu ?? '?'}`, sub: `TP ${c.tp ?? '?'} · ${c.mode ?? ''} · ${layout}${engine}` };
}

/** One line on the candidate: what it is, where, its figures. */
function summary(c: PlanCandidate): string {
  const w = where(c);
  const place = isHosted(c) ? 'hosted API' : `${variant(c)} · ${w.main} · ${w.sub}`;
  const figures = [
    `${formatUsd(c.costPer1kRequestsUsd)} per 1k requests`,
    c.quality === null ? 'quality unknown' : `quality ${formatFixed(c.quality, 3)}`,
    c.ttftP90Ms === null ? 'TTFT unknown' : `TTFT p90 ${ms(c.ttftP90Ms)}`,
    c.tpotP90Ms === null ? null : `TPOT p90 ${ms(c.tpotP90Ms)}`,
  ].filter(Boolean);
  return `${place} · ${figures.join(' · ')}`;
}

interface Column {
  column: PlanSortColumn;
  label: string;
  numeric: boolean;
  title: string;
  /** Clicking it first sorts high to low (higher is better). */
  descendingFirst?: boolean;
  value(c: PlanCandidate): number | string | null;
}

// What people compare comes first (as in the Budget card), so a narrow panel shows the
// candidate, its cost, its quality and the budgets it misses before it scrolls.
const COLUMNS: readonly Column[] = [
  { column: 'candidate', label: 'Candidate', numeric: false, title: 'Model, depth (layers run of all) and precision', value: (c) => `${c.modelName}\u0000${String(c.depth ?? 0).padStart(4, '0')}\u0000${c.precision ?? ''}` },
  { column: 'cost', label: 'Cost / 1k req', numeric: true, title: 'USD per 1,000 requests (GPU hours, or the API prices)', value: (c) => c.costPer1kRequestsUsd },
  { column: 'quality', label: 'Quality', numeric: true, descendingFirst: true, title: 'Relative quality, 0..1 of the full 16-bit model (hover a value for its basis)', value: (c) => c.quality },
  { column: 'missed', label: 'Budgets missed', numeric: true, title: 'The budgets this candidate misses (hover for why)', value: (c) => c.violates.length },
  { column: 'ttft', label: 'TTFT p90', numeric: true, title: 'Time to first token, 90th percentile (simulated; hosted: a published median)', value: (c) => c.ttftP90Ms },
  { column: 'tpot', label: 'TPOT p90', numeric: true, title: 'Time per output token, 90th percentile', value: (c) => c.tpotP90Ms },
  { column: 'attainment', label: 'Attainment', numeric: true, descendingFirst: true, title: 'Share of simulated requests within both SLOs', value: (c) => c.attainment },
  { column: 'energy', label: 'Energy J/req', numeric: true, title: 'GPU energy per request, joules (simulated)', value: (c) => c.energyJPerRequest },
  { column: 'where', label: 'Where', numeric: false, title: 'GPUs × GPU type, tensor-parallel degree, deployment mode and instances; or a hosted API', value: (c) => (isHosted(c) ? '' : `${c.gpu}\u0000${String(c.gpus ?? 0).padStart(3, '0')}\u0000${c.mode}`) },
];

const COLUMN_BY_ID = new Map(COLUMNS.map((c) => [c.column, c]));

function compare(a: PlanCandidate, b: PlanCandidate, sort: PlanSort): number {
  const col = COLUMN_BY_ID.get(sort.column)!;
  const va = col.value(a);
  const vb = col.value(b);
  // Unknown values last, whichever the direction.
  if (va === null || vb === null) {
    if (va !== vb) return va === null ? 1 : -1;
  } else {
    const order = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    if (order !== 0) return sort.descending ? -order : order;
  }
  return a.costPer1kRequestsUsd - b.costPer1kRequestsUsd || (b.quality ?? -1) - (a.quality ?? -1) || a.id.localeCompare(b.id);
}

/** Why a figure is missing, for the "—" in its cell. */
const MISSING: Record<'quality' | 'ttft' | 'tpot' | 'attainment' | 'energy', (c: PlanCandidate) => string> = {
  quality: (c) => `No published quality figure: ${c.qualityBasis.join('; ') || 'none'}`,
  ttft: (c) => (c.latencySource === 'no published latency' ? 'No published latency for this hosted model' : c.latencySource),
  tpot: (c) => (c.ttftP90Ms !== null ? 'One output token: no time per output token' : c.latencySource === 'no published latency' ? 'No published latency for this hosted model' : c.latencySource),
  attainment: (c) => (isHosted(c) ? 'Hosted: not simulated (a published median is all there is)' : 'Not simulated against SLOs'),
  energy: (c) => (isHosted(c) ? 'No published energy for a hosted model' : 'Not simulated'),
};

/**
 * The Plan card: every candidate configuration for the panel's text (hosted APIs and
 * self-hosted sub-model × precision × GPU × mode layouts), the budgets each misses, the
 * frontier and the recommendation, with the budgets editable.
 *
 * Rendered with Lit on every state update: Lit patches what changed, so a field being
 * typed in keeps its focus, caret and text, and the table's rows move rather than being
 * rebuilt when the sort changes. What is typed is checked as typed (core/plan/fields.ts); an
 * invalid value gets its message under the field, is never sent, and the results say
 * which inputs they still show.
 */
export class PlanView {
  private readonly root: HTMLElement;
  private card: PlanCardState | undefined;
  /** What each field shows (as typed). */
  private text: Record<PlanField, string> | undefined;
  /** The host inputs the fields were last filled from. */
  private formInputs: string | undefined;
  /** The last valid value of every field, as sent to the host. */
  private sent: PlanInputs | undefined;
  private readonly invalid = new Map<PlanField, string>();
  private sort: PlanSort = { column: 'missed', descending: false };
  private chart: ScatterChart | undefined;
  private chartKey: string | undefined;
  /** A candidate picked on the chart: its row is marked and scrolled into view. */
  private picked: string | undefined;
  private scrollToPicked = false;
  private readonly emit: (inputs: PlanInputs) => void;

  constructor(
    container: HTMLElement,
    private readonly events: PlanViewEvents,
  ) {
    this.root = cardSection(container, { className: 'card plan-card', testid: 'plan-card', titleId: 'plan-title', hidden: true });
    this.emit = debounce((inputs: PlanInputs) => events.onInputsChange(inputs), INPUT_DEBOUNCE_MS);
  }

  render(state: BudgetState): void {
    const card = state.plan;
    this.card = card;
    if (!card) {
      this.root.hidden = true;
      this.dispose();
      return;
    }
    this.root.hidden = false;
    // Refill the fields only when the host's inputs are not what this form last sent
    // (first render, a restored panel, the command run again); never over an edit.
    const hostInputs = JSON.stringify(card.inputs);
    if (!this.text || (hostInputs !== this.formInputs && !sameInputs(card.inputs, this.sent) && this.invalid.size === 0)) {
      this.sent = { ...card.inputs };
      this.formInputs = hostInputs;
      this.text = Object.fromEntries(PLAN_FIELDS.map((f) => [f.key, String(card.inputs[f.key])])) as Record<PlanField, string>;
    }
    this.update();
  }

  /** Frees the chart (its observers and canvas). */
  dispose(): void {
    this.disposeChart();
    render(nothing, this.root);
  }

  private update(): void {
    const card = this.card;
    if (!card) return;
    this.syncChart(card);
    render(this.template(card), this.root);
    if (this.scrollToPicked && this.picked) {
      this.scrollToPicked = false;
      const row = [...this.root.querySelectorAll<HTMLElement>('tr[data-candidate-id]')].find((r) => r.dataset.candidateId === this.picked);
      row?.scrollIntoView({ block: 'nearest' });
      row?.focus({ preventScroll: true });
    }
  }

  private template(card: PlanCardState): TemplateResult {
    return html`
      <h2 id="plan-title">${codicon('graph-scatter')} Plan</h2>
      ${this.form()} ${this.caption(card)} ${this.status(card)} ${this.stale(card)}
      ${card.result ? this.results(card, card.result) : nothing}
    `;
  }

  private caption(card: PlanCardState): TemplateResult {
    const r = card.result;
    const i = card.inputs;
    const run = r ? ` ${formatCount(r.candidates.length)} candidates, ${formatCount(r.simulations)} simulations in ${formatFixed(r.elapsedMs / 1000, 1)} s.` : '';
    return html`<p class="plan-caption" data-testid="plan-caption">
      ${formatCount(card.inputTokens)} input tokens per request (${card.tokenBasis}), ${formatCount(i.outputTokens)} output tokens, Poisson arrivals at
      ${formatNumber(i.rate)} req/s.${run}
    </p>`;
  }

  private form(): TemplateResult {
    const text = this.text!;
    return html`<div class="plan-form" role="group" aria-label="Plan inputs and budgets">
      ${PLAN_FIELDS.map((f) => {
        const error = this.invalid.get(f.key);
        return html`<label class="field small" title=${ifDefined(f.hint)}>
          <span>${f.label}</span>
          <vscode-textfield
            data-testid="plan-${f.key}"
            inputmode=${f.integer ? 'numeric' : 'decimal'}
            placeholder=${ifDefined(f.zeroIsOff ? '0 = off' : undefined)}
            .label=${f.label}
            .value=${live(text[f.key])}
            .invalid=${error !== undefined}
            @input=${(event: Event) => this.onInput(f.key, (event.currentTarget as HTMLElement & { value: string }).value)}
          ></vscode-textfield>
          <span class="field-error" data-testid="plan-${f.key}-error" role="alert" ?hidden=${error === undefined}>${error ?? ''}</span>
        </label>`;
      })}
    </div>`;
  }

  private onInput(key: PlanField, value: string): void {
    this.text![key] = value;
    const parsed = parsePlanField(key, value);
    if (parsed.ok) {
      this.invalid.delete(key);
      this.sent = { ...this.sent!, [key]: parsed.value };
    } else {
      this.invalid.set(key, parsed.message);
    }
    this.update();
    if (this.invalid.size === 0 && this.sent) this.emit(this.sent);
  }

  /** Progress with Cancel while running; the message and Run again after an error or a cancel. */
  private status(card: PlanCardState): TemplateResult | typeof nothing {
    switch (card.status) {
      case 'running': {
        const done = card.progress?.done ?? 0;
        const total = card.progress?.total;
        return html`<div class="plan-progress" data-testid="plan-progress" role="status">
          <progress max=${total ?? 1} value=${ifDefined(total !== undefined ? done : undefined)} aria-label="Plan progress"></progress>
          <span class="running">${total !== undefined ? `Planning… ${formatCount(done)} of ${formatCount(total)} configurations` : 'Planning…'}</span>
          <vscode-button data-testid="plan-cancel" secondary @click=${() => this.events.onCancel()}>${codicon('debug-stop')} Cancel</vscode-button>
        </div>`;
      }
      case 'error':
      case 'cancelled': {
        const text = card.message ?? (card.status === 'cancelled' ? 'Plan cancelled.' : 'The plan failed.');
        return html`<div class="plan-progress">
          <p class=${card.status === 'error' ? 'message error' : 'message'} role="alert" data-testid="plan-message">${text}</p>
          <vscode-button data-testid="plan-rerun" secondary @click=${() => this.events.onRerun()}>${codicon('refresh')} Run again</vscode-button>
        </div>`;
      }
      case 'ready':
        return card.message ? html`<p class="message" data-testid="plan-message">${card.message}</p>` : nothing;
    }
  }

  private isStale(card: PlanCardState): boolean {
    return !!card.result && (card.status !== 'ready' || this.invalid.size > 0 || (card.resultInputs !== undefined && !sameInputs(card.resultInputs, card.inputs)));
  }

  /** Says when the results on screen are not for what the fields show. */
  private stale(card: PlanCardState): TemplateResult | typeof nothing {
    if (!card.result || !this.isStale(card)) return nothing;
    const reasons: string[] = [];
    if (this.invalid.size > 0) reasons.push('a field above is invalid (fix it to update them)');
    if (card.status === 'running') reasons.push('new ones are on their way');
    if (card.status === 'cancelled' || card.status === 'error') reasons.push('the plan for the current inputs did not finish');
    if (reasons.length === 0) reasons.push('the inputs changed since');
    const shown = card.resultInputs ?? card.inputs;
    return html`<p class="message warn" data-testid="plan-stale">These results are for ${describeInputs(shown)}: ${reasons.join('; ')}.</p>`;
  }

  private results(card: PlanCardState, result: PlanResult): TemplateResult {
    const byId = new Map(result.candidates.map((c) => [c.id, c]));
    return html`<div class=${classMap({ 'plan-results': true, stale: this.isStale(card) })} data-testid="plan-results">
      ${this.recommendation(result, byId)} ${this.budgets(result)}
      <div class="plan-chart" data-testid="plan-chart">${this.chart ? this.chart.element : html`<p class="message">No candidate has a quality figure to plot.</p>`}</div>
      ${this.table(result)} ${this.details(result)}
    </div>`;
  }

  private recommendation(result: PlanResult, byId: Map<string, PlanCandidate>): TemplateResult {
    const rec = result.recommendation;
    const c = rec.id ? byId.get(rec.id) : undefined;
    if (!c) {
      return html`<div class="plan-recommendation none" data-testid="plan-recommendation">
        <h3>${codicon('warning')} None meets the budgets</h3>
        ${rec.binding && rec.binding.length > 0
          ? html`<p data-testid="plan-binding">
              Binding: ${rec.binding.map((b) => budgetText(b, result.budgets)).join(rec.binding.length === 2 ? ' and ' : ', ')}.
            </p>`
          : nothing}
        <p class="reason" data-testid="plan-recommendation-reason">${rec.reason.replace(/^None meets the budgets: (.)/, (_m, first: string) => first.toUpperCase())}</p>
      </div>`;
    }
    return html`<div class="plan-recommendation" data-testid="plan-recommendation" data-candidate-id=${c.id}>
      <h3>${codicon('star-full')} Recommended: ${c.modelName}</h3>
      <p class="summary" data-testid="plan-recommendation-summary">${summary(c)}</p>
      <p class="reason" data-testid="plan-recommendation-reason">${rec.reason}</p>
      ${isHosted(c)
        ? nothing
        : html`<vscode-button data-testid="plan-recommendation-simulate" title="Open this configuration in the Serving card" @click=${() => this.events.onSimulate(c.id)}
            >${codicon('play')} Simulate this</vscode-button
          >`}
    </div>`;
  }

  /** The budgets as applied, how many candidates meet them, and which are missed most. */
  private budgets(result: PlanResult): TemplateResult {
    const b = result.budgets;
    const set = (['sloTtftMs', 'sloTpotMs', 'minQuality', 'maxCostPer1kUsd', 'maxEnergyJ'] as const).filter((k) => b[k] !== undefined && (k.startsWith('slo') || (b[k] ?? 0) > 0));
    const meeting = result.candidates.filter((c) => c.violates.length === 0).length;
    const missed = new Map<BudgetName, number>();
    for (const c of result.candidates) for (const v of c.violates) missed.set(v, (missed.get(v) ?? 0) + 1);
    const most = [...missed.entries()].sort((x, y) => y[1] - x[1]);
    return html`<p class="plan-budgets" data-testid="plan-budgets">
      Budgets: ${set.map((k) => budgetText(k, b)).join(', ')}, each SLO for ${formatPercent(b.attainment)} of requests.
      ${formatCount(meeting)} of ${formatCount(result.candidates.length)} candidates meet them${most.length > 0
        ? html`; missed most: ${most.map(([k, n]) => `${BUDGET_SHORT[k]} (${formatCount(n)})`).join(', ')}`
        : nothing}.
    </p>`;
  }

  private scatterSpec(card: PlanCardState, result: PlanResult): ScatterSpec | undefined {
    const pareto = new Set(result.pareto);
    const plotted = result.candidates.filter((c) => c.quality !== null);
    if (plotted.length === 0) return undefined;
    const b = result.budgets;
    const unplotted = result.candidates.length - plotted.length;
    const tip = (c: PlanCandidate) =>
      [
        `${c.modelName}${isHosted(c) ? ' (hosted API)' : `, ${variant(c)}`}`,
        isHosted(c) ? null : `${where(c).main} · ${where(c).sub}`,
        `${formatUsd(c.costPer1kRequestsUsd)} per 1k requests · quality ${formatFixed(c.quality ?? 0, 3)}`,
        `TTFT p90 ${c.ttftP90Ms === null ? '—' : ms(c.ttftP90Ms)} · TPOT p90 ${c.tpotP90Ms === null ? '—' : ms(c.tpotP90Ms)}`,
        c.id === result.recommendation.id ? 'Recommended' : pareto.has(c.id) ? 'On the frontier' : null,
        ...c.violations.map((v) => `Misses: ${v}`),
      ]
        .filter(Boolean)
        .join('\n');
    return {
      caption: `Cost against quality of ${formatCount(plotted.length)} candidates${unplotted > 0 ? ` (${formatCount(unplotted)} without a quality figure not shown)` : ''}. Click a point to find its row.`,
      label: `Scatter of ${plotted.length} candidates, cost per 1k requests against quality; ${result.candidates.filter((c) => c.violates.length === 0).length} meet every budget. The table below lists the same figures.`,
      xLabel: 'USD per 1k requests',
      yLabel: 'quality',
      points: plotted.map((c) => ({
        id: c.id,
        x: c.costPer1kRequestsUsd,
        y: c.quality!,
        meets: c.violates.length === 0,
        hollow: c.violates.includes('sloTtftMs') || c.violates.includes('sloTpotMs'),
        frontier: pareto.has(c.id),
        tip: tip(c),
      })),
      highlight: result.recommendation.id ? { id: result.recommendation.id, label: 'recommended' } : undefined,
      xLimit: b.maxCostPer1kUsd !== undefined && b.maxCostPer1kUsd > 0 ? { value: b.maxCostPer1kUsd, label: `cost cap ${formatUsd(b.maxCostPer1kUsd)}` } : undefined,
      yLimit: b.minQuality !== undefined && b.minQuality > 0 ? { value: b.minQuality, label: `quality floor ${formatNumber(b.minQuality)}` } : undefined,
      legend: {
        meets: 'meets every budget',
        misses: 'misses a budget',
        hollow: `hollow: misses the latency budget (TTFT ≤ ${ms(b.sloTtftMs ?? card.inputs.sloTtftMs)}, TPOT ≤ ${ms(b.sloTpotMs ?? card.inputs.sloTpotMs)} for ${formatPercent(b.attainment)}) or has no latency figure`,
        frontier: 'frontier (ringed; the line bounds cost vs quality)',
        highlight: 'recommended',
      },
      formatX: (v) => (v >= 1 ? `$${formatNumber(v)}` : formatUsd(v)),
      formatY: (v) => formatFixed(v, 1),
      onPick: (id) => {
        this.picked = id;
        this.scrollToPicked = true;
        this.update();
      },
    };
  }

  /** Creates, updates or frees the scatter for this state (it is rebuilt only when the result changes). */
  private syncChart(card: PlanCardState): void {
    const result = card.result;
    if (!result) {
      this.disposeChart();
      return;
    }
    const key = JSON.stringify([result, card.inputs.sloTtftMs]);
    if (key === this.chartKey) return;
    this.chartKey = key;
    const spec = this.scatterSpec(card, result);
    if (!spec) {
      this.disposeChart();
      this.chartKey = key;
      return;
    }
    if (this.chart) this.chart.update(spec);
    else this.chart = new ScatterChart(spec);
  }

  private disposeChart(): void {
    this.chart?.dispose();
    this.chart = undefined;
    this.chartKey = undefined;
  }

  private table(result: PlanResult): TemplateResult {
    const rows = [...result.candidates].sort((a, b) => compare(a, b, this.sort));
    const pareto = new Set(result.pareto);
    const rec = result.recommendation;
    const header = (col: Column) => {
      const active = this.sort.column === col.column;
      const sortState = active ? (this.sort.descending ? 'descending' : 'ascending') : undefined;
      return html`<th scope="col" class=${ifDefined(col.numeric ? 'num' : undefined)} aria-sort=${ifDefined(sortState)}>
        <button class="sort" type="button" title="${col.title}. Click to sort." data-sort=${col.column} @click=${() => this.sortBy(col)}>
          ${col.label}${active ? html`<span class="codicon codicon-arrow-${this.sort.descending ? 'down' : 'up'}" aria-hidden="true"></span>` : nothing}
        </button>
      </th>`;
    };
    const num = (value: number | null, text: (v: number) => string, missing: string, title?: string, col?: string) =>
      value === null
        ? html`<td class="num missing" data-col=${ifDefined(col)} title=${missing}>—</td>`
        : html`<td class="num" data-col=${ifDefined(col)} data-value=${value} title=${ifDefined(title)}>${text(value)}</td>`;
    const row = (c: PlanCandidate) => {
      const isRec = c.id === rec.id;
      const isUpgrade = c.id === rec.upgrade;
      const onFrontier = pareto.has(c.id);
      const w = where(c);
      const notes = [...c.notes, c.simulateCommand ? `Reproduce: ${c.simulateCommand}` : ''].filter(Boolean).join('\n');
      // Cells after the candidate's, in the header's order (COLUMNS).
      const cells: Record<PlanSortColumn, TemplateResult | typeof nothing> = {
        candidate: nothing,
        where: html`<td data-col="where" title=${c.latencySource}>
          <div>${w.main}</div>
          <div class="cand-sub">${w.sub}</div>
        </td>`,
        quality: num(c.quality, (v) => formatFixed(v, 3), MISSING.quality(c), c.qualityBasis.join('\n'), 'quality'),
        ttft: num(c.ttftP90Ms, ms, MISSING.ttft(c), c.latencySource, 'ttft'),
        tpot: num(c.tpotP90Ms, ms, MISSING.tpot(c), c.latencySource, 'tpot'),
        attainment: num(c.attainment, (v) => formatPercent(v, 1), MISSING.attainment(c), `Share of simulated requests within both SLOs (target ${formatPercent(result.budgets.attainment)})`, 'attainment'),
        cost: num(c.costPer1kRequestsUsd, formatUsd, '', undefined, 'cost'),
        energy: num(c.energyJPerRequest, (v) => formatCount(v), MISSING.energy(c), undefined, 'energy'),
        missed: html`<td data-col="missed" class=${c.violates.length > 0 ? 'missed' : 'met'} title=${c.violations.length > 0 ? c.violations.join('\n') : 'Meets every budget'}>
          ${c.violates.length > 0
            ? html`<span class="codicon codicon-error" aria-hidden="true"></span> ${c.violates.map((v) => BUDGET_SHORT[v]).join(', ')}<span class="visually-hidden">: ${c.violations.join('; ')}</span>`
            : html`<span class="codicon codicon-pass" aria-hidden="true"></span> none`}
        </td>`,
      };
      return html`<tr
        data-candidate-id=${c.id}
        tabindex="-1"
        class=${classMap({ recommended: isRec, upgrade: isUpgrade, pareto: onFrontier, violating: c.violates.length > 0, picked: c.id === this.picked })}
        ?data-recommended=${isRec}
        ?data-pareto=${onFrontier}
      >
        <td data-col="candidate" title=${ifDefined(notes || undefined)}>
          <div class="cand-name">
            ${c.modelName}${isRec ? html`<span class="badge rec" data-testid="plan-recommended-badge">recommended</span>` : nothing}${isUpgrade
              ? html`<span class="badge upgrade" title="Better quality for a little more: see the recommendation">upgrade</span>`
              : nothing}${onFrontier
              ? html`<span class="badge frontier" title="On the frontier: no other candidate is at once cheaper, better and faster">frontier</span>`
              : nothing}
          </div>
          <div class="cand-sub">${variantAndGpus(c)}</div>
        </td>
        ${COLUMNS.filter((col) => col.column !== 'candidate').map((col) => cells[col.column])}
        <td class="actions">
          ${isHosted(c)
            ? nothing
            : html`<vscode-button
                data-testid="plan-simulate"
                secondary
                title="Open this configuration in the Serving card"
                aria-label="Simulate ${c.modelName}, ${variant(c)}, ${w.main} in the Serving card"
                @click=${() => this.events.onSimulate(c.id)}
                >${codicon('play')} Simulate this</vscode-button
              >`}
        </td>
      </tr>`;
    };
    return html`<div class="table-wrap plan" tabindex="0" aria-label="Candidates">
      <table data-testid="plan-table">
        <thead>
          <tr>
            ${COLUMNS.map(header)}
            <th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          ${repeat(rows, (c) => c.id, row)}
        </tbody>
      </table>
    </div>`;
  }

  private sortBy(col: Column): void {
    const active = this.sort.column === col.column;
    this.sort = { column: col.column, descending: active ? !this.sort.descending : !!col.descendingFirst };
    this.update();
  }

  /** What was left out, and the notes that hold for several candidates (each row's own are its tooltip). */
  private details(result: PlanResult): TemplateResult {
    const counted = (items: string[]) => {
      const counts = new Map<string, number>();
      for (const s of items) counts.set(s, (counts.get(s) ?? 0) + 1);
      return [...counts.entries()].sort((a, b) => b[1] - a[1]);
    };
    const notes = counted(result.candidates.flatMap((c) => c.notes));
    const latency = counted(result.candidates.filter(isHosted).map((c) => `${c.modelName}: ${c.latencySource}`));
    const skipped = result.skipped;
    return html`<details class="plan-details" data-testid="plan-details">
      <summary>${skipped.length > 0 ? `${formatCount(skipped.length)} configuration${skipped.length === 1 ? '' : 's'} left out; notes` : 'Notes'}</summary>
      ${skipped.length > 0
        ? html`<h4>Left out</h4>
            <ul data-testid="plan-skipped">
              ${skipped.map((s) => html`<li>${s}</li>`)}
            </ul>`
        : nothing}
      <h4>How the figures were made</h4>
      <ul data-testid="plan-notes">
        <li>
          ${formatCount(result.simulations)} simulations in ${formatFixed(result.elapsedMs / 1000, 1)} s. Quality is relative to each model's own full 16-bit version (hover a
          quality for its source); the recommendation is the cheapest candidate meeting every budget.
        </li>
        ${latency.map(([text]) => html`<li>${text}</li>`)} ${notes.map(([text, n]) => html`<li>${text}${n > 1 ? ` (${formatCount(n)} candidates)` : ''}</li>`)}
      </ul>
    </details>`;
  }
}
