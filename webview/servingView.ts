import { html, nothing, render, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { formatCount, formatFixed, formatNumber, formatPercent, formatUsd, formatMs as ms } from '../src/core/format/numbers';
import { TENSOR_PARALLEL_CHOICES, type BudgetState, type ServingCardState, type ServingInputs } from '../src/core/protocol/panel';
import type { CurvePoint, ModeSummary, ServingEstimate } from '../src/core/serving/estimate';
import { parseServingField, SERVING_FIELDS, type ServingNumberField } from '../src/core/serving/fields';
import { LineChart, type ChartColour } from './charts';
import { codicon, debounce, h, cardSection } from './dom';
import { icon } from './templates';

export interface ServingViewEvents {
  onInputsChange(inputs: ServingInputs): void;
  onCancel(): void;
  onRerun(): void;
}

type ModeResult = ServingEstimate['modes'][number];
const isSummary = (r: ModeResult | undefined): r is ModeSummary => !!r && !('error' in r);

interface MetricRow {
  label: string;
  value(r: ModeSummary): string;
  /** Lower is better (for highlighting the best mode). */
  better?: 'low' | 'high';
  raw?(r: ModeSummary): number;
}

const METRICS: MetricRow[] = [
  { label: 'TTFT p50', value: (r) => ms(r.ttftMs.p50), better: 'low', raw: (r) => r.ttftMs.p50 },
  { label: 'TTFT p90', value: (r) => ms(r.ttftMs.p90), better: 'low', raw: (r) => r.ttftMs.p90 },
  { label: 'TTFT p99', value: (r) => ms(r.ttftMs.p99), better: 'low', raw: (r) => r.ttftMs.p99 },
  { label: 'TPOT p50', value: (r) => ms(r.tpotMs.p50), better: 'low', raw: (r) => r.tpotMs.p50 },
  { label: 'TPOT p90', value: (r) => ms(r.tpotMs.p90), better: 'low', raw: (r) => r.tpotMs.p90 },
  { label: 'TPOT p99', value: (r) => ms(r.tpotMs.p99), better: 'low', raw: (r) => r.tpotMs.p99 },
  { label: 'End-to-end p90', value: (r) => ms(r.e2eMs.p90), better: 'low', raw: (r) => r.e2eMs.p90 },
  { label: 'SLO attainment', value: (r) => formatPercent(r.sloAttainment, 1), better: 'high', raw: (r) => r.sloAttainment },
  { label: 'Throughput', value: (r) => `${formatFixed(r.requestsPerSec, 2)} req/s · ${formatCount(r.outputTokensPerSec)} tok/s` },
  { label: 'Cost / 1k requests', value: (r) => formatUsd(r.costPer1kRequestsUsd), better: 'low', raw: (r) => r.costPer1kRequestsUsd },
  { label: 'Energy / request', value: (r) => `${formatFixed(r.energyJPerRequest, 0)} J`, better: 'low', raw: (r) => r.energyJPerRequest },
  { label: 'Goodput (90% in SLO)', value: (r) => (r.goodputRps === null ? '—' : `${formatFixed(r.goodputRps, 2)} req/s · ${formatFixed(r.goodputPerGpu ?? 0, 2)}/GPU`), better: 'high', raw: (r) => r.goodputPerGpu ?? 0 },
  { label: 'Preemptions · migrations', value: (r) => `${formatCount(r.preemptions)} · ${formatCount(r.migrations)}` },
];

/** "rate 4 req/s, 256 output tokens, 2 GPUs": what a set of results was made for. */
function describeInputs(inputs: ServingInputs): string {
  const tp = (inputs.tensorParallel ?? 1) > 1 ? ` in TP ${inputs.tensorParallel} instances` : '';
  return `${inputs.model} on ${formatNumber(inputs.gpus)} × ${inputs.gpu}${tp} (${inputs.precision}), rate ${formatNumber(inputs.rate)} req/s, ${formatNumber(inputs.outputTokens)} output tokens, SLOs ${formatNumber(inputs.sloTtftMs)} / ${formatNumber(inputs.sloTpotMs)} ms`;
}

const NUMBER_FIELDS: Array<{ key: ServingNumberField; label: string }> = [
  { key: 'gpus', label: 'GPUs' },
  { key: 'rate', label: 'Rate (req/s)' },
  { key: 'outputTokens', label: 'Output tokens' },
  { key: 'sloTtftMs', label: 'TTFT SLO (ms)' },
  { key: 'sloTpotMs', label: 'TPOT SLO (ms)' },
];

/**
 * The Serving card: the selection (and its capsule) sent at a rate to a self-hosted
 * model, simulated for the three deployment modes, with a p90-vs-rate chart and goodput.
 *
 * The form is built once and kept; a state update from the host re-renders only the
 * caption, status and results below it, as Lit templates, so a field being typed in keeps
 * its focus, its caret and its text, and the table and charts are patched, not rebuilt.
 * What is typed is checked as typed (core/serving/fields.ts); an invalid value gets its
 * message under the field, is never sent, and the results say which inputs they still show.
 */
export class ServingView {
  private readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private form: HTMLElement | undefined;
  private formInputs: string | undefined;
  /** The last valid value of every field, as sent to the host. */
  private inputs: ServingInputs | undefined;
  private readonly invalid = new Map<ServingNumberField, string>();
  private last: ServingCardState | undefined;
  private readonly emit: (inputs: ServingInputs) => void;
  private lineCharts: LineChart[] = [];
  private chartKey: string | undefined;

  constructor(
    container: HTMLElement,
    private readonly events: ServingViewEvents,
  ) {
    this.root = cardSection(container, { className: 'card serving-card', testid: 'serving-card', titleId: 'serving-title' });
    this.body = h('div', { class: 'serving-body' });
    this.root.append(h('h2', { id: 'serving-title' }, codicon('server-process'), ' Serving'), this.body);
    this.emit = debounce((inputs: ServingInputs) => events.onInputsChange(inputs), 400);
  }

  render(state: BudgetState): void {
    const card = state.serving;
    this.last = card;
    if (!card) {
      this.root.hidden = true;
      this.disposeCharts();
      return;
    }
    this.root.hidden = false;
    // Rebuild the form only when the host's inputs are not what this form last sent
    // (first render, a restored panel); never while the user's edits are pending.
    const hostInputs = JSON.stringify(card.inputs);
    if (!this.form || (hostInputs !== this.formInputs && hostInputs !== JSON.stringify(this.inputs) && this.invalid.size === 0)) {
      this.inputs = { ...card.inputs };
      this.formInputs = hostInputs;
      const form = this.buildForm(card);
      if (this.form) this.form.replaceWith(form);
      else this.root.insertBefore(form, this.body);
      this.form = form;
    }
    this.renderBody(card);
  }

  /**
   * Caption, status, stale note and results, as Lit templates: Lit patches what changed, so
   * the results table and the charts stay in place while a progress update arrives.
   */
  private renderBody(card: ServingCardState): void {
    const showResults = !!card.estimate && card.status !== 'refused';
    if (!showResults) this.disposeCharts();
    render(html`${this.caption(card)}${this.statusLine(card)}${this.staleNote(card)}${showResults ? this.results(card, card.estimate!) : nothing}`, this.body);
  }

  private caption(card: ServingCardState): TemplateResult {
    const e = card.estimate;
    const calibration = e ? `Simulator: ${e.calibration.label}.` : '';
    const capsule = card.capsuleTokens !== undefined ? ` Capsule: ${formatCount(card.capsuleTokens)} tokens.` : '';
    const text = `${formatCount(card.inputTokens)} input tokens per request (${card.tokenBasis}), ${formatCount(card.inputs.outputTokens)} output tokens, Poisson arrivals at ${formatNumber(card.inputs.rate)} req/s on ${formatNumber(card.inputs.gpus)} GPUs per mode${(card.inputs.tensorParallel ?? 1) > 1 ? `, in instances of TP ${card.inputs.tensorParallel}` : ''}.${capsule} `;
    return html`<p class="serving-caption" data-testid="serving-caption">${text}<span data-testid="serving-calibration">${calibration}</span></p>`;
  }

  /** Progress with Cancel while running; the reason when refused, failed or cancelled. */
  private statusLine(card: ServingCardState): TemplateResult | typeof nothing {
    switch (card.status) {
      case 'running': {
        const done = card.progress?.done ?? 0;
        const total = card.progress?.total;
        return html`<div class="serving-progress" data-testid="serving-progress" role="status">
          <progress max=${total ?? 1} value=${ifDefined(total !== undefined ? done : undefined)} aria-label="Simulation progress"></progress>
          <span class="running">${total !== undefined ? `Simulating… ${done} of ${total} results` : 'Simulating…'}</span>
          <vscode-button data-testid="serving-cancel" secondary @click=${() => this.events.onCancel()}>${icon('debug-stop')} Cancel</vscode-button>
        </div>`;
      }
      case 'refused':
        return html`<p class="message warn" role="alert" data-testid="serving-message">${card.message ?? 'These inputs cannot be simulated.'}</p>`;
      case 'error':
      case 'cancelled': {
        const text = card.message ?? (card.status === 'cancelled' ? 'Estimate cancelled.' : 'Simulation failed.');
        return html`<div class="serving-progress">
          <p class=${card.status === 'error' ? 'message error' : 'message'} role="alert" data-testid="serving-message">${text}</p>
          <vscode-button data-testid="serving-rerun" secondary @click=${() => this.events.onRerun()}>${icon('refresh')} Run again</vscode-button>
        </div>`;
      }
      case 'ready':
        return nothing;
    }
  }

  /** Says when the results on screen are not for what the fields show. */
  private staleNote(card: ServingCardState): TemplateResult | typeof nothing {
    if (!card.estimate || card.status === 'refused') return nothing;
    const shown = card.estimateInputs;
    const reasons: string[] = [];
    if (this.invalid.size > 0) reasons.push('a field above is invalid (fix it to update them)');
    if (card.status === 'running' && shown) reasons.push('new ones are on their way');
    if (card.status === 'cancelled' || card.status === 'error') reasons.push('the estimate for the current inputs did not finish');
    if (reasons.length === 0 || !shown) return nothing;
    return html`<p class="message warn" data-testid="serving-stale">${`These results are for ${describeInputs(shown)}: ${reasons.join('; ')}.`}</p>`;
  }

  private buildForm(card: ServingCardState): HTMLElement {
    const select = (key: 'model' | 'gpu' | 'precision' | 'mode', label: string, options: Array<{ id: string; name: string }>) => {
      const el = document.createElement('vscode-single-select');
      el.setAttribute('data-testid', `serving-${key}`);
      el.setAttribute('aria-label', label);
      for (const o of options) {
        const option = document.createElement('vscode-option');
        option.setAttribute('value', o.id);
        option.textContent = o.name;
        if (o.id === card.inputs[key]) option.setAttribute('selected', '');
        el.append(option);
      }
      el.addEventListener('change', () => {
        this.inputs = { ...this.inputs!, [key]: el.value } as ServingInputs;
        this.send();
      });
      return h('label', { class: 'field' }, h('span', {}, label), el);
    };
    const number = (key: ServingNumberField, label: string) => {
      const el = document.createElement('vscode-textfield');
      el.setAttribute('data-testid', `serving-${key}`);
      el.setAttribute('aria-label', label);
      // Text, not type=number: a number input hides what was typed ("-5" reads as empty
      // or as 5 depending on the engine); here the check sees exactly what is shown.
      el.setAttribute('inputmode', SERVING_FIELDS[key].integer ? 'numeric' : 'decimal');
      el.value = String(card.inputs[key]);
      const error = h('span', { class: 'field-error', 'data-testid': `serving-${key}-error`, role: 'alert', hidden: true });
      el.addEventListener('input', () => {
        const parsed = parseServingField(key, el.value);
        if (!parsed.ok) {
          this.invalid.set(key, parsed.message);
          el.invalid = true;
          error.textContent = parsed.message;
          error.hidden = false;
        } else {
          this.invalid.delete(key);
          el.invalid = false;
          error.textContent = '';
          error.hidden = true;
          this.inputs = { ...this.inputs!, [key]: parsed.value };
        }
        this.send();
      });
      return h('label', { class: 'field small' }, h('span', {}, label), el, error);
    };
    return h(
      'div',
      { class: 'serving-form' },
      select('model', 'Model', card.options.models),
      select('gpu', 'GPU', card.options.gpus),
      select('precision', 'Precision', card.options.precisions),
      select('mode', 'Chart mode', card.options.modes.map((m) => ({ id: m, name: m }))),
      this.tensorParallelSelect(card),
      ...NUMBER_FIELDS.map((f) => number(f.key, f.label)),
    );
  }

  /** GPUs per instance; the GPUs field must be a multiple of it (the card says so otherwise). */
  private tensorParallelSelect(card: ServingCardState): HTMLElement {
    const el = document.createElement('vscode-single-select');
    el.setAttribute('data-testid', 'serving-tensorParallel');
    el.setAttribute('aria-label', 'GPUs per instance (tensor parallel)');
    for (const tp of TENSOR_PARALLEL_CHOICES) {
      const option = document.createElement('vscode-option');
      option.setAttribute('value', String(tp));
      option.textContent = String(tp);
      if (tp === (card.inputs.tensorParallel ?? 1)) option.setAttribute('selected', '');
      el.append(option);
    }
    el.addEventListener('change', () => {
      this.inputs = { ...this.inputs!, tensorParallel: Number(el.value) };
      this.send();
    });
    return h('label', { class: 'field small' }, h('span', {}, 'TP'), el);
  }

  /** Sends the inputs when every field is valid; otherwise only marks the results stale. */
  private send(): void {
    if (this.last) this.renderBody(this.last);
    if (this.invalid.size > 0 || !this.inputs) return;
    this.emit(this.inputs);
  }

  private results(card: ServingCardState, e: ServingEstimate): TemplateResult {
    const columns: Array<{ title: string; layout: string; result: ModeResult | undefined; testid: string }> = e.modes.map((m) => ({
      title: m.mode,
      layout: isSummary(m) ? m.layout : m.error,
      result: m,
      testid: `serving-mode-${m.mode}`,
    }));
    if (e.capsule) columns.push({ title: 'capsule', layout: `${card.inputs.mode}, ${formatCount(card.capsuleTokens ?? 0)} tokens`, result: e.capsule, testid: 'serving-mode-capsule' });
    const row = (metric: MetricRow) => {
      const modeValues = e.modes.filter(isSummary).map((r) => metric.raw?.(r));
      const best = metric.better && modeValues.length > 1 ? (metric.better === 'low' ? Math.min(...(modeValues as number[])) : Math.max(...(modeValues as number[]))) : undefined;
      return html`<tr data-metric=${metric.label}>
        <th scope="row">${metric.label}</th>
        ${columns.map((c) => {
          if (!isSummary(c.result)) return html`<td class="num error" title=${c.result && 'error' in c.result ? c.result.error : ''}>—</td>`;
          const isBest = best !== undefined && c.testid !== 'serving-mode-capsule' && metric.raw?.(c.result) === best;
          return html`<td class=${isBest ? 'num best' : 'num'}>${metric.value(c.result)}</td>`;
        })}
      </tr>`;
    };
    const errors = e.modes.filter((m): m is { mode: ModeSummary['mode']; error: string } => 'error' in m);
    const goodput =
      'error' in e.goodput
        ? `Goodput (${card.inputs.mode}): ${e.goodput.error}`
        : `Goodput (${card.inputs.mode}): ${formatFixed(e.goodput.rps, 2)} req/s, ${formatFixed(e.goodput.perGpu, 2)} per GPU, at 90% SLO attainment (TTFT ≤ ${formatNumber(card.inputs.sloTtftMs)} ms and TPOT ≤ ${formatNumber(card.inputs.sloTpotMs)} ms).`;
    const stale = card.status !== 'ready' || this.invalid.size > 0;
    return html`<div class=${stale ? 'serving-results stale' : 'serving-results'} data-testid="serving-results">
      <div class="table-wrap">
        <table data-testid="serving-table">
          <thead>
            <tr>
              <th scope="col">Metric</th>
              ${columns.map((c) => html`<th scope="col" class="num" data-testid=${c.testid} title=${c.layout}>${c.title}<div class="layout">${c.layout}</div></th>`)}
            </tr>
          </thead>
          <tbody>
            ${METRICS.map(row)}
          </tbody>
        </table>
      </div>
      ${errors.map((m) => html`<p class="message error">${`${m.mode}: ${m.error}`}</p>`)}
      <p data-testid="serving-goodput">${goodput}</p>
      ${this.charts(card, e.curve)}
    </div>`;
  }

  /**
   * The p90 TTFT and TPOT curves against the rate. The charts are kept while their data is
   * the same (a progress update re-renders the card), and disposed when replaced.
   */
  private charts(card: ServingCardState, curve: CurvePoint[]): TemplateResult {
    if (curve.length < 2) {
      this.disposeCharts();
      return html`<p class="message">Not enough points for a chart.</p>`;
    }
    const mode = card.inputs.mode;
    const key = JSON.stringify([curve, mode, card.inputs.sloTtftMs, card.inputs.sloTpotMs]);
    if (key !== this.chartKey) {
      this.disposeCharts();
      this.chartKey = key;
      this.lineCharts = [
        new LineChart(curveChart(`p90 TTFT vs rate (${mode})`, 'TTFT', curve, (p) => p.ttftP90Ms, card.inputs.sloTtftMs, 'blue')),
        new LineChart(curveChart(`p90 TPOT vs rate (${mode})`, 'TPOT', curve, (p) => p.tpotP90Ms, card.inputs.sloTpotMs, 'orange')),
      ];
    }
    return html`<div class="charts" data-testid="serving-chart">${this.lineCharts.map((c) => c.element)}</div>`;
  }

  private disposeCharts(): void {
    for (const c of this.lineCharts) c.dispose();
    this.lineCharts = [];
    this.chartKey = undefined;
  }
}

/** A p90-vs-rate chart with the SLO dashed; past 3 × the SLO the axis stops (the tooltip has the value). */
function curveChart(title: string, metric: string, points: CurvePoint[], y: (p: CurvePoint) => number, slo: number, colour: ChartColour) {
  return {
    caption: title,
    label: `${title}: ${points.map((p) => `${formatFixed(p.rate, 2)} req/s ${ms(y(p))}`).join(', ')}; SLO ${ms(slo)}.`,
    xLabel: 'request rate (req/s)',
    colour,
    points: points.map((p) => ({ x: p.rate, y: y(p), tip: `${formatFixed(p.rate, 2)} req/s: ${metric} p90 ${ms(y(p))}\nSLO attainment ${formatPercent(p.attainment)}` })),
    threshold: { value: slo, label: `SLO ${ms(slo)}` },
    yMax: slo * 3,
    formatX: (v: number) => formatNumber(v),
    formatY: (v: number) => (v === 0 ? '0' : v >= 10_000 ? `${formatNumber(v / 1000)} s` : `${formatNumber(v)} ms`),
  };
}
