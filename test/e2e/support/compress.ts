import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Locator } from 'playwright-core';
import { normalizeSpaces, type Workbench } from './workbench';

// The capsule workflow as the tests find it in the workbench.
export const COMPRESS_COMMAND = 'Capsule: Compress Selection';
export const COMPRESS_MENU_ITEM = 'Compress Selection';
/** The quick pick item for the rate setting's default (0.5). */
export const DEFAULT_RATE_ITEM = 'Keep 50% of the tokens';
/** The description of the quick pick's first item. */
export const RATE_SETTING_DESCRIPTION = 'setting promptCapsule.compression.rate';
export const RATE_PICK_TITLE = 'Compress: how much of the prompt to keep?';
const DIFF_TITLE_MARK = 'original ↔ capsule';

/**
 * Runs "Compress Selection" from the command palette and answers the rate quick pick
 * that follows it (the palette closes and the extension opens the pick in the same
 * widget). Returns the text of the pick's first row, which should be the setting's rate.
 */
export async function compressFromPaletteWithRate(workbench: Workbench, rateItem: string): Promise<string> {
  const { page } = workbench;
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${COMPRESS_COMMAND}`);
  await workbench.quickInputRow(COMPRESS_COMMAND).click();
  await page.locator('.quick-input-widget .quick-input-title', { hasText: RATE_PICK_TITLE }).waitFor({ state: 'visible' });
  const firstRow = normalizeSpaces(await page.locator('.quick-input-widget .monaco-list-row').first().innerText());
  await workbench.quickInputRow(rateItem).click();
  await input.waitFor({ state: 'hidden' });
  return firstRow;
}

/** The tab of the capsule's diff editor ("<file>: original ↔ capsule (N → M tokens)"). */
export function diffTab(workbench: Workbench): Locator {
  return workbench.page.locator('.tabs-container .tab', { hasText: DIFF_TITLE_MARK });
}

export interface DiffTitle {
  fileName: string;
  originalTokens: number;
  capsuleTokens: number;
}

/** Waits for the capsule diff to be the active editor; returns what its title says. */
export async function readDiffTitle(workbench: Workbench): Promise<DiffTitle> {
  const title = await readDiffTab(workbench);
  // The diff editor itself, not just its tab: both sides laid out.
  await workbench.page.locator('.editor-group-container.active .monaco-diff-editor .editor.modified .view-line').first().waitFor({ state: 'visible' });
  return title;
}

/**
 * What the active capsule diff's tab says, without waiting for the diff to be drawn: on a
 * 1 MB document VS Code's diff computation may time out and lay the editor out
 * differently, which says nothing about the capsule.
 */
export async function readDiffTab(workbench: Workbench, timeout?: number): Promise<DiffTitle> {
  const tab = workbench.page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: DIFF_TITLE_MARK });
  await tab.waitFor(timeout === undefined ? { state: 'visible' } : { state: 'visible', timeout });
  const title = normalizeSpaces((await tab.getAttribute('aria-label')) ?? (await tab.innerText()));
  const match = /^(.+): original ↔ capsule \(([\d,]+) → ([\d,]+) tokens\)/.exec(title);
  assert.ok(match, `diff title "${title}" reads "<file>: original ↔ capsule (N → M tokens)"`);
  const count = (s: string) => Number(s.replace(/,/g, ''));
  return { fileName: match[1]!, originalTokens: count(match[2]!), capsuleTokens: count(match[3]!) };
}

/** A notification toast showing `text`. */
export function notification(workbench: Workbench, text: string): Locator {
  return workbench.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

/**
 * Clicks an action of a notification. "Capsule ready" offers Apply and Discard as links in
 * its message (a progress notification, which VS Code closes when the capsule ends);
 * other notifications have buttons.
 */
export async function clickNotificationButton(workbench: Workbench, text: string, button: string): Promise<void> {
  const toast = notification(workbench, text);
  await toast.waitFor({ state: 'visible' });
  await toast.locator('a, .monaco-button', { hasText: button }).first().click();
}

/** Every notification toast showing `text` (as opposed to `notification`, the first). */
export function notifications(workbench: Workbench, text: string): Locator {
  return workbench.page.locator('.notifications-toasts .notification-toast', { hasText: text });
}

/** The editor tab of a workspace file, dirty (unsaved changes) or not. */
export function fileTab(workbench: Workbench, fileName: string, dirty: boolean): Locator {
  return workbench.page.locator(`.tabs-container .tab${dirty ? '.dirty' : ':not(.dirty)'}`, { hasText: fileName }).first();
}

/**
 * Saves the file's editor (Ctrl+S in it) and returns the file's text as read from disk
 * once its tab is no longer dirty: exact bytes, unlike Monaco's virtualised DOM.
 */
export async function saveAndReadFromDisk(workbench: Workbench, fileName: string, filePath: string): Promise<string> {
  await workbench.page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: fileName }).waitFor({ state: 'visible' });
  await workbench.focusEditor();
  await workbench.page.keyboard.press('Control+S');
  await fileTab(workbench, fileName, false).waitFor({ state: 'visible' });
  return readFileSync(filePath, 'utf8');
}
