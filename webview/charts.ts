/**
 * The panel's charts, drawn with uPlot (bundled; see docs/research/planner/07-charts.md for
 * why uPlot and not Chart.js). Two kinds:
 *
 * - LineChart: y against the request rate, a dashed threshold (the SLO), point tooltips.
 * - ScatterChart: the Plan card's candidates, cost against quality, with the frontier as a
 *   staircase, the recommended one ringed, budget lines, and hollow markers for one budget.
 *
 * A canvas cannot read CSS variables, so the colours and fonts are resolved from the
 * --vscode-* variables when a chart is drawn, and every chart redraws when the theme changes
 * (the body's class, or the variables VS Code sets on <html>) and when its width changes.
 * `dispose()` releases the plot and its observers; the views call it when a chart goes.
 */
import uPlot from 'uplot';

export type ChartColour = 'blue' | 'orange' | 'red' | 'green' | 'yellow' | 'purple';

export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  /** For tick labels (numbers line up in the editor's monospace font). */
  monoFont: string;
  font: string;
  colours: Record<ChartColour, string>;
}

// What VS Code's Dark Modern and Light Modern themes set, for a page without the variables.
const FALLBACK: Record<'dark' | 'light', { foreground: string; background: string; colours: Record<ChartColour, string> }> = {
  dark: { foreground: '#cccccc', background: '#1f1f1f', colours: { blue: '#3794ff', orange: '#d18616', red: '#f14c4c', green: '#89d185', yellow: '#cca700', purple: '#b180d7' } },
  light: { foreground: '#3b3b3b', background: '#ffffff', colours: { blue: '#1a85ff', orange: '#d18616', red: '#e51400', green: '#388a34', yellow: '#bf8803', purple: '#652d90' } },
};

let scratch: CanvasRenderingContext2D | null | undefined;
function scratchContext(): CanvasRenderingContext2D | null {
  if (scratch === undefined) scratch = document.createElement('canvas').getContext('2d');
  return scratch;
}

/** `colour` at `alpha` opacity, as rgba(): a canvas takes no color-mix() of a variable. */
export function withAlpha(colour: string, alpha: number): string {
  const ctx = scratchContext();
  if (!ctx) return colour;
  ctx.fillStyle = '#000000';
  ctx.fillStyle = colour;
  const parsed = String(ctx.fillStyle);
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(parsed);
  if (hex) return `rgba(${parseInt(hex[1]!, 16)}, ${parseInt(hex[2]!, 16)}, ${parseInt(hex[3]!, 16)}, ${alpha})`;
  const rgba = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(parsed);
  if (rgba) return `rgba(${rgba[1]}, ${rgba[2]}, ${rgba[3]}, ${alpha * Number(rgba[4] ?? 1)})`;
  return parsed;
}

/** The theme's colours and fonts, resolved from the --vscode-* variables now. */
export function readTheme(): ChartTheme {
  const body = document.body;
  const css = getComputedStyle(body);
  const v = (name: string) => css.getPropertyValue(name).trim();
  const light = body.classList.contains('vscode-light') || body.classList.contains('vscode-high-contrast-light');
  const highContrast = body.classList.contains('vscode-high-contrast') || body.classList.contains('vscode-high-contrast-light');
  const base = FALLBACK[light ? 'light' : 'dark'];
  const foreground = v('--vscode-foreground') || base.foreground;
  const colour = (name: ChartColour) => v(`--vscode-charts-${name}`) || base.colours[name];
  return {
    foreground,
    muted: v('--vscode-descriptionForeground') || withAlpha(foreground, 0.75),
    // High contrast: stronger, but still under the data (the contrast border would compete with it).
    grid: withAlpha(foreground, highContrast ? 0.3 : light ? 0.14 : 0.12),
    background: v('--vscode-editor-background') || base.background,
    monoFont: v('--vscode-editor-font-family') || 'monospace',
    font: v('--vscode-font-family') || 'sans-serif',
    colours: { blue: colour('blue'), orange: colour('orange'), red: colour('red'), green: colour('green'), yellow: colour('yellow'), purple: colour('purple') },
  };
}

// One observer for every chart: VS Code changes the body's class (light, dark, high
// contrast) and sets the colour variables on <html> when the theme changes; a dark theme
// replaced by another dark theme changes only the variables.
const themeListeners = new Set<() => void>();
let themeObserver: MutationObserver | undefined;
let themeFrame: number | undefined;

function watchTheme(listener: () => void): () => void {
  themeListeners.add(listener);
  if (!themeObserver) {
    themeObserver = new MutationObserver(() => {
      // Coalesced to one redraw per frame: VS Code sets hundreds of variables at once.
      if (themeFrame !== undefined) return;
      themeFrame = requestAnimationFrame(() => {
        themeFrame = undefined;
        for (const l of [...themeListeners]) l();
      });
    });
    themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  }
  return () => {
    themeListeners.delete(listener);
    if (themeListeners.size === 0) {
      themeObserver?.disconnect();
      themeObserver = undefined;
    }
  };
}

const TICK_PX = 11;
const LABEL_PX = 12;

function textWidth(text: string, font: string): number {
  const ctx = scratchContext();
  if (!ctx) return text.length * 7;
  ctx.font = font;
  return ctx.measureText(text).width;
}

function axis(theme: ChartTheme, label: string, values: (v: number) => string, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  const font = `${TICK_PX}px ${theme.monoFont}`;
  return {
    stroke: theme.foreground,
    font,
    label,
    labelFont: `${LABEL_PX}px ${theme.font}`,
    labelSize: LABEL_PX + 6,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1, size: 4 },
    values: (_u, splits) => splits.map((s) => (s === null || s === undefined ? '' : values(s))),
    gap: 4,
    // The tick labels' band (the axis label has its own, labelSize); a y axis passes its width.
    size: TICK_PX + 4 + 4 + 5,
    ...extra,
  };
}

/** The width a y axis needs for its longest tick label. */
function ySize(theme: ChartTheme) {
  const font = `${TICK_PX}px ${theme.monoFont}`;
  return (_u: uPlot, values: string[] | null) => {
    const widest = Math.max(0, ...(values ?? []).map((t) => textWidth(t, font)));
    return Math.ceil(widest) + 4 + 4 + LABEL_PX + 6 + 2;
  };
}

/** A candidate hit by the pointer: what its tooltip says, where (CSS px in the plotting area). */
interface Hit {
  text: string;
  left: number;
  top: number;
  id?: string;
}

/**
 * A chart in a <figure>: the plot (a canvas, described by aria-label), a tooltip, the
 * legend (HTML, so it takes the theme's colours from CSS) and the caption.
 */
abstract class Chart<S extends { caption: string; label: string }> {
  readonly element: HTMLElement;
  private readonly plotHost: HTMLElement;
  private readonly tip: HTMLElement;
  private readonly captionEl: HTMLElement;
  protected readonly legendEl: HTMLElement;
  private plot: uPlot | undefined;
  private width = 0;
  private themeKey = '';
  private readonly resizeObserver: ResizeObserver;
  private readonly unwatchTheme: () => void;
  private disposed = false;

  constructor(
    protected spec: S,
    kind: string,
  ) {
    this.element = document.createElement('figure');
    this.element.className = `chart chart-${kind}`;
    this.plotHost = document.createElement('div');
    this.plotHost.className = 'chart-plot';
    this.plotHost.setAttribute('role', 'img');
    this.tip = document.createElement('div');
    this.tip.className = 'chart-tip';
    this.tip.setAttribute('role', 'tooltip');
    this.tip.hidden = true;
    this.legendEl = document.createElement('div');
    this.legendEl.className = 'chart-legend';
    this.captionEl = document.createElement('figcaption');
    this.plotHost.append(this.tip);
    this.element.append(this.plotHost, this.legendEl, this.captionEl);
    this.describe();
    // The first observation comes once the figure is laid out: the plot is drawn then, at
    // the width it has (a chart built while hidden waits until it is shown).
    this.resizeObserver = new ResizeObserver((entries) => {
      const width = Math.floor(entries[entries.length - 1]!.contentRect.width);
      if (width === this.width || width <= 0) return;
      this.width = width;
      if (this.plot && this.themeKey === JSON.stringify(readTheme())) this.plot.setSize({ width, height: this.height(width) });
      else this.draw();
    });
    this.resizeObserver.observe(this.plotHost);
    this.unwatchTheme = watchTheme(() => {
      if (JSON.stringify(readTheme()) !== this.themeKey) this.draw();
    });
  }

  /** New data (or captions): redrawn at once when the chart is on screen. */
  update(spec: S): void {
    this.spec = spec;
    this.describe();
    this.draw();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.resizeObserver.disconnect();
    this.unwatchTheme();
    this.plot?.destroy();
    this.plot = undefined;
  }

  /** Number of points drawn, for tests and the figure's data-points attribute. */
  protected abstract pointCount(): number;
  protected abstract height(width: number): number;
  protected abstract build(theme: ChartTheme, width: number): { options: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData };
  /** The point nearest to (left, top) in CSS px of the plotting area, if close enough. */
  protected abstract hitTest(plot: uPlot, left: number, top: number): Hit | undefined;
  protected onPick(_id: string): void {}
  protected abstract renderLegend(): void;

  private describe(): void {
    this.captionEl.textContent = this.spec.caption;
    this.plotHost.setAttribute('aria-label', this.spec.label);
    this.element.dataset.points = String(this.pointCount());
    this.renderLegend();
  }

  private draw(): void {
    if (this.disposed || this.width <= 0) return;
    const theme = readTheme();
    this.themeKey = JSON.stringify(theme);
    const { options, data } = this.build(theme, this.width);
    this.plot?.destroy();
    this.tip.hidden = true;
    const plot = new uPlot(
      {
        ...options,
        width: this.width,
        height: this.height(this.width),
        legend: { show: false },
        cursor: { show: false, drag: { x: false, y: false } },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      },
      data,
      this.plotHost,
    );
    this.plot = plot;
    const over = plot.over;
    over.addEventListener('mousemove', (event) => this.pointer(plot, event));
    over.addEventListener('mouseleave', () => {
      this.tip.hidden = true;
      over.style.cursor = '';
    });
    over.addEventListener('click', (event) => {
      const rect = over.getBoundingClientRect();
      const hit = this.hitTest(plot, event.clientX - rect.left, event.clientY - rect.top);
      if (hit?.id) this.onPick(hit.id);
    });
  }

  private pointer(plot: uPlot, event: MouseEvent): void {
    const over = plot.over;
    const rect = over.getBoundingClientRect();
    const hit = this.hitTest(plot, event.clientX - rect.left, event.clientY - rect.top);
    over.style.cursor = hit?.id ? 'pointer' : '';
    if (!hit) {
      this.tip.hidden = true;
      return;
    }
    this.tip.textContent = hit.text;
    this.tip.hidden = false;
    const host = this.plotHost.getBoundingClientRect();
    const x = rect.left - host.left + hit.left;
    const y = rect.top - host.top + hit.top;
    // Beside the point, on the side with more room; kept inside the figure.
    const tipWidth = this.tip.offsetWidth;
    const left = x + 12 + tipWidth <= host.width ? x + 12 : Math.max(0, x - 12 - tipWidth);
    const top = Math.min(Math.max(0, y - this.tip.offsetHeight / 2), Math.max(0, host.height - this.tip.offsetHeight));
    this.tip.style.left = `${left}px`;
    this.tip.style.top = `${top}px`;
  }
}

function legendItem(swatch: string, text: string): HTMLElement {
  const item = document.createElement('span');
  item.className = 'legend-item';
  const mark = document.createElement('span');
  mark.className = `swatch ${swatch}`;
  mark.setAttribute('aria-hidden', 'true');
  item.append(mark, text);
  return item;
}

/** Dashed line across the plotting area at a value, with its label (canvas pixels). */
function drawThreshold(u: uPlot, scale: 'x' | 'y', value: number, label: string, colour: string, font: string, halo: string): void {
  const ctx = u.ctx;
  const r = uPlot.pxRatio;
  const { left, top, width, height } = u.bbox;
  const pos = u.valToPos(value, scale, true);
  if (scale === 'y' ? pos < top - 1 || pos > top + height + 1 : pos < left - 1 || pos > left + width + 1) return;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = r;
  ctx.setLineDash([4 * r, 3 * r]);
  ctx.beginPath();
  if (scale === 'y') {
    ctx.moveTo(left, pos);
    ctx.lineTo(left + width, pos);
  } else {
    ctx.moveTo(pos, top);
    ctx.lineTo(pos, top + height);
  }
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.font = `${TICK_PX * r}px ${font}`;
  let x: number;
  let y: number;
  if (scale === 'y') {
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    [x, y] = [left + width - 2 * r, pos - 2 * r];
  } else {
    // Beside the line, at the top; on its left when it is near the right edge.
    const w = ctx.measureText(label).width;
    const right = pos + 4 * r + w > left + width;
    ctx.textAlign = right ? 'right' : 'left';
    ctx.textBaseline = 'top';
    [x, y] = [right ? pos - 4 * r : pos + 4 * r, top + 2 * r];
  }
  haloText(ctx, label, x, y, colour, halo, r);
  ctx.restore();
}

/** Text with a halo of the background, readable over points and grid lines. */
function haloText(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, colour: string, halo: string, r: number): void {
  ctx.lineJoin = 'round';
  ctx.lineWidth = 3 * r;
  ctx.strokeStyle = halo;
  ctx.strokeText(text, x, y);
  ctx.fillStyle = colour;
  ctx.fillText(text, x, y);
}

// ---------------------------------------------------------------------------------------
// Line chart

/** An upward chevron over each point above the axis (drawn at its top edge). */
function drawClipped(u: uPlot, points: readonly LinePoint[], yTop: number, colour: string): void {
  const ctx = u.ctx;
  const r = uPlot.pxRatio;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = 1.5 * r;
  for (const p of points) {
    if (p.y <= yTop) continue;
    const cx = u.valToPos(p.x, 'x', true);
    const cy = u.valToPos(yTop, 'y', true) - 6 * r;
    ctx.beginPath();
    ctx.moveTo(cx - 4 * r, cy + 3 * r);
    ctx.lineTo(cx, cy - 1 * r);
    ctx.lineTo(cx + 4 * r, cy + 3 * r);
    ctx.stroke();
  }
  ctx.restore();
}

export interface LinePoint {
  x: number;
  y: number;
  /** Tooltip text. */
  tip: string;
}

export interface LineChartSpec {
  /** The figcaption. */
  caption: string;
  /** What the plot shows, for screen readers. */
  label: string;
  xLabel: string;
  colour: ChartColour;
  points: readonly LinePoint[];
  /** A dashed line (the SLO). */
  threshold?: { value: number; label: string };
  /** The y axis stops here; a point above is drawn at the top (its tooltip has the value). */
  yMax?: number;
  formatX(v: number): string;
  formatY(v: number): string;
}

export class LineChart extends Chart<LineChartSpec> {
  constructor(spec: LineChartSpec) {
    super(spec, 'line');
  }

  protected pointCount(): number {
    return this.spec.points.length;
  }

  protected height(): number {
    return 180;
  }

  protected build(theme: ChartTheme): { options: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData } {
    const s = this.spec;
    const colour = theme.colours[s.colour];
    const xs = s.points.map((p) => p.x);
    const rawMax = Math.max(...s.points.map((p) => p.y), s.threshold ? s.threshold.value * 1.1 : 0) || 1;
    const yTop = s.yMax !== undefined ? Math.min(rawMax, s.yMax) : rawMax;
    const ys = s.points.map((p) => Math.min(p.y, yTop));
    const xMax = Math.max(...xs) || 1;
    const threshold = s.threshold;
    return {
      options: {
        padding: [10, 12, 0, 0],
        scales: { x: { time: false, range: [0, xMax * 1.03] }, y: { range: [0, yTop * 1.06] } },
        axes: [axis(theme, s.xLabel, s.formatX), axis(theme, '', s.formatY, { size: ySize(theme), labelSize: 0 })],
        series: [{}, { stroke: colour, width: 2, points: { show: true, size: 6, fill: colour, stroke: colour, width: 1 } }],
        hooks: {
          draw: [
            (u: uPlot) => {
              if (threshold) drawThreshold(u, 'y', Math.min(threshold.value, yTop * 1.06), threshold.label, theme.colours.red, theme.font, theme.background);
              drawClipped(u, s.points, yTop, colour);
            },
          ],
        },
      },
      data: [xs, ys],
    };
  }

  protected hitTest(plot: uPlot, left: number, top: number): Hit | undefined {
    let best: Hit | undefined;
    let bestD = 14 * 14;
    for (const [i, p] of this.spec.points.entries()) {
      const px = plot.valToPos(p.x, 'x');
      const py = plot.valToPos(plot.data[1][i] ?? p.y, 'y');
      // Near in x is enough: the curve has one point per rate.
      const d = (px - left) ** 2 + Math.min((py - top) ** 2, 12 * 12);
      if (d < bestD) {
        bestD = d;
        best = { text: p.tip, left: px, top: py };
      }
    }
    return best;
  }

  protected renderLegend(): void {
    // The SLO line is labelled on the plot itself.
    this.legendEl.hidden = true;
  }
}

// ---------------------------------------------------------------------------------------
// Scatter of candidates

export interface ScatterPoint {
  id: string;
  x: number;
  y: number;
  /** Meets every budget (filled green circle) or misses one (red diamond). */
  meets: boolean;
  /** Drawn hollow (the Plan card: misses the latency budget). */
  hollow: boolean;
  /** On the frontier: ringed, and the cost-quality staircase runs through those it bounds. */
  frontier: boolean;
  tip: string;
}

export interface ScatterSpec {
  caption: string;
  label: string;
  xLabel: string;
  yLabel: string;
  points: readonly ScatterPoint[];
  /** Ringed and labelled. */
  highlight?: { id: string; label: string };
  /** A budget on x (the cost cap): a dashed vertical line. */
  xLimit?: { value: number; label: string };
  /** A budget on y (the quality floor): a dashed horizontal line. */
  yLimit?: { value: number; label: string };
  legend: { meets: string; misses: string; hollow: string; frontier: string; highlight: string };
  formatX(v: number): string;
  formatY(v: number): string;
  onPick?(id: string): void;
}

/**
 * Above this max/min ratio of x, the x axis is logarithmic: cost spans a few times between
 * 1 and 8 GPUs and far more to a hosted API, and a log axis keeps the cheap cluster readable.
 */
export const LOG_X_RATIO = 5;

/** Round ticks between min and max: 1-2-5 per decade, fewer where they would not fit. */
function logSplits(min: number, max: number, width: number): number[] {
  const room = Math.max(2, Math.floor(width / 64));
  let out: number[] = [];
  for (const mantissas of [[1, 2, 5], [1, 5], [1]]) {
    out = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
      for (const m of mantissas) {
        const v = Number((m * 10 ** e).toPrecision(3));
        if (v >= min && v <= max) out.push(v);
      }
    }
    if (out.length <= room) break;
  }
  return out;
}

export class ScatterChart extends Chart<ScatterSpec> {
  constructor(spec: ScatterSpec) {
    super(spec, 'scatter');
  }

  protected pointCount(): number {
    return this.spec.points.length;
  }

  protected height(width: number): number {
    return Math.round(Math.min(340, Math.max(220, width * 0.55)));
  }

  protected override onPick(id: string): void {
    this.spec.onPick?.(id);
  }

  /** Whether x is logarithmic, and its range (the cost cap included when it is near). */
  private xScale(): { log: boolean; min: number; max: number } {
    const xs = this.spec.points.map((p) => p.x);
    let min = Math.min(...xs);
    let max = Math.max(...xs);
    const cap = this.spec.xLimit?.value;
    if (cap !== undefined && cap > 0 && cap <= max * 3 && cap >= min / 3) {
      min = Math.min(min, cap);
      max = Math.max(max, cap);
    }
    const log = min > 0 && max / min > LOG_X_RATIO;
    if (log) return { log, min: min / 1.25, max: max * 1.25 };
    const pad = (max - min) * 0.06 || max * 0.1 || 1;
    return { log, min: Math.max(0, min - pad), max: max + pad };
  }

  private yRange(): [number, number] {
    const ys = this.spec.points.map((p) => p.y);
    const floor = this.spec.yLimit?.value;
    const lo = Math.min(...ys, floor ?? 1);
    const hi = Math.max(...ys, floor ?? 0);
    return [Math.max(0, Math.floor((lo - 0.05) * 10) / 10), Math.max(hi, 1) + 0.04];
  }

  protected build(theme: ChartTheme, width: number): { options: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData } {
    const s = this.spec;
    const x = this.xScale();
    const [yLo, yHi] = this.yRange();
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    // On a log axis uPlot labels only some of the splits; these are already thinned to fit.
    const xAxis = axis(theme, x.log ? `${s.xLabel} (log scale)` : s.xLabel, s.formatX, x.log ? { splits: (_u, _i, min, max) => logSplits(min, max, width), filter: (_u, splits) => splits } : {});
    return {
      options: {
        padding: [14, 14, 0, 0],
        scales: {
          x: { time: false, distr: x.log ? 3 : 1, log: 10, range: [x.min, x.max] },
          y: { range: [yLo, yHi] },
        },
        axes: [xAxis, axis(theme, s.yLabel, s.formatY, { size: ySize(theme) })],
        // The points are drawn by the hook (uPlot's markers are circles only); this series
        // only carries the data, so the scales and the plot's size follow it.
        series: [{}, { paths: () => null, points: { show: false } }],
        hooks: { draw: [(u: uPlot) => this.paint(u, theme)] },
      },
      data: [sorted.map((p) => p.x), sorted.map((p) => p.y)],
    };
  }

  /** The staircase through the frontier points no cheaper frontier point beats on quality. */
  private staircase(): ScatterPoint[] {
    const steps: ScatterPoint[] = [];
    let best = -Infinity;
    for (const p of [...this.spec.points].filter((q) => q.frontier).sort((a, b) => a.x - b.x || b.y - a.y)) {
      if (p.y > best) {
        steps.push(p);
        best = p.y;
      }
    }
    return steps;
  }

  private paint(u: uPlot, theme: ChartTheme): void {
    const s = this.spec;
    const ctx = u.ctx;
    const r = uPlot.pxRatio;
    const px = (p: { x: number; y: number }) => [u.valToPos(p.x, 'x', true), u.valToPos(p.y, 'y', true)] as const;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left - 8 * r, top - 8 * r, width + 16 * r, height + 16 * r);
    ctx.clip();
    if (s.xLimit) drawThreshold(u, 'x', s.xLimit.value, s.xLimit.label, theme.muted, theme.font, theme.background);
    if (s.yLimit && s.yLimit.value > 0) drawThreshold(u, 'y', s.yLimit.value, s.yLimit.label, theme.muted, theme.font, theme.background);

    const steps = this.staircase();
    if (steps.length > 0) {
      ctx.strokeStyle = theme.colours.blue;
      ctx.lineWidth = 1.5 * r;
      ctx.beginPath();
      const [x0, y0] = px(steps[0]!);
      ctx.moveTo(x0, y0);
      let prevY = y0;
      for (const p of steps.slice(1)) {
        const [x1, y1] = px(p);
        ctx.lineTo(x1, prevY);
        ctx.lineTo(x1, y1);
        prevY = y1;
      }
      ctx.stroke();
    }

    // Those missing a budget first, so the ones meeting every budget stay on top.
    const order = [...s.points].sort((a, b) => Number(a.meets) - Number(b.meets));
    for (const p of order) {
      const [cx, cy] = px(p);
      const colour = p.meets ? theme.colours.green : theme.colours.red;
      ctx.beginPath();
      if (p.meets) ctx.arc(cx, cy, 4 * r, 0, 2 * Math.PI);
      else {
        const d = 5 * r;
        ctx.moveTo(cx, cy - d);
        ctx.lineTo(cx + d, cy);
        ctx.lineTo(cx, cy + d);
        ctx.lineTo(cx - d, cy);
        ctx.closePath();
      }
      ctx.lineWidth = 1.5 * r;
      ctx.strokeStyle = colour;
      if (p.hollow) {
        ctx.fillStyle = theme.background;
        ctx.fill();
      } else {
        ctx.fillStyle = colour;
        ctx.fill();
      }
      ctx.stroke();
      if (p.frontier) {
        ctx.beginPath();
        ctx.arc(cx, cy, 7 * r, 0, 2 * Math.PI);
        ctx.lineWidth = r;
        ctx.strokeStyle = theme.colours.blue;
        ctx.stroke();
      }
    }

    const hi = s.highlight && s.points.find((p) => p.id === s.highlight!.id);
    if (hi && s.highlight) {
      const [cx, cy] = px(hi);
      ctx.beginPath();
      ctx.arc(cx, cy, 10 * r, 0, 2 * Math.PI);
      ctx.lineWidth = 2.5 * r;
      ctx.strokeStyle = theme.foreground;
      ctx.stroke();
      ctx.font = `600 ${LABEL_PX * r}px ${theme.font}`;
      const text = s.highlight.label;
      const w = ctx.measureText(text).width;
      const onRight = cx + 14 * r + w <= left + width;
      const tx = onRight ? cx + 14 * r : cx - 14 * r - w;
      const ty = cy - 12 * r < top + LABEL_PX * r ? cy + 22 * r : cy - 12 * r;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'alphabetic';
      haloText(ctx, text, tx, ty, theme.foreground, theme.background, r);
    }
    ctx.restore();
  }

  protected hitTest(plot: uPlot, left: number, top: number): Hit | undefined {
    let best: Hit | undefined;
    let bestD = 10 * 10;
    for (const p of this.spec.points) {
      const px = plot.valToPos(p.x, 'x');
      const py = plot.valToPos(p.y, 'y');
      const d = (px - left) ** 2 + (py - top) ** 2;
      if (d < bestD) {
        bestD = d;
        best = { text: p.tip, left: px, top: py, id: p.id };
      }
    }
    return best;
  }

  protected renderLegend(): void {
    const s = this.spec;
    const items: HTMLElement[] = [];
    if (s.points.some((p) => p.meets)) items.push(legendItem('meets', s.legend.meets));
    if (s.points.some((p) => !p.meets)) items.push(legendItem('misses', s.legend.misses));
    if (s.points.some((p) => p.hollow)) items.push(legendItem('hollow', s.legend.hollow));
    if (s.points.some((p) => p.frontier)) items.push(legendItem('frontier', s.legend.frontier));
    if (s.highlight && s.points.some((p) => p.id === s.highlight!.id)) items.push(legendItem('highlight', s.legend.highlight));
    const limits = [s.xLimit, s.yLimit].filter((l): l is { value: number; label: string } => !!l && l.value > 0);
    if (limits.length > 0) items.push(legendItem('threshold', limits.map((l) => l.label).join(', ')));
    this.legendEl.replaceChildren(...items);
  }
}
