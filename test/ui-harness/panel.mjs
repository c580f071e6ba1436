// A standalone harness for the Budget Panel's webview: loads dist/webview.js (run `npm run
// build` first) in headless Chromium under the panel's CSP, with a stub acquireVsCodeApi,
// sends it states with the Budget, Capsule, Serving and Plan cards, checks what the cards do,
// and saves screenshots in dark, light and high-contrast themes at 900 and 500 px.
// Run: node test/ui-harness/panel.mjs      (screenshots in test/ui-harness/screenshots/)
/* global window, document, getComputedStyle, requestAnimationFrame, MessageEvent */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { capsuleCard, compressorChoice, fixture, llmCapsuleCard, localCapsuleCard, panelState } from './state.mjs';
import { THEMES, themeStyle } from './themes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
// HARNESS_SHOTS: another folder for the screenshots; HARNESS_WEBVIEW: another bundle (say,
// an earlier build's dist/webview.js), to compare a change's screenshots with those before it.
const shots = process.env.HARNESS_SHOTS ?? join(here, 'screenshots');
mkdirSync(shots, { recursive: true });

const ORIGIN = 'https://webview.test';
const NONCE = 'harness-nonce';
// src/extension/panelHtml.ts's policy, with this origin as the webview's cspSource.
const CSP = ["default-src 'none'", `style-src ${ORIGIN} 'unsafe-inline'`, `font-src ${ORIGIN}`, `img-src ${ORIGIN} data:`, `script-src 'nonce-${NONCE}'`].join('; ');
const FILES = {
  '/dist/webview.js': [process.env.HARNESS_WEBVIEW ?? 'dist/webview.js', 'text/javascript'],
  '/dist/codicons/codicon.css': ['dist/codicons/codicon.css', 'text/css'],
  '/dist/codicons/codicon.ttf': ['dist/codicons/codicon.ttf', 'font/ttf'],
  '/media/panel.css': ['media/panel.css', 'text/css'],
};

function pageHtml(theme, initialState) {
  // The stub answers the `ready` request with the first state and records every command.
  const stub = `
    window.__commands = [];
    window.__saved = undefined;
    const initial = ${JSON.stringify(initialState).replace(/</g, '\\u003c')};
    window.acquireVsCodeApi = () => ({
      postMessage(m) {
        if (m.kind === 'request' && m.method === 'ready') setTimeout(() => window.postMessage({ kind: 'response', id: m.id, ok: true, result: initial }, '*'));
        else window.__commands.push(m);
      },
      getState: () => window.__saved,
      setState: (s) => { window.__saved = s; },
    });`;
  return `<!DOCTYPE html>
<html lang="en" style='${themeStyle(theme)}'>
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${CSP}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${ORIGIN}/dist/codicons/codicon.css" id="vscode-codicon-stylesheet">
  <link rel="stylesheet" href="${ORIGIN}/media/panel.css">
  <title>Budget Panel harness</title>
</head>
<body class="${THEMES[theme].bodyClass}" data-vscode-theme-kind="${THEMES[theme].bodyClass}">
  <main id="app" aria-live="polite"></main>
  <script nonce="${NONCE}">${stub}</script>
  <script nonce="${NONCE}" src="${ORIGIN}/dist/webview.js"></script>
</body>
</html>`;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});

const problems = [];
async function open(theme, width, state = panelState()) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  page.on('pageerror', (e) => problems.push(`${theme}/${width}: page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy|Refused/.test(m.text())) problems.push(`${theme}/${width}: console ${m.type()}: ${m.text()}`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(ORIGIN)) problems.push(`${theme}/${width}: request outside the webview: ${r.url()}`);
  });
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== ORIGIN) return route.abort();
    if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: pageHtml(theme, state) });
    const file = FILES[url.pathname];
    if (!file) return route.fulfill({ status: 404, body: '' });
    return route.fulfill({ contentType: file[1], body: readFileSync(resolve(root, file[0])) });
  });
  await page.goto(`${ORIGIN}/`);
  await page.evaluate(() => document.addEventListener('securitypolicyviolation', (e) => console.error(`Refused by CSP: ${e.violatedDirective} ${e.blockedURI}`)));
  await page.locator('[data-testid="plan-card"] .chart-scatter canvas').or(page.locator('[data-testid="plan-card"]:not([hidden]) [data-testid="plan-recommendation"]')).first().waitFor();
  await page.locator('[data-testid="serving-chart"] canvas').nth(1).waitFor();
  await settle(page);
  return page;
}

/** Two animation frames: the charts' resize and theme observers have run. */
const settle = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

const sendState = (page, state) => page.evaluate((s) => window.postMessage({ kind: 'notification', method: 'state', params: s }, '*'), state);

async function setTheme(page, theme) {
  await page.evaluate(
    ([style, cls]) => {
      document.documentElement.setAttribute('style', style);
      document.body.className = cls;
    },
    [themeStyle(theme), THEMES[theme].bodyClass],
  );
  await settle(page);
}

const plan = (page) => page.locator('[data-testid="plan-card"]');
const serving = (page) => page.locator('[data-testid="serving-card"]');
const checks = [];
const timings = [];
const check = async (name, fn) => {
  try {
    await fn();
    checks.push(`ok   ${name}`);
  } catch (e) {
    checks.push(`FAIL ${name}: ${e.message.split('\n').filter((l) => l.trim()).slice(0, 12).join('\n     ')}`);
  }
};

// 1. Screenshots of every theme at a wide and a narrow panel.
for (const theme of ['dark', 'light', 'hc']) {
  for (const width of [900, 500]) {
    const page = await open(theme, width);
    await plan(page).screenshot({ path: join(shots, `plan-${theme}-${width}.png`) });
    await serving(page).locator('[data-testid="serving-chart"]').screenshot({ path: join(shots, `serving-charts-${theme}-${width}.png`) });
    if (theme === 'dark' && width === 900) await page.screenshot({ path: join(shots, `panel-${theme}-${width}-full.png`), fullPage: true });
    if (width === 500) {
      await check(`${theme} 500 px: nothing in the Plan card is wider than the panel but the table's scroller`, async () => {
        const wide = await page.evaluate(() => {
          const card = document.querySelector('[data-testid="plan-card"]');
          const limit = card.getBoundingClientRect().right + 1;
          return [...card.querySelectorAll('*')]
            .filter((el) => !el.closest('.table-wrap') && el.getBoundingClientRect().right > limit && getComputedStyle(el).display !== 'none')
            .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
        });
        assert.deepEqual(wide, []);
        const docWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(docWidth <= 500, `page scrolls sideways: ${docWidth} px`);
      });
    }
    await page.close();
  }
}

// 2. Behaviour, in the dark theme at 900 px.
{
  const page = await open('dark', 900);
  const state = panelState();
  const result = state.plan.result;
  const card = plan(page);

  await check('the Plan card comes after the Serving card', async () => {
    const order = await page.evaluate(() => [...document.querySelectorAll('#app > section')].map((s) => s.dataset.testid ?? 'budget'));
    assert.ok(order.indexOf('plan-card') === order.indexOf('serving-card') + 1, order.join(', '));
  });
  await check('one row per candidate, the recommended one marked', async () => {
    assert.equal(await card.locator('[data-testid="plan-table"] tbody tr').count(), result.candidates.length);
    const rec = card.locator('tr[data-recommended]');
    assert.equal(await rec.count(), 1);
    assert.equal(await rec.getAttribute('data-candidate-id'), result.recommendation.id);
    assert.equal(await card.locator('tr.pareto .badge.frontier').count(), result.pareto.length);
  });
  await check('the recommendation says which and why', async () => {
    const text = await card.locator('[data-testid="plan-recommendation"]').innerText();
    assert.ok(text.includes(result.recommendation.reason), text);
  });
  await check('a Simulate this button per self-hosted row, none for hosted', async () => {
    const selfHosted = result.candidates.filter((c) => c.kind === 'self-hosted').length;
    assert.equal(await card.locator('[data-testid="plan-table"] [data-testid="plan-simulate"]').count(), selfHosted);
    const hosted = result.candidates.find((c) => c.kind === 'hosted');
    assert.equal(await card.locator(`tr[data-candidate-id="${hosted.id}"] [data-testid="plan-simulate"]`).count(), 0);
  });
  await check('Simulate this sends the candidate id', async () => {
    const target = result.candidates.find((c) => c.kind === 'self-hosted' && c.id !== result.recommendation.id);
    await card.locator(`tr[data-candidate-id="${target.id}"] [data-testid="plan-simulate"]`).click();
    const commands = await page.evaluate(() => window.__commands);
    assert.deepEqual(commands.at(-1), { kind: 'command', method: 'simulateCandidate', params: { candidateId: target.id } });
  });
  await check('a header click sorts (aria-sort), a second click reverses', async () => {
    const header = card.locator('button[data-sort="quality"]');
    await header.click();
    assert.equal(await card.locator('th[aria-sort]').getAttribute('aria-sort'), 'descending');
    const firstQuality = Number(await card.locator('tbody tr').first().locator('td[data-col="quality"]').getAttribute('data-value'));
    assert.equal(firstQuality, Math.max(...result.candidates.map((c) => c.quality ?? -1)));
    await header.click();
    assert.equal(await card.locator('th[aria-sort]').getAttribute('aria-sort'), 'ascending');
    await card.locator('button[data-sort="cost"]').click();
    const costs = await card.locator('tbody td[data-col="cost"]').evaluateAll((tds) => tds.map((td) => Number(td.dataset.value)));
    assert.deepEqual(costs, [...costs].sort((a, b) => a - b));
  });
  await check('the sort survives a state update', async () => {
    await sendState(page, panelState());
    assert.equal(await card.locator('th[aria-sort]').locator('button').getAttribute('data-sort'), 'cost');
  });
  await check('null figures show "—" with the reason', async () => {
    const hosted = card.locator('tr[data-candidate-id^="hosted:"]').first();
    const energy = hosted.locator('td[data-col="energy"]');
    assert.equal((await energy.innerText()).trim(), '—');
    assert.match(await energy.getAttribute('title'), /hosted/);
  });
  await check('violations are listed and explained', async () => {
    const violating = result.candidates.find((c) => c.violations.length > 0);
    const cell = card.locator(`tr[data-candidate-id="${violating.id}"] td[data-col="missed"]`);
    assert.equal(await cell.getAttribute('title'), violating.violations.join('\n'));
  });

  // Typing: focus and caret stay while states arrive; an invalid value is explained, not sent.
  const rate = card.locator('[data-testid="plan-rate"] input');
  await check('a field keeps focus, text and caret while the host sends states', async () => {
    await page.evaluate(() => (window.__commands.length = 0));
    await rate.click();
    await rate.press('End');
    await page.keyboard.type('5');
    await rate.press('ArrowLeft');
    const running = panelState();
    running.plan = { ...running.plan, status: 'running', progress: { done: 3, total: 48 } };
    await sendState(page, running);
    await sendState(page, { ...running, plan: { ...running.plan, progress: { done: 9, total: 48 } } });
    const info = await rate.evaluate((el) => ({ focused: el.getRootNode().activeElement === el, value: el.value, caret: el.selectionStart }));
    assert.deepEqual(info, { focused: true, value: '45', caret: 1 });
    await card.locator('[data-testid="plan-progress"]').waitFor();
    await page.screenshot({ path: join(shots, 'plan-running-dark-900.png') });
  });
  await check('a valid edit is sent once, 400 ms after the last key', async () => {
    await page.waitForTimeout(600);
    const commands = await page.evaluate(() => window.__commands.filter((c) => c.method === 'setPlan'));
    assert.equal(commands.length, 1);
    assert.equal(commands[0].params.rate, 45);
  });
  await check('an invalid value gets its message, is not sent, and the results say they are stale', async () => {
    await page.evaluate(() => (window.__commands.length = 0));
    await rate.fill('-5');
    const error = card.locator('[data-testid="plan-rate-error"]');
    await error.waitFor();
    assert.equal((await error.innerText()).trim(), 'The rate must be at least 0.01 req/s: enter a number from 0.01 to 10,000 req/s.');
    await card.locator('[data-testid="plan-stale"]').waitFor();
    assert.match(await card.locator('[data-testid="plan-stale"]').innerText(), /a field above is invalid/);
    await card.locator('[data-testid="plan-minQuality"] input').fill('2');
    assert.match(await card.locator('[data-testid="plan-minQuality-error"]').innerText(), /at most 1: enter a number from 0 \(off\) to 1\./);
    await page.waitForTimeout(600);
    assert.equal((await page.evaluate(() => window.__commands)).length, 0);
    await card.screenshot({ path: join(shots, 'plan-invalid-dark-900.png') });
    await card.locator('[data-testid="plan-minQuality"] input').fill('0');
    await rate.fill('4');
    await error.waitFor({ state: 'hidden' });
    await page.waitForTimeout(600);
    const sent = await page.evaluate(() => window.__commands.filter((c) => c.method === 'setPlan').map((c) => c.params));
    assert.equal(sent.length, 1);
    assert.equal(sent[0].minQuality, 0);
  });
  await check('Cancel while running, Run again after', async () => {
    await page.evaluate(() => (window.__commands.length = 0));
    const running = panelState();
    running.plan = { ...running.plan, status: 'running', progress: { done: 3, total: 48 } };
    await sendState(page, running);
    await card.locator('[data-testid="plan-cancel"]').click();
    const cancelled = panelState();
    cancelled.plan = { ...cancelled.plan, status: 'cancelled', message: 'Plan cancelled after 1.2 s.', inputs: { ...cancelled.plan.inputs, rate: 9 } };
    await sendState(page, cancelled);
    await card.locator('[data-testid="plan-rerun"]').click();
    assert.deepEqual((await page.evaluate(() => window.__commands)).map((c) => c.method), ['cancelPlan', 'rerunPlan']);
    assert.match(await card.locator('[data-testid="plan-stale"]').innerText(), /rate 4 req\/s.*did not finish/);
    await card.screenshot({ path: join(shots, 'plan-cancelled-dark-900.png') });
  });

  // Charts: tooltips, picking, theme, resize, disposal.
  await sendState(page, panelState());
  await settle(page);
  const over = card.locator('.chart-scatter .u-over');
  await check('hovering a point shows its tooltip; clicking it marks its row', async () => {
    await over.scrollIntoViewIfNeeded();
    const box = await over.boundingBox();
    let at;
    for (let y = box.y + 4; y < box.y + box.height && !at; y += 8) {
      for (let x = box.x + 4; x < box.x + box.width && !at; x += 8) {
        await page.mouse.move(x, y);
        if ((await card.locator('.chart-tip:not([hidden])').count()) > 0) at = { x, y };
      }
    }
    assert.ok(at, 'no point found under the pointer');
    await page.screenshot({ path: join(shots, 'plan-tooltip-dark-900.png'), clip: { x: 0, y: Math.max(0, box.y - 20), width: 900, height: box.height + 120 } });
    const tip = await card.locator('.chart-tip').innerText();
    await page.mouse.click(at.x, at.y);
    const picked = card.locator('tr.picked');
    await picked.waitFor();
    assert.ok(tip.startsWith((await picked.locator('td[data-col="candidate"] .cand-name').innerText()).replace(/\s*(recommended|upgrade|frontier)/g, '').trim().split('\n')[0]), tip);
  });
  await check('the charts redraw for a new theme', async () => {
    const canvases = page.locator('canvas');
    const before = await canvases.evaluateAll((cs) => cs.map((c) => c.toDataURL()));
    await setTheme(page, 'light');
    const after = await canvases.evaluateAll((cs) => cs.map((c) => c.toDataURL()));
    assert.equal(before.length, 3);
    assert.ok(before.every((b, i) => b !== after[i]), 'a canvas kept the old theme');
    await page.screenshot({ path: join(shots, 'panel-switched-to-light-900-full.png'), fullPage: true });
    await setTheme(page, 'dark');
  });
  await check('the charts follow the panel width', async () => {
    const width = () => card.locator('.chart-scatter canvas').evaluate((c) => c.getBoundingClientRect().width);
    const wide = await width();
    await page.setViewportSize({ width: 520, height: 900 });
    await settle(page);
    const narrow = await width();
    assert.ok(narrow < wide && narrow <= 520, `${wide} -> ${narrow}`);
    await page.setViewportSize({ width: 900, height: 900 });
    await settle(page);
  });
  await check('Serving card: results patched in place, stale while running, Cancel sends cancelServing', async () => {
    const card = serving(page);
    const table = card.locator('.serving-results:not(.stale) [data-testid="serving-table"]');
    await table.waitFor();
    assert.equal(await table.locator('tbody tr').count(), 13);
    assert.equal(await table.locator('tbody tr[data-metric="TTFT p90"] td').count(), 4);
    await table.evaluate((t) => (t.__harnessMark = true));
    const running = panelState();
    running.serving = { ...running.serving, status: 'running', progress: { done: 2, total: 12 }, inputs: { ...running.serving.inputs, rate: 6 } };
    await page.evaluate(() => (window.__commands.length = 0));
    await sendState(page, running);
    await card.locator('.serving-results.stale').waitFor();
    assert.match(await card.locator('[data-testid="serving-progress"]').innerText(), /Simulating… 2 of 12 results/);
    assert.match(await card.locator('[data-testid="serving-stale"]').innerText(), /rate 4 req\/s.*new ones are on their way/);
    await card.locator('[data-testid="serving-cancel"]').click();
    assert.deepEqual((await page.evaluate(() => window.__commands)).map((c) => c.method), ['cancelServing']);
    await sendState(page, panelState());
    await table.waitFor();
    assert.equal(await card.locator('[data-testid="serving-table"]').evaluate((t) => t.__harnessMark === true), true, 'the table element was kept');
  });
  await check('Serving card: a field keeps focus while states arrive; an invalid value is explained', async () => {
    const card = serving(page);
    const rate = card.locator('[data-testid="serving-rate"] input');
    await rate.click();
    await rate.press('End');
    await page.keyboard.type('x');
    await sendState(page, panelState());
    const info = await rate.evaluate((el) => ({ focused: el.getRootNode().activeElement === el, value: el.value }));
    assert.deepEqual(info, { focused: true, value: '4x' });
    assert.match(await card.locator('[data-testid="serving-rate-error"]').innerText(), /is not a number/);
    assert.match(await card.locator('[data-testid="serving-stale"]').innerText(), /a field above is invalid/);
    await rate.fill('4');
    await card.locator('[data-testid="serving-rate-error"]').waitFor({ state: 'hidden' });
    assert.equal(await card.locator('[data-testid="serving-stale"]').count(), 0);
  });
  await check('the Serving card keeps its chart test ids and captions', async () => {
    const captions = await serving(page).locator('[data-testid="serving-chart"] figcaption').allInnerTexts();
    assert.deepEqual(captions, ['p90 TTFT vs rate (colocated)', 'p90 TPOT vs rate (colocated)']);
    assert.equal(await serving(page).locator('[data-testid="serving-chart"] canvas').count(), 2);
  });
  await check('timings: Plan card render (Lit + uPlot), 52 candidates', async () => {
    const timing = await page.evaluate(async ([withPlan, withoutPlan, other]) => {
      const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const send = (s) => window.dispatchEvent(new MessageEvent('message', { data: { kind: 'notification', method: 'state', params: s } }));
      const time = async (s) => {
        const t0 = performance.now();
        send(s);
        const sync = performance.now() - t0;
        await frame();
        return { sync: Math.round(sync * 10) / 10, painted: Math.round((performance.now() - t0) * 10) / 10 };
      };
      const out = {};
      send(withoutPlan);
      await frame();
      out.firstRender = await time(withPlan);
      out.progressUpdate = await time({ ...withPlan, plan: { ...withPlan.plan, status: 'running', progress: { done: 5, total: 48 } } });
      out.newResult = await time(other);
      return out;
    }, [panelState(), panelState({ plan: null }), panelState({ plan: fixture('plan-none.json') })]);
    timings.push(`Plan card, ms (sync = message handler incl. Lit render; painted = after two frames): ${JSON.stringify(timing)}`);
  });
  await check('charts are disposed when their card goes', async () => {
    await sendState(page, panelState({ plan: null }));
    assert.equal(await card.isHidden(), true);
    assert.equal(await page.locator('.chart-scatter').count(), 0);
    await sendState(page, panelState());
    await card.locator('.chart-scatter canvas').waitFor();
    assert.equal(await page.locator('.chart-scatter').count(), 1);
    assert.equal(await page.locator('.uplot').count(), 3);
  });
  await page.close();
}

// 3. Nothing meets the budgets (light theme), and a plan still running its first pass.
{
  const none = panelState({ plan: fixture('plan-none.json') });
  const page = await open('light', 900, none);
  const card = plan(page);
  await check('no recommendation: says so and names the binding budget', async () => {
    const text = await card.locator('[data-testid="plan-recommendation"]').innerText();
    assert.match(text, /None meets the budgets/);
    assert.match(await card.locator('[data-testid="plan-binding"]').innerText(), /quality floor/);
    assert.equal(await card.locator('tr[data-recommended]').count(), 0);
  });
  await card.screenshot({ path: join(shots, 'plan-none-light-900.png') });
  const first = panelState();
  first.plan = { ...first.plan, status: 'running', progress: { done: 0, total: 48 }, result: undefined, resultInputs: undefined };
  await sendState(page, first);
  await check('first run: progress, no results', async () => {
    await card.locator('[data-testid="plan-progress"]').waitFor();
    assert.equal(await card.locator('[data-testid="plan-results"]').count(), 0);
    assert.equal(await page.locator('.chart-scatter').count(), 0);
  });
  await card.screenshot({ path: join(shots, 'plan-first-run-light-900.png') });
  await page.close();
}

// 4. The Budget and Capsule cards: screenshots of each capsule kind in every theme and width.
const budget = (page) => page.locator('section[aria-labelledby="budget-title"]');
const capsule = (page) => page.locator('[data-testid="capsule-card"]');
const commandsSince = async (page) => {
  const commands = await page.evaluate(() => window.__commands);
  await page.evaluate(() => (window.__commands.length = 0));
  return commands;
};
const running = () => ({ ...capsuleCard(), status: 'running', capsuleId: undefined, message: 'Compressing… 1,500 tokens' });
for (const theme of ['dark', 'light', 'hc']) {
  for (const width of [900, 500]) {
    const page = await open(theme, width, panelState({ capsule: llmCapsuleCard() }));
    await budget(page).screenshot({ path: join(shots, `budget-${theme}-${width}.png`) });
    await page.evaluate(() => document.querySelector('[data-testid="capsule-probe-result"]').setAttribute('open', ''));
    await capsule(page).screenshot({ path: join(shots, `capsule-llm-${theme}-${width}.png`) });
    for (const [name, card] of [['local', localCapsuleCard()], ['builtin', capsuleCard()], ['running', running()]]) {
      await sendState(page, panelState({ capsule: card }));
      await capsule(page).screenshot({ path: join(shots, `capsule-${name}-${theme}-${width}.png`) });
    }
    if (width === 500) {
      await check(`${theme} 500 px: nothing in the Budget or Capsule card is wider than the panel but a table's scroller`, async () => {
        await sendState(page, panelState({ capsule: llmCapsuleCard() }));
        const wide = await page.evaluate(() =>
          [...document.querySelectorAll('section[aria-labelledby="budget-title"], [data-testid="capsule-card"]')].flatMap((card) => {
            const limit = card.getBoundingClientRect().right + 1;
            return [...card.querySelectorAll('*')]
              .filter((el) => !el.closest('.table-wrap') && el.getBoundingClientRect().right > limit && getComputedStyle(el).display !== 'none')
              .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
          }),
        );
        assert.deepEqual(wide, []);
      });
    }
    await page.close();
  }
}

// 5. Budget card behaviour (dark, 900 px).
{
  const page = await open('dark', 900);
  const card = budget(page);
  const table = card.locator('table[data-testid="model-table"]');
  const rows = panelState().rows;
  await check('Budget: the header, one row per model, the status bar\'s model pinned on top with its badge', async () => {
    assert.match(await card.locator('[data-testid="source"]').innerText(), /^prompt\.md — whole document \(6,400 characters\)$/);
    assert.equal(await card.locator('[data-testid="tokenizer"]').innerText(), 'o200k_base: 1,500 tokens · llama3: 1,509 tokens');
    assert.equal(await table.locator('tbody tr').count(), rows.length);
    const first = table.locator('tbody tr').first();
    assert.equal(await first.getAttribute('data-model-id'), 'gpt-4o');
    assert.equal(await first.getAttribute('class'), 'active pinned');
    assert.equal(await first.locator('[data-testid="active-badge"]').innerText(), 'status bar');
    assert.equal(await first.locator('button.pin').getAttribute('aria-pressed'), 'true');
    assert.equal(await table.locator('tbody tr:not(.pinned) button.pin[aria-pressed="false"]').count(), rows.length - 1);
  });
  await check('Budget: cells carry data-col, data-value and their titles; estimates and overflows are marked', async () => {
    const gpt = table.locator('tr[data-model-id="gpt-4o"]');
    assert.deepEqual(await gpt.locator('td').evaluateAll((tds) => tds.map((td) => td.dataset.col ?? td.className)), ['pin', 'name', 'perCallUsd', 'tokens', 'perDayUsd', 'contextShare', 'provider']);
    assert.equal(Number(await gpt.locator('td[data-col="tokens"]').getAttribute('data-value')), 1500);
    assert.equal(await gpt.locator('td[data-col="perCallUsd"]').getAttribute('title'), '$2.5 in / $1.25 cached / $10 out per 1M tokens — as of 2026-11-25, source: harness');
    const est = table.locator('tr[data-model-id="claude-sonnet-4"] td[data-col="tokens"]');
    assert.equal((await est.innerText()).trim(), '~1,718 estimate');
    assert.equal(await est.getAttribute('title'), 'estimate: o200k_base count × 1.145, measured ratio');
    const over = table.locator('tr[data-model-id="tiny-ctx"]');
    assert.equal(await over.getAttribute('class'), 'overflow');
    assert.equal(await over.locator('td[data-col="contextShare"] .codicon-warning[aria-label="overflow"]').count(), 1);
    assert.equal(await over.locator('td[data-col="contextShare"]').getAttribute('title'), 'input + output exceed the 1,024-token context window');
    assert.equal(await table.locator('tr[data-model-id="gpt-4o-mini"]').getAttribute('class'), null);
    assert.equal(await table.locator('th:not(.num):not(.pin)').count(), 2);
  });
  await check('Budget: a header click sorts (aria-sort, arrow), is saved, and keeps the pinned row on top', async () => {
    await commandsSince(page);
    const values = (col) => table.locator(`tbody tr:not(.pinned) td[data-col="${col}"]`).evaluateAll((tds) => tds.map((td) => Number(td.dataset.value)));
    assert.equal(await card.locator('th[aria-sort]').getAttribute('aria-sort'), 'ascending');
    await card.locator('button[data-sort="perCallUsd"]').click();
    assert.equal(await card.locator('th[aria-sort]').getAttribute('aria-sort'), 'descending');
    assert.equal(await card.locator('th[aria-sort] .codicon-arrow-down').count(), 1);
    assert.deepEqual(await page.evaluate(() => window.__saved.sort), { column: 'perCallUsd', descending: true });
    const desc = await values('perCallUsd');
    assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
    await card.locator('button[data-sort="name"]').click();
    assert.deepEqual(await page.evaluate(() => window.__saved.sort), { column: 'name', descending: false });
    await card.locator('button[data-sort="tokens"]').click();
    assert.deepEqual(await page.evaluate(() => window.__saved.sort), { column: 'tokens', descending: true });
    assert.equal(await table.locator('tbody tr').first().getAttribute('data-model-id'), 'gpt-4o');
    const tokens = await values('tokens');
    assert.deepEqual(tokens, [...tokens].sort((a, b) => b - a));
    await sendState(page, panelState());
    assert.equal(await card.locator('th[aria-sort] button').getAttribute('data-sort'), 'tokens', 'the sort survives a state update');
    assert.deepEqual(await commandsSince(page), [], 'sorting sends nothing to the host');
  });
  await check('Budget: the pin and Prices send their commands, once, after many updates', async () => {
    for (let i = 0; i < 5; i++) await sendState(page, panelState());
    await commandsSince(page);
    await table.locator('tr[data-model-id="gpt-4o-mini"] button.pin').click();
    await card.locator('vscode-button', { hasText: 'Prices' }).click();
    assert.deepEqual(await commandsSince(page), [
      { kind: 'command', method: 'setActiveModel', params: { modelId: 'gpt-4o-mini' } },
      { kind: 'command', method: 'openSettings', params: {} },
    ]);
    await sendState(page, panelState({ activeModelId: 'gpt-4o-mini' }));
    assert.equal(await table.locator('tbody tr').first().getAttribute('data-model-id'), 'gpt-4o-mini');
    assert.equal(await table.locator('tr[data-model-id="gpt-4o-mini"] button.pin').getAttribute('aria-label'), 'GPT-4o mini prices the status bar');
    assert.equal(await table.locator('[data-testid="active-badge"]').count(), 1);
    await sendState(page, panelState());
  });
  const calls = card.locator('[data-testid="calls-per-day"] input');
  await check('Budget: calls per day keeps focus, text and caret while states arrive; sent once, 300 ms after the last key', async () => {
    await commandsSince(page);
    await calls.click();
    await calls.press('End');
    await page.keyboard.type('5');
    await calls.press('ArrowLeft');
    await sendState(page, panelState({ status: 'counting' }));
    await sendState(page, panelState());
    const info = await calls.evaluate((el) => ({ focused: el.getRootNode().activeElement === el, value: el.value }));
    assert.deepEqual(info, { focused: true, value: '10005' });
    // A number input has no selectionStart: the next key shows where the caret is.
    await page.keyboard.type('7');
    assert.equal(await calls.inputValue(), '100075');
    await page.waitForTimeout(500);
    // The debounce may have sent 10005 while the states were handled; 100075 comes last, once.
    const sent = (await commandsSince(page)).filter((c) => c.method === 'setUsage').map((c) => c.params.callsPerDay);
    assert.ok(sent.length > 0 && sent.length <= 2 && sent.at(-1) === 100075 && (sent.length === 1 || sent[0] === 10005), JSON.stringify(sent));
    assert.equal((await commandsSince(page)).length, 0);
  });
  await check('Budget: an invalid value is marked and not sent; the other field\'s edit keeps the first one\'s', async () => {
    await calls.fill('-3');
    await card.locator('[data-testid="calls-per-day"][invalid]').waitFor();
    await sendState(page, panelState());
    await page.waitForTimeout(400);
    assert.deepEqual(await commandsSince(page), []);
    assert.equal(await calls.inputValue(), '-3', 'the invalid text stays while states arrive');
    await calls.fill('250');
    await card.locator('[data-testid="calls-per-day"]:not([invalid])').waitFor();
    await card.locator('[data-testid="output-tokens"] input').fill('512');
    await page.waitForTimeout(400);
    assert.deepEqual((await commandsSince(page)).map((c) => c.params), [{ callsPerDay: 250, outputTokens: 512 }]);
    await sendState(page, panelState({ usage: { callsPerDay: 250, outputTokens: 512 } }));
    assert.match(await card.locator('.footnote').innerText(), /input tokens \+ 512 output tokens/);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await sendState(page, panelState({ usage: { callsPerDay: 40, outputTokens: 512 } }));
    assert.equal(await calls.inputValue(), '40', 'a usage changed by the host (settings) refills the field');
  });
  await check('Budget: re-rendering keeps the elements, fetches nothing and uses no vscode-icon', async () => {
    await table.evaluate((t) => (t.__harnessMark = true));
    const requests = [];
    const onRequest = (r) => requests.push(r.url());
    page.on('request', onRequest);
    for (let i = 0; i < 5; i++) await sendState(page, panelState({ usage: { callsPerDay: 40 + i, outputTokens: 512 } }));
    await settle(page);
    page.off('request', onRequest);
    assert.deepEqual(requests, []);
    assert.equal(await page.locator('vscode-icon').count(), 0);
    assert.equal(await table.evaluate((t) => t.__harnessMark === true), true, 'the table element was kept');
  });
  await check('Budget: counting marks the table stale; empty and error show the message', async () => {
    await sendState(page, panelState({ status: 'counting' }));
    assert.equal(await card.locator('table[data-testid="model-table"].stale').count(), 1);
    await sendState(page, panelState({ status: 'empty', rows: [], source: undefined, tokenizers: [], message: 'Select text or open a prompt file to count it.' }));
    assert.equal(await table.count(), 0);
    assert.equal(await card.locator('[data-testid="source"]').innerText(), 'No text yet');
    const message = card.locator('[data-testid="message"]');
    assert.equal(await message.innerText(), 'Select text or open a prompt file to count it.');
    assert.equal(await message.getAttribute('class'), 'message');
    assert.equal(await message.getAttribute('role'), null);
    await sendState(page, panelState({ status: 'error', rows: [], message: 'The tokenizer failed.' }));
    assert.equal(await message.getAttribute('class'), 'message error');
    assert.equal(await message.getAttribute('role'), 'alert');
    await sendState(page, panelState());
    await table.waitFor();
  });
  await page.close();
}

// 6. Capsule card behaviour (dark, 900 px).
{
  const page = await open('dark', 900);
  const card = capsule(page);
  const rate = card.locator('[data-testid="capsule-rate"]');
  const rateValue = card.locator('[data-testid="capsule-rate-value"]');
  await check('Capsule: hidden while counting with no capsule', async () => {
    await sendState(page, panelState({ status: 'counting' }));
    assert.equal(await card.isHidden(), true);
    assert.equal(await card.evaluate((el) => el.children.length), 0);
    await sendState(page, panelState());
    assert.equal(await card.isHidden(), false);
  });
  await check('Capsule: before a capsule, the slider and Compress; the rate keeps its focus and value while states arrive', async () => {
    await commandsSince(page);
    assert.equal(await rate.inputValue(), '0.5');
    assert.equal(await rateValue.innerText(), 'keep 50%');
    await rate.focus();
    for (let i = 0; i < 5; i++) await rate.press('ArrowLeft');
    assert.equal(await rateValue.innerText(), 'keep 45%');
    await sendState(page, panelState({ usage: { callsPerDay: 999, outputTokens: 256 } }));
    await sendState(page, panelState());
    assert.deepEqual(await rate.evaluate((el) => ({ focused: document.activeElement === el, value: el.value })), { focused: true, value: '0.45' });
    assert.equal(await rateValue.innerText(), 'keep 45%');
    await card.locator('[data-testid="capsule-compress"]').click();
    assert.deepEqual(await commandsSince(page), [{ kind: 'command', method: 'compress', params: { rate: 0.45 } }]);
  });
  await check('Capsule: while compressing, a progress ring and Cancel; Compress is disabled', async () => {
    await sendState(page, panelState({ capsule: running() }));
    assert.equal(await card.locator('vscode-progress-ring[aria-label="Compressing"]').count(), 1);
    assert.equal(await card.locator('[data-testid="capsule-compress"]').getAttribute('disabled'), '');
    await card.locator('[data-testid="capsule-compress"]').click({ force: true });
    await card.locator('[data-testid="capsule-cancel"]').click();
    assert.deepEqual((await commandsSince(page)).map((c) => c.method), ['cancelCompress']);
  });
  await check('Capsule: a built-in capsule: summary, what was kept and dropped, Apply, Copy, Discard and Check name it', async () => {
    await sendState(page, panelState({ capsule: capsuleCard() }));
    assert.equal(await card.locator('vscode-progress-ring').count(), 0);
    assert.equal(await card.locator('[data-testid="capsule-compress"]').count(), 0);
    assert.equal(await card.locator('[data-testid="capsule-original"] td[data-value]').getAttribute('data-value'), '1500');
    assert.equal(await card.locator('[data-testid="capsule-capsule"] td[data-value]').getAttribute('data-value'), '781');
    assert.equal(await card.locator('[data-testid="capsule-summary"] thead th').last().innerText(), 'Input cost / call (GPT-4o)');
    assert.equal(await card.locator('[data-testid="capsule-rate-reached"]').innerText(), 'prompt.md (document): kept 52.1% of the tokens (−48%), asked 50%. Within budget.');
    assert.deepEqual(await card.locator('[data-testid="capsule-dropped"] li').allInnerTexts(), ['filler phrases: 9 (61 tokens)', 'low-information words: 212 (430 tokens)', 'duplicate sentences: 3 (128 tokens)', 'whole clauses and list items: 4 (100 tokens)']);
    assert.equal(await card.locator('[data-testid="capsule-text"]').evaluate((el) => el.textContent), capsuleCard().preview);
    for (let i = 0; i < 5; i++) await sendState(page, panelState({ capsule: capsuleCard() }));
    await commandsSince(page);
    for (const id of ['capsule-apply', 'capsule-copy', 'capsule-discard', 'capsule-probe']) await card.locator(`[data-testid="${id}"]`).click();
    assert.deepEqual(await commandsSince(page), ['applyCapsule', 'copyCapsule', 'discardCapsule', 'probeCapsule'].map((method) => ({ kind: 'command', method, params: { capsuleId: 7 } })));
    await sendState(page, panelState({ capsule: capsuleCard(), compressor: compressorChoice('builtin', false) }));
    assert.equal(await card.locator('[data-testid="capsule-probe"]').count(), 0, 'no Check without an LLM');
  });
  await check('Capsule: moving the slider re-runs the compression once, 350 ms after the last move', async () => {
    await rate.focus();
    await rate.press('ArrowRight');
    await rate.press('ArrowRight');
    assert.equal(await rateValue.innerText(), 'keep 52%');
    await page.waitForTimeout(500);
    assert.deepEqual(await commandsSince(page), [{ kind: 'command', method: 'compress', params: { rate: 0.52 } }]);
    await sendState(page, panelState({ capsule: capsuleCard({ rate: 0.52 }) }));
    assert.equal(await rate.inputValue(), '0.52');
    await sendState(page, panelState({ capsule: capsuleCard({ rate: 0.3 }) }));
    assert.equal(await rate.inputValue(), '0.3', 'a new rate from the host moves the slider');
    assert.equal(await rateValue.innerText(), 'keep 30%');
  });
  await check('Capsule: the capsule text stays open while states arrive', async () => {
    await card.locator('.capsule-preview summary').click();
    await sendState(page, panelState({ capsule: capsuleCard({ rate: 0.3 }) }));
    assert.equal(await card.locator('.capsule-preview').evaluate((d) => d.open), true);
  });
  await check('Capsule: a local-model capsule says which sub-model ran; a stale capsule cannot be applied', async () => {
    await sendState(page, panelState({ capsule: localCapsuleCard() }));
    assert.equal(await card.locator('[data-testid="capsule-local"] h3').innerText(), 'Local model: capsule-tiny');
    assert.equal(await card.locator('[data-testid="capsule-local-run"]').innerText(), 'Depth 4 of 6, int8, on cpu: 212 ms for 1,620 model tokens.');
    assert.equal(await card.locator('[data-testid="capsule-local-selection"]').innerText(), 'Why this sub-model: depth 4/6 int8: the deepest that fits the 250 ms budget.');
    assert.equal(await card.locator('[data-testid="capsule-local-provider"]').innerText(), 'Provider: cpu (webgpu: no adapter in this window).');
    assert.equal(await card.locator('[data-testid="capsule-rate-reached"]').getAttribute('class'), 'capsule-rate-reached warn');
    assert.match(await card.locator('[data-testid="capsule-rate-reached"]').innerText(), /Over budget: protected content exceeds the target\. The document changed since this capsule was made\.$/);
    assert.equal(await card.locator('.capsule-preview summary').innerText(), 'Capsule text (first part)');
    const apply = card.locator('[data-testid="capsule-apply"]');
    assert.equal(await apply.getAttribute('disabled'), '');
    assert.equal(await apply.getAttribute('title'), 'The document changed since: compress again');
    await commandsSince(page);
    await apply.click({ force: true });
    assert.deepEqual(await commandsSince(page), []);
  });
  await check('Capsule: an LLM capsule lists its candidates, its cost and the probe check', async () => {
    await sendState(page, panelState({ capsule: llmCapsuleCard() }));
    assert.equal(await card.locator('[data-testid="capsule-local"]').count(), 0);
    assert.equal(await card.locator('[data-testid="capsule-llm"] h3').innerText(), 'LLM: gpt-4o-mini');
    const text = async (id) => (await card.locator(`[data-testid="${id}"]`).innerText()).replace(/\s+/g, ' ').trim();
    assert.match(await text('capsule-candidate-1'), /^1 702 rejected: placeholder "\{\{agent_name\}\}" missing or altered —$/);
    assert.equal(await text('capsule-candidate-2'), '2 760 chosen 0.912');
    assert.equal(await text('capsule-candidate-3'), '3 815 passed 0.874');
    assert.equal(await card.locator('[data-testid="capsule-candidate-2"]').getAttribute('class'), 'chosen');
    assert.equal(await card.locator('[data-testid="capsule-candidate-1"]').getAttribute('class'), null);
    assert.match(await text('capsule-llm-cost'), /^Compression cost \$[\d.]+ \(420 in \+ 150 out on gpt-4o-mini\); it saves \$[\d.]+ per call, so it pays for itself after 1 call\.$/);
    assert.match(await text('capsule-llm-net'), /^Net after 1,000 calls \(a day at the Budget card's rate\): \$[\d.]+\.$/);
    assert.equal(await text('capsule-llm-selection'), 'Model chosen for this prompt: gpt-4o-mini, the fastest within the 4 s latency budget.');
    const probe = card.locator('[data-testid="capsule-probe-result"]');
    assert.equal(await probe.locator('summary').innerText(), 'Probe check: 2 of 3 answers agree (word overlap)');
    assert.deepEqual(await probe.locator('li').evaluateAll((lis) => lis.map((li) => li.textContent)), ['✓ Can I get a refund? (0.81)', '✓ Who handles billing escalations? (0.77)', '✗ How many days do refunds take? (0.42)']);
  });
  await check('Capsule: the compressor follows the host and a choice is sent', async () => {
    const select = card.locator('[data-testid="capsule-compressor"]');
    assert.equal(await select.evaluate((s) => s.value), 'builtin');
    assert.equal(await select.locator('vscode-option[disabled]').count(), 0);
    await sendState(page, panelState({ capsule: llmCapsuleCard(), compressor: compressorChoice('onnx', false) }));
    assert.equal(await select.evaluate((s) => s.value), 'onnx');
    assert.deepEqual(await select.locator('vscode-option[disabled]').evaluateAll((os) => os.map((o) => o.getAttribute('value'))), ['llm']);
    assert.deepEqual(await commandsSince(page), [], 'a choice made by the host is not sent back');
    await select.click();
    await select.locator('li.option', { hasText: 'Built-in' }).click();
    assert.deepEqual(await commandsSince(page), [{ kind: 'command', method: 'setCompressor', params: { backend: 'builtin' } }]);
    await sendState(page, panelState({ capsule: llmCapsuleCard(), compressor: compressorChoice('builtin') }));
    assert.equal(await select.evaluate((s) => s.value), 'builtin');
  });
  await check('Capsule: an error is an alert; Discard brings Compress back', async () => {
    await sendState(page, panelState({ capsule: { ...capsuleCard(), status: 'error', message: 'The LLM refused: quota exceeded.' } }));
    const message = card.locator('p.message.error[role="alert"]');
    assert.equal(await message.innerText(), 'The LLM refused: quota exceeded.');
    assert.equal(await card.locator('[data-testid="capsule-summary"]').count(), 0);
    await sendState(page, panelState());
    await card.locator('[data-testid="capsule-compress"]').waitFor();
    assert.equal(await card.locator('[data-testid="capsule-apply"]').count(), 0);
  });
  await page.close();
}

await browser.close();
console.log(checks.join('\n'));
if (timings.length) console.log(`\n${timings.join('\n')}`);
console.log(problems.length ? `\nProblems:\n${problems.join('\n')}` : '\nNo page errors, CSP violations or outside requests.');
console.log(`\nScreenshots in ${shots}`);
if (problems.length || checks.some((c) => c.startsWith('FAIL'))) process.exitCode = 1;
