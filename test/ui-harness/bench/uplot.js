// uPlot: the benchmark's scatter (300 points + stepped frontier + budget line) and line charts.
import uPlot from 'uplot';
import { curve, scatterData, theme } from './data.js';

function scatter(el, t, data) {
  const xs = data.points.map((p) => p.cost);
  const pick = (f) => data.points.map((p) => (f(p) ? p.quality : null));
  const onFrontier = new Set(data.frontier);
  const frontier = data.points.map((p) => (onFrontier.has(p) ? p.quality : null));
  const axis = { stroke: t.fg, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid }, font: `11px ${t.font}` };
  const dots = (fill, stroke) => ({ paths: () => null, points: { show: true, size: 6, fill, stroke } });
  return new uPlot(
    {
      width: 480,
      height: 300,
      scales: { x: { time: false, distr: 3 }, y: { range: [0, 1] } },
      axes: [axis, axis],
      legend: { show: false },
      series: [
        {},
        { label: 'meets budgets', ...dots(t.green, t.green) },
        { label: 'violates', ...dots(t.red, t.red) },
        { label: 'over TTFT SLO', ...dots(t.bg, t.orange) },
        { label: 'frontier', stroke: t.blue, width: 1.5, spanGaps: true, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } },
      ],
    },
    [xs, pick((p) => p.feasible && !p.overTtft), pick((p) => !p.feasible && !p.overTtft), pick((p) => p.overTtft), frontier],
    el,
  );
}

function line(el, t, points, colour, slo) {
  const axis = { stroke: t.fg, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid }, font: `11px ${t.font}` };
  return new uPlot(
    {
      width: 320,
      height: 170,
      scales: { x: { time: false } },
      axes: [axis, axis],
      legend: { show: false },
      series: [{}, { stroke: colour, width: 2, points: { show: true, size: 5, fill: colour } }, { stroke: t.red, dash: [4, 3], width: 1, points: { show: false } }],
    },
    [points.map((p) => p.rate), points.map((p) => p.ms), points.map(() => slo)],
    el,
  );
}

export const lib = {
  name: 'uPlot',
  scatter(el) { return scatter(el, theme(), scatterData()); },
  lines(el) {
    const t = theme();
    return [line(el, t, curve(1), t.blue, 400), line(el, t, curve(2), t.orange, 300)];
  },
  destroy(chart) { chart.destroy(); },
  update(chart) { chart.setData(chart.data); },
};
