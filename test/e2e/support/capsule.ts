import assert from 'node:assert/strict';
import type { FrameLocator, Locator } from 'playwright-core';
import { waitFor } from './waitFor';
import { normalizeSpaces, type Workbench } from './workbench';

// What the extension shows, as the tests find it.
export const STATUS_ITEM_ID = 'promptCapsule.tokens';
export const COUNT_COMMAND = 'Capsule: Count Tokens and Cost';
export const COUNT_MENU_ITEM = 'Count Tokens and Cost';
export const PANEL_TITLE = 'Prompt Capsule: Budget';
/** The default active model; its tokenizer is o200k_base. */
export const DEFAULT_MODEL_ID = 'gpt-4o';

/** Waits until the status bar reports `tokens` for the current selection; returns its visible text. */
export async function statusBarShowsSelection(workbench: Workbench, tokens: number): Promise<string> {
  return statusBarShows(workbench, tokens, 'selection');
}

/** Waits until the status bar reports `tokens` for the selection or the whole document. */
export async function statusBarShows(workbench: Workbench, tokens: number, scope: 'selection' | 'document', timeoutMs = 20_000): Promise<string> {
  const item = workbench.statusBarItem(STATUS_ITEM_ID);
  // The accessibility label carries the whole count (with separators); the item updates after a debounce.
  await waitFor(
    `the status bar to report ${tokens} tokens for the ${scope}`,
    async () => (await item.getAttribute('aria-label', { timeout: 1000 })) ?? '',
    (label) => label.startsWith(`Prompt Capsule: ${tokens.toLocaleString('en-US')} tokens,`) && label.endsWith(`(${scope})`),
    { timeoutMs },
  );
  return normalizeSpaces(await item.innerText());
}

/** The table of the Budget Panel once its count is done (it is marked "stale" while counting). */
export function settledModelTable(panel: FrameLocator): Locator {
  return panel.locator('table[data-testid="model-table"]:not(.stale)');
}

export function modelCell(panel: FrameLocator, modelId: string, column: 'tokens' | 'perCallUsd' | 'perDayUsd'): Locator {
  return settledModelTable(panel).locator(`tbody tr[data-model-id="${modelId}"] td[data-col="${column}"]`);
}

export async function numericValue(cell: Locator): Promise<number> {
  const raw = (await cell.getAttribute('data-value')) ?? '';
  const value = Number(raw);
  assert.ok(raw !== '' && Number.isFinite(value), `data-value "${raw}" is a number`);
  return value;
}

export interface BudgetPanelReading {
  tokens: number;
  source: string;
  tokenizer: string;
}

/** Waits for the Budget Panel to finish counting; returns the default model's tokens and the header lines. */
export async function readBudgetPanel(workbench: Workbench): Promise<BudgetPanelReading> {
  await workbench.tab(PANEL_TITLE).waitFor({ state: 'visible' });
  const panel = workbench.webview;
  const cell = modelCell(panel, DEFAULT_MODEL_ID, 'tokens');
  await cell.waitFor({ state: 'visible' });
  return {
    tokens: await numericValue(cell),
    source: normalizeSpaces(await panel.locator('[data-testid="source"]').innerText()),
    tokenizer: normalizeSpaces(await panel.locator('[data-testid="tokenizer"]').innerText()),
  };
}

/**
 * Opens `fileName`, selects all of it (`text`), waits for the status bar's count, and
 * runs "Count Tokens and Cost": the Budget Panel, counted. Returns the panel's reading.
 */
export async function openBudgetPanelOnFile(workbench: Workbench, fileName: string, tokens: number): Promise<BudgetPanelReading> {
  await workbench.openFile(fileName);
  await workbench.selectAll();
  await statusBarShowsSelection(workbench, tokens);
  await workbench.runCommand(COUNT_COMMAND);
  return readBudgetPanel(workbench);
}
