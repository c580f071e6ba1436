import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Locator } from 'playwright-core';
import { DEFAULT_MODEL_ID, openBudgetPanelOnFile, settledModelTable } from './support/capsule';
import { o200kTokenCount } from './support/expected';
import { CAPSULE_PROMPT, CAPSULE_PROMPT_FILE } from './support/fixtures';
import { servingCard, settledServingTable, SERVING_MODES } from './support/serving';
import { normalizeSpaces, Workbench } from './support/workbench';

const TEST_TIMEOUT_MS = 120_000;
// A laptop-sized window: the panel opens beside the prompt at about half of it.
const WINDOW = { width: 1100, height: 900 };
// data/tokenizers.json: Llama 3's tokens per o200k_base token over the dev prompts.
const LLAMA3_RATIO = 1.006;

/**
 * The element's box once it is laid out: waits until it is visible and has a box (a card
 * re-rendered by an update has none for a moment; the CI run on 2 cores met one).
 */
async function laidOutBox(locator: Locator): Promise<NonNullable<Awaited<ReturnType<Locator['boundingBox']>>>> {
  for (;;) {
    await locator.waitFor({ state: 'visible' });
    const box = await locator.boundingBox();
    if (box) return box;
  }
}

/** True when `inner` lies horizontally within what `outer` shows (1 px of rounding). */
async function fitsWithin(inner: Locator, outer: Locator): Promise<boolean> {
  const [a, b] = [await laidOutBox(inner), await laidOutBox(outer)];
  assert.ok(a && b, 'both laid out');
  return a.x >= b.x - 1 && a.x + a.width <= b.x + b.width + 1;
}

test('in a half-width panel, the status bar\'s model is pinned on top and the columns and modes that matter are in view', { timeout: TEST_TIMEOUT_MS }, async () => {
  await Workbench.inNewWorkspace('panel-layout', { [CAPSULE_PROMPT_FILE]: CAPSULE_PROMPT }, async (workbench) => {
    await workbench.page.setViewportSize(WINDOW);
    await workbench.hideSideBar();
    const tokens = o200kTokenCount(CAPSULE_PROMPT);
    await openBudgetPanelOnFile(workbench, CAPSULE_PROMPT_FILE, tokens);
    const panel = workbench.webview;
    const table = settledModelTable(panel);

    // The active model leads the table, marked, whichever way it is sorted.
    for (const sort of [undefined, 'perCallUsd', 'perCallUsd', 'name']) {
      if (sort) await table.locator(`thead button[data-sort="${sort}"]`).click();
      const first = table.locator('tbody tr').first();
      assert.equal(await first.getAttribute('data-model-id'), DEFAULT_MODEL_ID, `first row${sort ? ` after sorting by ${sort}` : ''}`);
      await first.locator('[data-testid="active-badge"]').waitFor({ state: 'visible' });
    }

    // The costs come right after the model's name, in view without scrolling.
    const wrap = panel.locator('.table-wrap.models');
    for (const column of ['name', 'perCallUsd', 'tokens']) {
      assert.ok(await fitsWithin(table.locator(`thead button[data-sort="${column}"]`), wrap), `the ${column} column is in view`);
    }

    // Every deployment mode's column fits the Serving card.
    const card = servingCard(panel);
    const servingTable = settledServingTable(card);
    await servingTable.waitFor({ state: 'visible' });
    for (const mode of SERVING_MODES) {
      assert.ok(await fitsWithin(servingTable.locator(`thead [data-testid="serving-mode-${mode}"]`), card), `the ${mode} column is in view`);
    }
    // The prompt is counted in the serving model's tokens, and the caption says how.
    const caption = normalizeSpaces(await card.locator('[data-testid="serving-caption"]').innerText());
    const llamaTokens = Math.round(tokens * LLAMA3_RATIO);
    assert.ok(caption.startsWith(`${llamaTokens.toLocaleString('en-US')} input tokens per request (Llama 3 tokenizer (128k BPE): o200k_base count × 1.006, measured ratio)`), caption);
    await workbench.screenshot('panel-half-width.png');
  });
});
