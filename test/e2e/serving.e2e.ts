import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Locator } from 'playwright-core';
import { openBudgetPanelOnFile } from './support/capsule';
import { o200kTokenCount } from './support/expected';
import { CAPSULE_PROMPT, CAPSULE_PROMPT_FILE } from './support/fixtures';
import { CALIBRATION_PATTERN, metricCells, parseDurationMs, servingCard, servingInput, SERVING_MODES, settledServingTable } from './support/serving';
import { waitFor } from './support/waitFor';
import { normalizeSpaces, Workbench } from './support/workbench';

/** Waits until the caption names `rate` ("... Poisson arrivals at R req/s ...") and the simulation is done. */
async function waitForCaptionRate(card: Locator, rate: string): Promise<void> {
  await waitFor(
    `the Serving card to have simulated ${rate} req/s`,
    async () => normalizeSpaces(await card.locator('[data-testid="serving-caption"]').innerText({ timeout: 1000 })),
    (text) => text.includes(`Poisson arrivals at ${rate} req/s`) && !text.includes('Simulating'),
  );
  await settledServingTable(card).waitFor({ state: 'visible' });
}

test('the Budget Panel\'s Serving card simulates the selection in three deployment modes and re-runs at a new request rate', { timeout: 120_000 }, async () => {
  await Workbench.inNewWorkspace('serving', { [CAPSULE_PROMPT_FILE]: CAPSULE_PROMPT }, async (workbench) => {
    await workbench.hideSideBar();
    const tokens = o200kTokenCount(CAPSULE_PROMPT);
    assert.equal((await openBudgetPanelOnFile(workbench, CAPSULE_PROMPT_FILE, tokens)).tokens, tokens);

    const card = servingCard(workbench.webview);
    const table = settledServingTable(card);
    await table.waitFor({ state: 'visible' });
    await card.locator('[data-testid="serving-goodput"]').waitFor({ state: 'visible' });

    const caption = normalizeSpaces(await card.locator('[data-testid="serving-caption"]').innerText());
    // Counted for the serving model (Llama-3.1-8B): o200k_base x its measured ratio.
    assert.ok(caption.startsWith(`${Math.round(tokens * 1.006).toLocaleString('en-US')} input tokens per request (Llama 3 tokenizer`), `caption: "${caption}"`);
    for (const mode of SERVING_MODES) {
      await table.locator(`thead [data-testid="serving-mode-${mode}"]`).waitFor({ state: 'visible' });
    }
    const ttftCells = await metricCells(table, 'TTFT p90').allInnerTexts();
    assert.equal(ttftCells.length, SERVING_MODES.length, `one TTFT p90 cell per mode: ${JSON.stringify(ttftCells)}`);
    for (const text of ttftCells) {
      const ms = parseDurationMs(text);
      assert.ok(Number.isFinite(ms) && ms > 0, `TTFT p90 "${text}" is a positive duration`);
    }
    const calibration = normalizeSpaces(await card.locator('[data-testid="serving-calibration"]').innerText());
    assert.match(calibration, CALIBRATION_PATTERN);
    const goodput = normalizeSpaces(await card.locator('[data-testid="serving-goodput"]').innerText());
    assert.match(goodput, /^Goodput \(colocated\): /, `goodput line: "${goodput}"`);

    // uPlot draws each chart on a canvas once the figure is laid out; the figure says how many points it plots.
    const charts = card.locator('[data-testid="serving-chart"] figure.chart');
    assert.equal(await charts.count(), 2, 'two charts: p90 TTFT and p90 TPOT against the rate');
    for (let i = 0; i < 2; i++) {
      await charts.nth(i).locator('canvas').first().waitFor({ state: 'visible' });
      const points = Number(await charts.nth(i).getAttribute('data-points'));
      assert.ok(points >= 2, `chart ${i + 1} plots a curve of ${points} points`);
    }
    assert.deepEqual(await charts.locator('figcaption').allInnerTexts(), ['p90 TTFT vs rate (colocated)', 'p90 TPOT vs rate (colocated)']);

    // A new rate re-runs the simulation. The card's inputs persist in global state, so the
    // test puts the old rate back at the end.
    const rateInput = servingInput(card, 'rate');
    const oldRate = await rateInput.inputValue();
    const newRate = oldRate === '7' ? '3' : '7';
    await rateInput.fill(newRate);
    await waitForCaptionRate(card, newRate);
    const after = await metricCells(table, 'TTFT p90').allInnerTexts();
    assert.equal(after.length, SERVING_MODES.length);
    for (const text of after) assert.ok(parseDurationMs(text) > 0, `TTFT p90 at ${newRate} req/s: "${text}"`);
    await workbench.screenshotOf(card, 'serving-card.png');

    await rateInput.fill(oldRate);
    await waitForCaptionRate(card, oldRate);
  });
});
