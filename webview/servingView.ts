import { formatCount, formatFixed, formatNumber, formatPercent, formatUsd } from '../src/core/format/numbers';
import type { BudgetState, ServingCardState, ServingInputs } from '../src/core/protocol/panel';
import type { CurvePoint, ModeSummary, ServingEstimate } from '../src/core/serving/estimate';
import { parseServingField, SERVING_FIELDS, type ServingNumberField } from '../src/core/serving/fields';
import { codicon, debounce, h } from './dom';

export interface ServingViewEvents {
  onInputsChange(inputs: ServingInputs): void;
  onCancel(): void;
  onRerun(): void;
}

type ModeResult = ServingEstimate['modes'][number];
const isSummary = (r: ModeResult | undefined): r is ModeSummary => !!r && !('error' in r);

const ms = (x: number) => (x >= 10_000 ? `${formatFixed(x / 1000, 1)} s` : `${formatFixed(x, x >= 100 ? 0 : 1)} ms`);

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
  return `${inputs.model} on ${formatNumber(inputs.gpus)} × ${inputs.gpu} (${inputs.precision}), rate ${formatNumber(inputs.rate)} req/s, ${formatNumber(inputs.outputTokens)} output tokens, SLOs ${formatNumber(inputs.sloTtftMs)} / ${formatNumber(inputs.sloTpotMs)} ms`;
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
 * The form is built once and kept: a state update from the host replaces only the
 * status and results below it, so a field being typed in keeps its focus, its caret
 * and its text. What is typed is checked as typed (core/serving/fields.ts); an invalid
 * value gets its message under the field, is never sent, and the results say which
 * inputs they still show.
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

  constructor(
    container: HTMLElement,
    private readonly events: ServingViewEvents,
  ) {
    this.root = h('section', { class: 'card serving-card', 'data-testid': 'serving-card', 'aria-labelledby': 'serving-title' });
    this.body = h('div', { class: 'serving-body' });
    this.root.append(h('h2', { id: 'serving-title' }, codicon('server-process'), ' Serving'), this.body);
    container.append(this.root);
    this.emit = debounce((inputs: ServingInputs) => events.onInputsChange(inputs), 400);
  }

  render(state: BudgetState): void {
    const card = state.serving;
    this.last = card;
    if (!card) {
      this.root.hidden = true;
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

  private renderBody(card: ServingCardState): void {
    const parts: Array<HTMLElement | null> = [this.caption(card), this.statusLine(card)];
    const note = this.staleNote(card);
    if (note) parts.push(note);
    if (card.estimate && card.status !== 'refused') parts.push(this.results(card, card.estimate));
    this.body.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  }

  private caption(card: ServingCardState): HTMLElement {
    const e = card.estimate;
    const calibration = e ? `Simulator: ${e.calibration.label}.` : '';
    const capsule = card.capsuleTokens !== undefined ? ` Capsule: ${formatCount(card.capsuleTokens)} tokens.` : '';
    return h(
      'p',
      { class: 'serving-caption', 'data-testid': 'serving-caption' },
      `${formatCount(card.inputTokens)} input tokens per request (${card.tokenBasis}), ${formatCount(card.inputs.outputTokens)} output tokens, Poisson arrivals at ${formatNumber(card.inputs.rate)} req/s on ${formatNumber(card.inputs.gpus)} GPUs per mode.${capsule} `,
      h('span', { 'data-testid': 'serving-calibration' }, calibration),
    );
  }

  /** Progress with Cancel while running; the reason when refused, failed or cancelled. */
  private statusLine(card: ServingCardState): HTMLElement | null {
    switch (card.status) {
      case 'running': {
        const done = card.progress?.done ?? 0;
        const total = card.progress?.total;
        const bar = h('progress', { max: total ?? 1, 'aria-label': 'Simulation progress' });
        if (total !== undefined) (bar as HTMLProgressElement).value = done;
        else bar.removeAttribute('value');
        const cancel = document.createElement('vscode-button');
        cancel.setAttribute('data-testid', 'serving-cancel');
        cancel.setAttribute('secondary', '');
        cancel.append(codicon('debug-stop'), ' Cancel');
        cancel.addEventListener('click', () => this.events.onCancel());
        return h(
          'div',
          { class: 'serving-progress', 'data-testid': 'serving-progress', role: 'status' },
          bar,
          h('span', { class: 'running' }, total !== undefined ? `Simulating… ${done} of ${total} results` : 'Simulating…'),
          cancel,
        );
      }
      case 'refused':
        return h('p', { class: 'message warn', role: 'alert', 'data-testid': 'serving-message' }, card.message ?? 'These inputs cannot be simulated.');
      case 'error':
      case 'cancelled': {
        const rerun = document.createElement('vscode-button');
        rerun.setAttribute('data-testid', 'serving-rerun');
        rerun.setAttribute('secondary', '');
        rerun.append(codicon('refresh'), ' Run again');
        rerun.addEventListener('click', () => this.events.onRerun());
        const text = card.message ?? (card.status === 'cancelled' ? 'Estimate cancelled.' : 'Simulation failed.');
        return h('div', { class: 'serving-progress' }, h('p', { class: card.status === 'error' ? 'message error' : 'message', role: 'alert', 'data-testid': 'serving-message' }, text), rerun);
      }
      case 'ready':
        return null;
    }
  }

  /** Says when the results on screen are not for what the fields show. */
  private staleNote(card: ServingCardState): HTMLElement | null {
    if (!card.estimate || card.status === 'refused') return null;
    const shown = card.estimateInputs;
    const reasons: string[] = [];
    if (this.invalid.size > 0) reasons.push('a field above is invalid (fix it to update them)');
    if (card.status === 'running' && shown) reasons.push('new ones are on their way');
    if (card.status === 'cancelled' || card.status === 'error') reasons.push('the estimate for the current inputs did not finish');
    if (reasons.length === 0 || !shown) return null;
    return h('p', { class: 'message warn', 'data-testid': 'serving-stale' }, `These results are for ${describeInputs(shown)}: ${reasons.join('; ')}.`);
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
      ...NUMBER_FIELDS.map((f) => number(f.key, f.label)),
    );
  }

  /** Sends the inputs when every field is valid; otherwise only marks the results stale. */
  private send(): void {
    if (this.last) this.renderBody(this.last);
    if (this.invalid.size > 0 || !this.inputs) return;
    this.emit(this.inputs);
  }

  private results(card: ServingCardState, e: ServingEstimate): HTMLElement {
    const columns: Array<{ title: string; layout: string; result: ModeResult | undefined; testid: string }> = e.modes.map((m) => ({
      title: m.mode,
      layout: isSummary(m) ? m.layout : m.error,
      result: m,
      testid: `serving-mode-${m.mode}`,
    }));
    if (e.capsule) columns.push({ title: 'capsule', layout: `${card.inputs.mode}, ${formatCount(card.capsuleTokens ?? 0)} tokens`, result: e.capsule, testid: 'serving-mode-capsule' });
    const head = h(
      'tr',
      {},
      h('th', { scope: 'col' }, 'Metric'),
      ...columns.map((c) => h('th', { scope: 'col', class: 'num', 'data-testid': c.testid, title: c.layout }, c.title, h('div', { class: 'layout' }, c.layout))),
    );
    const body = h('tbody');
    for (const metric of METRICS) {
      const modeValues = e.modes.filter(isSummary).map((r) => metric.raw?.(r));
      const best = metric.better && modeValues.length > 1 ? (metric.better === 'low' ? Math.min(...(modeValues as number[])) : Math.max(...(modeValues as number[]))) : undefined;
      body.append(
        h(
          'tr',
          { 'data-metric': metric.label },
          h('th', { scope: 'row' }, metric.label),
          ...columns.map((c) => {
            if (!isSummary(c.result)) return h('td', { class: 'num error', title: c.result && 'error' in c.result ? c.result.error : '' }, '—');
            const isBest = best !== undefined && c.testid !== 'serving-mode-capsule' && metric.raw?.(c.result) === best;
            return h('td', { class: isBest ? 'num best' : 'num' }, c.result ? metric.value(c.result) : '');
          }),
        ),
      );
    }
    const errors = e.modes.filter((m): m is { mode: ModeSummary['mode']; error: string } => 'error' in m);
    const goodput =
      'error' in e.goodput
        ? `Goodput (${card.inputs.mode}): ${e.goodput.error}`
        : `Goodput (${card.inputs.mode}): ${formatFixed(e.goodput.rps, 2)} req/s, ${formatFixed(e.goodput.perGpu, 2)} per GPU, at 90% SLO attainment (TTFT ≤ ${formatNumber(card.inputs.sloTtftMs)} ms and TPOT ≤ ${formatNumber(card.inputs.sloTpotMs)} ms).`;
    const stale = card.status !== 'ready' || this.invalid.size > 0;
    return h(
      'div',
      { class: stale ? 'serving-results stale' : 'serving-results', 'data-testid': 'serving-results' },
      h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'serving-table' }, h('thead', {}, head), body)),
      ...errors.map((m) => h('p', { class: 'message error' }, `${m.mode}: ${m.error}`)),
      h('p', { 'data-testid': 'serving-goodput' }, goodput),
      this.charts(card, e.curve),
    );
  }

  private charts(card: ServingCardState, curve: CurvePoint[]): HTMLElement {
    if (curve.length < 2) return h('p', { class: 'message' }, 'Not enough points for a chart.');
    return h(
      'div',
      { class: 'charts', 'data-testid': 'serving-chart' },
      lineChart(`p90 TTFT vs rate (${card.inputs.mode})`, curve, (p) => p.ttftP90Ms, card.inputs.sloTtftMs, 'var(--vscode-charts-blue)'),
      lineChart(`p90 TPOT vs rate (${card.inputs.mode})`, curve, (p) => p.tpotP90Ms, card.inputs.sloTpotMs, 'var(--vscode-charts-orange)'),
    );
  }
}

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A small SVG line chart with the SLO as a dashed line; colours from the theme. */
function lineChart(title: string, points: CurvePoint[], y: (p: CurvePoint) => number, slo: number, colour: string): HTMLElement {
  const W = 320;
  const H = 170;
  const pad = { left: 48, right: 10, top: 10, bottom: 30 };
  const xs = points.map((p) => p.rate);
  const ys = points.map(y);
  const xMax = Math.max(...xs);
  // Past 3 x the SLO the exact value matters little: clip there (the dot's tooltip has it),
  // so the region around the SLO stays readable.
  const yMax = Math.max(slo * 1.1, Math.min(Math.max(...ys), slo * 3)) || 1;
  const px = (x: number) => pad.left + (x / xMax) * (W - pad.left - pad.right);
  const py = (v: number) => H - pad.bottom - (Math.min(v, yMax) / yMax) * (H - pad.top - pad.bottom);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': title });
  const axis = 'var(--vscode-foreground)';
  chart.append(svg('line', { x1: pad.left, y1: H - pad.bottom, x2: W - pad.right, y2: H - pad.bottom, stroke: axis, 'stroke-opacity': 0.4 }));
  chart.append(svg('line', { x1: pad.left, y1: pad.top, x2: pad.left, y2: H - pad.bottom, stroke: axis, 'stroke-opacity': 0.4 }));
  for (const frac of [0, 0.5, 1]) {
    const v = yMax * frac;
    chart.append(svg('text', { x: pad.left - 4, y: py(v) + 4, 'text-anchor': 'end', 'font-size': 10, fill: axis }, ms(v)));
  }
  for (const x of [xs[0]!, xs[Math.floor(xs.length / 2)]!, xMax]) {
    chart.append(svg('text', { x: px(x), y: H - pad.bottom + 14, 'text-anchor': 'middle', 'font-size': 10, fill: axis }, formatFixed(x, x < 10 ? 2 : 0)));
  }
  chart.append(svg('text', { x: (W + pad.left) / 2, y: H - 4, 'text-anchor': 'middle', 'font-size': 10, fill: axis }, 'request rate (req/s)'));
  chart.append(svg('line', { x1: pad.left, y1: py(slo), x2: W - pad.right, y2: py(slo), stroke: 'var(--vscode-charts-red)', 'stroke-dasharray': '4 3' }));
  chart.append(svg('text', { x: W - pad.right, y: py(slo) - 3, 'text-anchor': 'end', 'font-size': 10, fill: 'var(--vscode-charts-red)' }, `SLO ${ms(slo)}`));
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.rate).toFixed(1)},${py(y(p)).toFixed(1)}`).join(' ');
  chart.append(svg('path', { d: path, fill: 'none', stroke: colour, 'stroke-width': 2 }));
  for (const p of points) {
    const dot = svg('circle', { cx: px(p.rate), cy: py(y(p)), r: 3, fill: colour });
    dot.append(svg('title', {}, `${formatFixed(p.rate, 2)} req/s: ${ms(y(p))}, SLO attainment ${formatPercent(p.attainment)}`));
    chart.append(dot);
  }
  return h('figure', { class: 'chart' }, chart as unknown as HTMLElement, h('figcaption', {}, title));
}
