// Chart.js (tree-shaken: only the controllers, elements, scales and plugins used) for the same charts.
/* global document */
import { Chart, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, ScatterController, Tooltip, Legend } from 'chart.js';
import { curve, scatterData, theme } from './data.js';

Chart.register(ScatterController, LineController, PointElement, LineElement, LinearScale, LogarithmicScale, Tooltip, Legend);

function canvasIn(el, w, h) {
  const box = document.createElement('div');
  box.style.width = `${w}px`;
  box.style.height = `${h}px`;
  box.style.position = 'relative';
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  box.append(canvas);
  el.append(box);
  return canvas;
}

function scales(t, xType) {
  const axis = { ticks: { color: t.fg, font: { family: t.font, size: 11 } }, grid: { color: t.grid } };
  return { x: { type: xType, ...axis }, y: { min: 0, max: 1, ...axis } };
}

function scatter(el, t, data) {
  const pts = (f) => data.points.filter(f).map((p) => ({ x: p.cost, y: p.quality }));
  return new Chart(canvasIn(el, 480, 300), {
    type: 'scatter',
    data: {
      datasets: [
        { label: 'meets budgets', data: pts((p) => p.feasible && !p.overTtft), backgroundColor: t.green, borderColor: t.green, pointRadius: 3 },
        { label: 'violates', data: pts((p) => !p.feasible && !p.overTtft), backgroundColor: t.red, borderColor: t.red, pointRadius: 3 },
        { label: 'over TTFT SLO', data: pts((p) => p.overTtft), backgroundColor: 'transparent', borderColor: t.orange, pointRadius: 3 },
        { type: 'line', label: 'frontier', data: data.frontier.map((p) => ({ x: p.cost, y: p.quality })), borderColor: t.blue, stepped: 'after', pointRadius: 0, borderWidth: 1.5 },
      ],
    },
    options: { animation: false, responsive: false, maintainAspectRatio: false, scales: scales(t, 'logarithmic'), plugins: { legend: { labels: { color: t.fg } } } },
  });
}

function line(el, t, points, colour, slo) {
  return new Chart(canvasIn(el, 320, 170), {
    type: 'line',
    data: {
      labels: points.map((p) => p.rate),
      datasets: [
        { data: points.map((p) => ({ x: p.rate, y: p.ms })), borderColor: colour, backgroundColor: colour, pointRadius: 3, borderWidth: 2 },
        { data: points.map((p) => ({ x: p.rate, y: slo })), borderColor: t.red, borderDash: [4, 3], pointRadius: 0, borderWidth: 1 },
      ],
    },
    options: { animation: false, responsive: false, maintainAspectRatio: false, scales: { ...scales(t, 'linear'), y: { ticks: { color: t.fg }, grid: { color: t.grid } } }, plugins: { legend: { display: false } } },
  });
}

export const lib = {
  name: 'Chart.js',
  scatter(el) { return scatter(el, theme(), scatterData()); },
  lines(el) {
    const t = theme();
    return [line(el, t, curve(1), t.blue, 400), line(el, t, curve(2), t.orange, 300)];
  },
  destroy(chart) { chart.destroy(); },
  update(chart) { chart.update('none'); },
};
