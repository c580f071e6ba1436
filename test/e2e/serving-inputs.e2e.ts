import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Locator } from 'playwright-core';
import { openBudgetPanelOnFile } from './support/capsule';
import { fileTab } from './support/compress';
import { o200kTokenCount } from './support/expected';
import { CAPSULE_PROMPT, CAPSULE_PROMPT_FILE, capsuleWorkspaceSettings, WORKSPACE_SETTINGS_FILE } from './support/fixtures';
import { servingCard, servingInput, settledServingTable } from './support/serving';
import { waitFor } from './support/waitFor';
import { normalizeSpaces, Workbench } from './support/workbench';

const TEST_TIMEOUT_MS = 180_000;
type Field = 'rate' | 'outputTokens' | 'gpus';

async function caption(card: Locator): Promise<string> {
  return normalizeSpaces(await card.locator('[data-testid="serving-caption"]').innerText({ timeout: 1000 }));
}

/** Types `value` into a field (replacing it) and returns the message shown under it. */
async function typeInvalid(card: Locator, field: Field, value: string): Promise<string> {
  await servingInput(card, field).fill(value);
  const error = card.locator(`[data-testid="serving-${field}-error"]`);
  await error.waitFor({ state: 'visible' });
  assert.equal(await servingInput(card, field).inputValue(), value, `the field keeps "${value}" as typed`);
  return normalizeSpaces(await error.innerText());
}

test('the Serving card explains every invalid input, never runs on a rewritten value, and a long estimate shows progress and can be cancelled', { timeout: TEST_TIMEOUT_MS }, async () => {
  await Workbench.inNewWorkspace('serving-inputs', { [CAPSULE_PROMPT_FILE]: CAPSULE_PROMPT, [WORKSPACE_SETTINGS_FILE]: capsuleWorkspaceSettings({ askForRate: false }) }, async (workbench) => {
    await workbench.hideSideBar();
    await openBudgetPanelOnFile(workbench, CAPSULE_PROMPT_FILE, o200kTokenCount(CAPSULE_PROMPT));
    const card = servingCard(workbench.webview);
    await settledServingTable(card).waitFor({ state: 'visible' });
    const before = await caption(card);
    const oldValues = { rate: await servingInput(card, 'rate').inputValue(), outputTokens: await servingInput(card, 'outputTokens').inputValue(), gpus: await servingInput(card, 'gpus').inputValue() };

    // The values: each keeps its text, gets the allowed range, and is not sent.
    assert.equal(await typeInvalid(card, 'rate', '100000'), 'The rate must be at most 10,000 req/s: enter a number from 0.01 to 10,000 req/s.');
    const stale = card.locator('[data-testid="serving-stale"]');
    await stale.waitFor({ state: 'visible' });
    assert.ok(normalizeSpaces(await stale.innerText()).includes(`rate ${oldValues.rate} req/s`), 'the note names the inputs the results are for');
    assert.match(normalizeSpaces(await stale.innerText()), /^These results are for .* a field above is invalid/);
    assert.equal(await typeInvalid(card, 'rate', '-5'), 'The rate must be at least 0.01 req/s: enter a number from 0.01 to 10,000 req/s.');
    assert.equal(await typeInvalid(card, 'rate', ''), 'The rate is empty: enter a number from 0.01 to 10,000 req/s.');
    assert.equal(await typeInvalid(card, 'rate', '0.001'), 'The rate must be at least 0.01 req/s: enter a number from 0.01 to 10,000 req/s.');
    assert.equal(await typeInvalid(card, 'outputTokens', '10,000,000'), 'Output tokens must be at most 32,768 tokens: enter a whole number from 1 to 32,768 tokens.');
    assert.equal(await typeInvalid(card, 'gpus', '1000'), 'GPUs must be at most 64 GPUs: enter a whole number from 1 to 64 GPUs.');
    await workbench.screenshotOf(card, 'serving-invalid-inputs.png');
    assert.equal(await caption(card), before, 'nothing was simulated for an invalid value');

    // Valid values again: the messages go and the results follow the fields.
    await servingInput(card, 'gpus').fill(oldValues.gpus);
    await servingInput(card, 'outputTokens').fill(oldValues.outputTokens);
    await servingInput(card, 'rate').fill('7');
    await card.locator('[data-testid="serving-rate-error"]').waitFor({ state: 'hidden' });
    await waitFor('the card to simulate 7 req/s', () => caption(card), (text) => text.includes('Poisson arrivals at 7 req/s'));
    await settledServingTable(card).waitFor({ state: 'visible' });
    assert.equal(await stale.count(), 0, 'the results are for what the fields show');

    // A long estimate (32,768 output tokens at a trickle) shows progress and Cancel.
    await servingInput(card, 'rate').fill('0.01');
    await servingInput(card, 'outputTokens').fill('32768');
    const cancel = card.locator('[data-testid="serving-cancel"]');
    await cancel.waitFor({ state: 'visible' });
    assert.match(normalizeSpaces(await card.locator('[data-testid="serving-progress"]').innerText()), /Simulating… (\d+ of \d+ results)?/);
    await cancel.click();
    const message = card.locator('[data-testid="serving-message"]');
    await message.waitFor({ state: 'visible' });
    assert.match(normalizeSpaces(await message.innerText()), /^Estimate cancelled after [\d.]+ s\.$/);
    assert.match(normalizeSpaces(await stale.innerText()), /rate 7 req\/s.*did not finish/, 'the results say which inputs they are for');
    await workbench.screenshotOf(card, 'serving-cancelled.png');

    // Back to the old values; the card's inputs persist in global state.
    await servingInput(card, 'outputTokens').fill(oldValues.outputTokens);
    await servingInput(card, 'rate').fill(oldValues.rate);
    await waitFor(`the card to simulate ${oldValues.rate} req/s`, () => caption(card), (text) => text.includes(`Poisson arrivals at ${oldValues.rate} req/s`));
    await settledServingTable(card).waitFor({ state: 'visible' });
  });
});

test('keys typed into a panel field right after it opens stay in the field (the prompt is never edited)', { timeout: TEST_TIMEOUT_MS }, async () => {
  await Workbench.inNewWorkspace('panel-focus', { [CAPSULE_PROMPT_FILE]: CAPSULE_PROMPT, [WORKSPACE_SETTINGS_FILE]: capsuleWorkspaceSettings({ askForRate: false }) }, async (workbench, folder) => {
    await workbench.hideSideBar();
    await workbench.openFile(CAPSULE_PROMPT_FILE);
    await workbench.runCommand('Capsule: Open Budget Panel');
    const card = servingCard(workbench.webview);
    const rate = servingInput(card, 'rate');
    await rate.waitFor({ state: 'visible' });
    const oldRate = await rate.inputValue();
    // The steps, with no pause: click the field, Ctrl+A, type. VS Code learns that a
    // webview has focus up to 250 ms late; these keys must not reach the prompt's editor.
    await rate.click();
    await workbench.page.keyboard.press('Control+A');
    await workbench.page.keyboard.type('9');
    await workbench.page.keyboard.press('Backspace');
    await workbench.page.keyboard.type('8');
    await waitFor('the rate field to read 8', () => rate.inputValue(), (v) => v === '8');
    await waitFor('the card to simulate 8 req/s', () => caption(card), (text) => text.includes('Poisson arrivals at 8 req/s'));
    assert.equal(await fileTab(workbench, CAPSULE_PROMPT_FILE, true).count(), 0, 'the prompt has no unsaved change');
    assert.equal(readFileSync(path.join(folder, CAPSULE_PROMPT_FILE), 'utf8'), CAPSULE_PROMPT);
    await rate.fill(oldRate);
    await waitFor(`the card to simulate ${oldRate} req/s`, () => caption(card), (text) => text.includes(`Poisson arrivals at ${oldRate} req/s`));
  });
});
