import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Locator } from 'playwright-core';
import { statusBarShowsSelection } from './support/capsule';
import { o200kTokenCount } from './support/expected';
import { CAPSULE_PROMPT, CAPSULE_PROMPT_FILE, capsuleWorkspaceSettings, WORKSPACE_SETTINGS_FILE } from './support/fixtures';
import { servingCard } from './support/serving';
import { waitFor } from './support/waitFor';
import { normalizeSpaces, Workbench } from './support/workbench';

const TEST_TIMEOUT_MS = 240_000;
// A plan is about 200 simulations in the worker: seconds, more on a loaded 2-core machine.
const PLAN_WAIT = { timeoutMs: 90_000 };

/** The recommended candidate's id once a plan for the fields' values is on screen (not stale, not running). */
async function settledRecommendation(card: Locator): Promise<string | null> {
  const rec = card.locator('.plan-results:not(.stale) [data-testid="plan-recommendation"]');
  if ((await rec.count()) === 0 || (await card.locator('[data-testid="plan-progress"]').count()) > 0) return null;
  return rec.getAttribute('data-candidate-id', { timeout: 1000 });
}

async function rowQuality(card: Locator, id: string): Promise<number> {
  const cell = card.locator(`[data-testid="plan-table"] tr[data-candidate-id="${id}"] td[data-col="quality"]`);
  return Number(await cell.getAttribute('data-value', { timeout: 1000 }));
}

test('Plan Model Budget: the Plan card recommends the cheapest candidate that meets the budgets, a quality floor changes it, and Simulate this fills the Serving card', { timeout: TEST_TIMEOUT_MS }, async () => {
  await Workbench.inNewWorkspace('plan', { [CAPSULE_PROMPT_FILE]: CAPSULE_PROMPT, [WORKSPACE_SETTINGS_FILE]: capsuleWorkspaceSettings({ askForRate: false }) }, async (workbench) => {
    await workbench.hideSideBar();
    await workbench.openFile(CAPSULE_PROMPT_FILE);
    await workbench.selectAll();
    await statusBarShowsSelection(workbench, o200kTokenCount(CAPSULE_PROMPT));
    await workbench.runCommand('Capsule: Plan Model Budget');
    const card = workbench.webview.locator('[data-testid="plan-card"]');
    await card.waitFor({ state: 'visible', timeout: 30_000 });
    const minQuality = card.locator('[data-testid="plan-minQuality"] input');
    await minQuality.waitFor({ state: 'visible' });
    // The card's edits persist in global state: start from no quality floor.
    if ((await minQuality.inputValue()) !== '0') await minQuality.fill('0');

    const first = (await waitFor('a settled plan with a recommendation', () => settledRecommendation(card), (id) => id !== null, PLAN_WAIT))!;
    assert.match(normalizeSpaces(await card.locator('[data-testid="plan-caption"]').innerText()), new RegExp(`^${o200kTokenCount(CAPSULE_PROMPT)} input tokens per request \\(o200k_base count of the selection\\)`));
    const recommendedRow = card.locator('[data-testid="plan-table"] tr[data-recommended]');
    assert.equal(await recommendedRow.count(), 1, 'one row is marked recommended');
    assert.equal(await recommendedRow.getAttribute('data-candidate-id'), first);
    assert.match(normalizeSpaces(await card.locator('[data-testid="plan-recommendation-reason"]').innerText()), /is the cheapest of \d+ candidates meeting every budget/);
    const chart = card.locator('[data-testid="plan-chart"] figure.chart');
    await chart.locator('canvas').first().waitFor({ state: 'visible' });
    assert.ok(Number(await chart.getAttribute('data-points')) > 10, 'the scatter plots the candidates');
    const firstQuality = await rowQuality(card, first);

    // A quality floor above the first pick: the recommendation changes to one that meets it.
    await minQuality.fill('0.97');
    const second = (await waitFor('a settled plan for the 0.97 quality floor', () => settledRecommendation(card), (id) => id !== null && id !== first, PLAN_WAIT))!;
    assert.ok(firstQuality < 0.97, `fixture: the first pick (${first}, quality ${firstQuality}) is under the floor`);
    assert.ok((await rowQuality(card, second)) >= 0.97, `${second} meets the floor`);
    assert.match(normalizeSpaces(await card.locator('[data-testid="plan-budgets"]').innerText()), /quality floor \(0\.97\)/);
    // The card is taller than the window: one picture of the window at the recommendation, one of the table's first rows.
    await card.locator('[data-testid="plan-recommendation"]').scrollIntoViewIfNeeded();
    await workbench.screenshot('plan-card.png');
    await card.locator('[data-testid="plan-table"]').scrollIntoViewIfNeeded();
    await workbench.screenshot('plan-table.png');

    // The table sorts by a column on click.
    const costHeader = card.locator('[data-testid="plan-table"] th:has(button[data-sort="cost"])');
    await costHeader.locator('button').click();
    await waitFor('the table sorted by cost', () => costHeader.getAttribute('aria-sort'), (sort) => sort === 'ascending' || sort === 'descending');

    // "Simulate this" sends the recommended candidate to the Serving card.
    const model = second.split(':')[0]!;
    await card.locator('[data-testid="plan-recommendation-simulate"]').click();
    const servingModel = servingCard(workbench.webview).locator('[data-testid="serving-model"]');
    await waitFor(`the Serving card to show ${model}`, () => servingModel.evaluate((el) => (el as unknown as { value: string }).value), (value) => value === model);

    await minQuality.fill('0');
    await waitFor('the plan without a quality floor again', () => settledRecommendation(card), (id) => id === first, PLAN_WAIT);
  });
});
