// Shared data for the chart benchmark: ~300 candidates (cost, quality) with a frontier,
// and a 12-point latency curve. Deterministic (a small LCG), so every library draws the same.
/* global document, getComputedStyle */
export function scatterData(n = 300) {
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const points = [];
  for (let i = 0; i < n; i++) {
    const cost = 10 ** (-2 + 3 * rnd());
    const quality = Math.min(1, 0.45 + 0.5 * rnd() + 0.05 * Math.log10(cost + 1));
    points.push({ cost, quality, feasible: rnd() > 0.3, overTtft: rnd() > 0.8 });
  }
  points.sort((a, b) => a.cost - b.cost);
  const frontier = [];
  let best = -1;
  for (const p of points) if (p.quality > best) { best = p.quality; frontier.push(p); }
  return { points, frontier };
}

export function curve(seed = 1) {
  const out = [];
  for (let i = 1; i <= 12; i++) out.push({ rate: i * 0.5, ms: 40 * seed + 8 * i * i });
  return out;
}

export function theme() {
  const css = getComputedStyle(document.body);
  const v = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--vscode-foreground', '#ccc'),
    bg: v('--vscode-editor-background', '#1e1e1e'),
    grid: v('--vscode-editorWidget-border', '#444'),
    blue: v('--vscode-charts-blue', '#3794ff'),
    orange: v('--vscode-charts-orange', '#d18616'),
    red: v('--vscode-charts-red', '#f14c4c'),
    green: v('--vscode-charts-green', '#89d185'),
    font: v('--vscode-editor-font-family', 'monospace'),
  };
}
