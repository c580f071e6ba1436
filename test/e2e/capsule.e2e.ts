import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { numericValue, openBudgetPanelOnFile, PANEL_TITLE, statusBarShowsSelection } from './support/capsule';
import {
  clickNotificationButton,
  COMPRESS_MENU_ITEM,
  compressFromPaletteWithRate,
  DEFAULT_RATE_ITEM,
  diffTab,
  fileTab,
  notification,
  RATE_SETTING_DESCRIPTION,
  readDiffTitle,
  saveAndReadFromDisk,
} from './support/compress';
import { o200kTokenCount } from './support/expected';
import {
  CAPSULE_CONSTRAINT_WORDS,
  CAPSULE_MUST_KEEP,
  CAPSULE_PROMPT,
  CAPSULE_PROMPT_FILE,
  CAPSULE_PROMPT_FIRST_LINE,
  capsuleWorkspaceSettings,
  WORKSPACE_SETTINGS_FILE,
} from './support/fixtures';
import { waitFor } from './support/waitFor';
import { normalizeSpaces, Workbench } from './support/workbench';

const TEST_TIMEOUT_MS = 120_000;
const ORIGINAL_TOKENS = o200kTokenCount(CAPSULE_PROMPT);

/** A capsule of CAPSULE_PROMPT: shorter, with every must-keep item and the constraint's words. */
function assertIsCapsuleOfPrompt(text: string): void {
  assert.ok(text.length < CAPSULE_PROMPT.length, `the capsule (${text.length} chars) is shorter than the prompt (${CAPSULE_PROMPT.length})`);
  assert.ok(o200kTokenCount(text) < ORIGINAL_TOKENS, `the capsule has fewer tokens than the prompt's ${ORIGINAL_TOKENS}`);
  for (const item of [...CAPSULE_MUST_KEEP, ...CAPSULE_CONSTRAINT_WORDS]) {
    assert.ok(text.includes(item), `the capsule keeps "${item}":\n${text}`);
  }
}

test('"Compress Selection" from the palette previews a diff; Apply replaces the text and one Ctrl+Z restores it byte for byte', { timeout: TEST_TIMEOUT_MS }, async () => {
  await Workbench.inNewWorkspace('capsule-apply', { [CAPSULE_PROMPT_FILE]: CAPSULE_PROMPT, [WORKSPACE_SETTINGS_FILE]: capsuleWorkspaceSettings({ askForRate: true }) }, async (workbench, folder) => {
    const file = path.join(folder, CAPSULE_PROMPT_FILE);
    await workbench.hideSideBar();
    await workbench.openFile(CAPSULE_PROMPT_FILE);
    await workbench.selectAll();
    await statusBarShowsSelection(workbench, ORIGINAL_TOKENS);

    // askForRate is on by default: the rate quick pick offers the setting's rate first.
    const firstRateItem = await compressFromPaletteWithRate(workbench, DEFAULT_RATE_ITEM);
    assert.ok(firstRateItem.includes(DEFAULT_RATE_ITEM) && firstRateItem.includes(RATE_SETTING_DESCRIPTION), `first rate item: "${firstRateItem}"`);
    const title = await readDiffTitle(workbench);
    assert.equal(title.fileName, CAPSULE_PROMPT_FILE);
    assert.equal(title.originalTokens, ORIGINAL_TOKENS, 'the diff title counts the selection like o200k_base does');
    assert.ok(title.capsuleTokens < title.originalTokens, `the capsule is smaller: ${title.originalTokens} → ${title.capsuleTokens}`);
    await notification(workbench, 'Capsule ready:').waitFor({ state: 'visible' });
    await workbench.screenshot('capsule-diff.png');

    await clickNotificationButton(workbench, 'Capsule ready:', 'Apply');
    await diffTab(workbench).waitFor({ state: 'detached' });
    await fileTab(workbench, CAPSULE_PROMPT_FILE, true).waitFor({ state: 'visible' });
    const applied = await saveAndReadFromDisk(workbench, CAPSULE_PROMPT_FILE, file);
    assertIsCapsuleOfPrompt(applied);
    assert.equal(o200kTokenCount(applied), title.capsuleTokens, 'the applied text has the token count the diff title announced');

    // One undo in the editor takes the whole capsule back.
    await workbench.focusEditor();
    await workbench.page.keyboard.press('Control+Z');
    await fileTab(workbench, CAPSULE_PROMPT_FILE, true).waitFor({ state: 'visible' });
    const restored = await saveAndReadFromDisk(workbench, CAPSULE_PROMPT_FILE, file);
    assert.equal(restored, CAPSULE_PROMPT, 'one undo restores the original byte for byte');
  });
});

test('"Compress Selection" from the editor context menu previews a diff; its Discard title action leaves the file as it was', { timeout: TEST_TIMEOUT_MS }, async () => {
  await Workbench.inNewWorkspace('capsule-menu', { [CAPSULE_PROMPT_FILE]: CAPSULE_PROMPT, [WORKSPACE_SETTINGS_FILE]: capsuleWorkspaceSettings({ askForRate: false }) }, async (workbench, folder) => {
    const file = path.join(folder, CAPSULE_PROMPT_FILE);
    await workbench.hideSideBar();
    await workbench.openFile(CAPSULE_PROMPT_FILE);
    await workbench.selectAll();
    await statusBarShowsSelection(workbench, ORIGINAL_TOKENS);

    // askForRate is off in this workspace: no quick pick, the diff opens directly.
    await workbench.runEditorContextMenu(CAPSULE_PROMPT_FIRST_LINE, COMPRESS_MENU_ITEM);
    const title = await readDiffTitle(workbench);
    assert.equal(title.originalTokens, ORIGINAL_TOKENS);
    assert.ok(title.capsuleTokens < title.originalTokens, `the capsule is smaller: ${title.originalTokens} → ${title.capsuleTokens}`);

    // While a capsule is pending, the diff editor's title bar offers Apply and Discard.
    const actions = workbench.page.locator('.editor-group-container.active .editor-actions');
    await actions.locator('[aria-label*="Apply Capsule"]').first().waitFor({ state: 'visible' });
    await actions.locator('[aria-label*="Discard Capsule"]').first().click();
    await diffTab(workbench).waitFor({ state: 'detached' });
    await fileTab(workbench, CAPSULE_PROMPT_FILE, false).waitFor({ state: 'visible' });
    assert.equal(readFileSync(file, 'utf8'), CAPSULE_PROMPT, 'the file is untouched');
  });
});

test('the Budget Panel\'s Capsule card compresses the counted text and shows original vs capsule tokens', { timeout: TEST_TIMEOUT_MS }, async () => {
  await Workbench.inNewWorkspace('capsule-card', { [CAPSULE_PROMPT_FILE]: CAPSULE_PROMPT, [WORKSPACE_SETTINGS_FILE]: capsuleWorkspaceSettings({ askForRate: false }) }, async (workbench) => {
    await workbench.hideSideBar();
    assert.equal((await openBudgetPanelOnFile(workbench, CAPSULE_PROMPT_FILE, ORIGINAL_TOKENS)).tokens, ORIGINAL_TOKENS);

    const card = workbench.webview.locator('[data-testid="capsule-card"]');
    await card.locator('[data-testid="capsule-compress"]').click();
    // The card's Compress also opens the diff preview. It opens in the active editor
    // group, which is the panel's own after the click, so the panel goes behind it.
    const title = await readDiffTitle(workbench);
    assert.equal(title.originalTokens, ORIGINAL_TOKENS);
    await workbench.tab(PANEL_TITLE).click();
    const summary = card.locator('[data-testid="capsule-summary"]');
    await summary.waitFor({ state: 'visible' });
    const original = await numericValue(summary.locator('[data-testid="capsule-original"] td[data-value]'));
    const capsule = await numericValue(summary.locator('[data-testid="capsule-capsule"] td[data-value]'));
    assert.equal(original, ORIGINAL_TOKENS, 'the card\'s original tokens');
    assert.equal(capsule, title.capsuleTokens, 'the card and the diff title show the same capsule');
    assert.ok(capsule < original, `the capsule is smaller: ${original} → ${capsule}`);
    for (const testid of ['capsule-apply', 'capsule-copy', 'capsule-discard', 'capsule-rate']) {
      await card.locator(`[data-testid="${testid}"]`).waitFor({ state: 'visible' });
    }
    await workbench.screenshotOf(card, 'capsule-card.png');

    // The Serving card simulates the capsule too, in a column of its own.
    const serving = workbench.webview.locator('[data-testid="serving-card"]');
    await serving.locator('.serving-results:not(.stale) [data-testid="serving-mode-capsule"]').waitFor({ state: 'visible' });
    const caption = normalizeSpaces(await serving.locator('[data-testid="serving-caption"]').innerText());
    // In the serving model's tokens (Llama 3: o200k_base x 1.006), scaled like the prompt.
    const servingCapsule = Math.max(1, Math.round((Math.round(original * 1.006) * capsule) / original));
    assert.ok(caption.includes(`Capsule: ${servingCapsule.toLocaleString('en-US')} tokens.`), `serving caption: "${caption}"`);

    // Discard forgets the capsule: the card offers Compress again and the diff closes.
    await card.locator('[data-testid="capsule-discard"]').click();
    await card.locator('[data-testid="capsule-compress"]').waitFor({ state: 'visible' });
    await waitFor('the capsule diff to close', () => diffTab(workbench).count(), (n) => n === 0);
  });
});
