// Chart library comparison for the Plan and Serving cards (docs/research/planner/07-charts.md).
// For each library installed (uplot, chart.js): the minified bundle size it adds (and gzip),
// then render times in headless Chromium under the panel's CSP: (a) a 300-point scatter with
// a stepped frontier, (b) two 12-point line charts with a dashed SLO line.
// Run: node test/ui-harness/bench/bench.mjs   (needs /usr/bin/chromium; ~1 min on 2 cores)
/* global document, window, MessageChannel */
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 40);
const LIBS = [
  { id: 'uplot', entry: 'uplot.js', css: 'uplot/dist/uPlot.min.css' },
  { id: 'chart.js', entry: 'chartjs.js' },
].filter((l) => {
  try {
    require.resolve(l.id);
    return true;
  } catch {
    console.log(`${l.id}: not installed, skipped`);
    return false;
  }
});

async function bundle(contents) {
  const out = await esbuild.build({
    stdin: { contents, resolveDir: here, sourcefile: 'bench-entry.js' },
    bundle: true, minify: true, format: 'iife', target: 'chrome120', platform: 'browser', write: false, logLevel: 'error',
  });
  return out.outputFiles[0].text;
}
const sizes = (code) => ({ min: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length });

const baseline = sizes(await bundle(`import { scatterData, curve, theme } from './data.js'; window.x = [scatterData, curve, theme];`));
const results = [];
for (const lib of LIBS) {
  const code = await bundle(`import { lib } from './${lib.entry}'; window.bench = lib;`);
  const s = sizes(code);
  const css = lib.css ? sizes(readFileSync(require.resolve(lib.css), 'utf8')) : { min: 0, gzip: 0 };
  results.push({ lib, code, size: { min: s.min - baseline.min, gzip: s.gzip - baseline.gzip, cssMin: css.min, cssGzip: css.gzip } });
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const ORIGIN = 'https://panel.test';
const NONCE = 'bench123';
// The panel's CSP (src/extension/panelHtml.ts) with the webview origin as cspSource.
const CSP = `default-src 'none'; style-src ${ORIGIN} 'unsafe-inline'; font-src ${ORIGIN}; img-src ${ORIGIN} data:; script-src 'nonce-${NONCE}'`;
const DARK = `--vscode-foreground:#cccccc;--vscode-editor-background:#1f1f1f;--vscode-editorWidget-border:#454545;--vscode-charts-blue:#3794ff;--vscode-charts-orange:#d18616;--vscode-charts-red:#f14c4c;--vscode-charts-green:#89d185;--vscode-editor-font-family:'Droid Sans Mono', monospace`;

for (const r of results) {
  const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused/.test(m.text())) violations.push(m.text()); });
  page.on('pageerror', (e) => violations.push(`error: ${e.message}`));
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') {
      return route.fulfill({ contentType: 'text/html', body: `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="${CSP}">${r.lib.css ? `<link rel="stylesheet" href="/lib.css">` : ''}</head><body class="vscode-dark" style="${DARK}"><div id="app"></div><script nonce="${NONCE}" src="/bench.js"></script></body></html>` });
    }
    if (url.pathname === '/bench.js') return route.fulfill({ contentType: 'text/javascript', body: r.code });
    if (url.pathname === '/lib.css') return route.fulfill({ contentType: 'text/css', body: readFileSync(require.resolve(r.lib.css), 'utf8') });
    return route.fulfill({ status: 404, body: '' });
  });
  await page.goto(`${ORIGIN}/`);
  await page.evaluate(() => document.addEventListener('securitypolicyviolation', (e) => console.log(`Refused (CSP): ${e.violatedDirective} ${e.blockedURI}`)));
  r.timing = await page.evaluate(async (n) => {
    // A macrotask after the call, so work a library defers to a microtask (uPlot commits there) is counted.
    const channel = new MessageChannel();
    const settle = () => new Promise((resolve) => { channel.port1.onmessage = () => resolve(); channel.port2.postMessage(0); });
    const app = document.getElementById('app');
    const time = async (make) => {
      const el = document.createElement('div');
      app.append(el);
      const t0 = performance.now();
      const charts = [make(el)].flat();
      await settle();
      const created = performance.now() - t0;
      const t1 = performance.now();
      for (const c of charts) window.bench.update(c);
      await settle();
      const updated = performance.now() - t1;
      for (const c of charts) window.bench.destroy(c);
      el.remove();
      return { created, updated };
    };
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const out = {};
    for (const [name, make] of [['scatter', (el) => window.bench.scatter(el)], ['lines', (el) => window.bench.lines(el)]]) {
      const first = await time(make);
      const runs = [];
      for (let i = 0; i < n; i++) runs.push(await time(make));
      out[name] = { first: first.created, create: median(runs.map((x) => x.created)), update: median(runs.map((x) => x.updated)) };
    }
    return out;
  }, ITERATIONS);
  // Leave one of each drawn for a screenshot, themed from the CSS variables.
  await page.evaluate(() => { const el = document.getElementById('app'); window.bench.scatter(el); window.bench.lines(el); });
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(here, `shot-${r.lib.id.replace('.', '')}.png`), fullPage: true });
  r.violations = violations;
  await page.close();
}
await browser.close();

const kb = (b) => `${(b / 1024).toFixed(1)} KiB`;
const msf = (x) => `${x.toFixed(2)} ms`;
for (const r of results) {
  console.log(`\n${r.lib.id}`);
  console.log(`  bundle added: ${kb(r.size.min)} min, ${kb(r.size.gzip)} gzip${r.size.cssMin ? `; CSS ${kb(r.size.cssMin)} (${kb(r.size.cssGzip)} gzip)` : ''}`);
  for (const k of ['scatter', 'lines']) {
    const t = r.timing[k];
    console.log(`  ${k}: first ${msf(t.first)}, create median ${msf(t.create)}, update median ${msf(t.update)} (n=${ITERATIONS})`);
  }
  console.log(`  CSP / page errors: ${r.violations.length === 0 ? 'none' : r.violations.join(' | ')}`);
}
