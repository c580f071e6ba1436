import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { openBudgetPanelOnFile, PANEL_TITLE, statusBarShowsSelection } from './support/capsule';
import { COMPRESS_MENU_ITEM, diffTab, fileTab, notification, readDiffTitle, saveAndReadFromDisk } from './support/compress';
import { o200kTokenCount } from './support/expected';
import { CAPSULE_PROMPT, CAPSULE_PROMPT_FILE, CAPSULE_PROMPT_FIRST_LINE, WORKSPACE_SETTINGS_FILE } from './support/fixtures';
import { normalizeSpaces, Workbench } from './support/workbench';

const TEST_TIMEOUT_MS = 150_000;

test('the local model backend: compress with the bundled ONNX model, see its depth and provider in the Capsule card, apply, undo, and choose a sub-model', { timeout: TEST_TIMEOUT_MS }, async () => {
  const settings = JSON.stringify(
    {
      'files.autoSave': 'off',
      'promptCapsule.compression.askForRate': false,
      'promptCapsule.compression.backend': 'onnx',
      // CPU: the test machine has no GPU, and probing one would only add time.
      'promptCapsule.localModel.provider': 'cpu',
    },
    null,
    2,
  );
  await Workbench.inNewWorkspace('local-model', { [CAPSULE_PROMPT_FILE]: CAPSULE_PROMPT, [WORKSPACE_SETTINGS_FILE]: settings }, async (workbench, folder) => {
    await workbench.hideSideBar();
    const tokens = o200kTokenCount(CAPSULE_PROMPT);
    await workbench.openFile(CAPSULE_PROMPT_FILE);
    await workbench.selectAll();
    await statusBarShowsSelection(workbench, tokens);
    await openBudgetPanelOnFile(workbench, CAPSULE_PROMPT_FILE, tokens);
    await workbench.tab(CAPSULE_PROMPT_FILE).click();

    // Compress from the context menu: the selector times the model once, then picks a depth.
    await workbench.runEditorContextMenu(CAPSULE_PROMPT_FIRST_LINE, COMPRESS_MENU_ITEM);
    const title = await readDiffTitle(workbench);
    assert.equal(title.originalTokens, tokens);
    assert.ok(title.capsuleTokens < tokens, 'the capsule is shorter');
    await notification(workbench, 'Local model depth').waitFor({ state: 'visible' });

    // The Capsule card says which sub-model ran, where, and why.
    await workbench.tab(PANEL_TITLE).click();
    const card = workbench.webview.locator('[data-testid="capsule-card"]');
    const local = card.locator('[data-testid="capsule-local"]');
    await local.waitFor({ state: 'visible' });
    assert.match(normalizeSpaces(await local.locator('[data-testid="capsule-local-run"]').innerText()), /^Depth [1-6] of 6, (int8|fp32), on cpu: [\d,]+ ms for [\d,]+ model tokens\.$/);
    assert.match(normalizeSpaces(await local.locator('[data-testid="capsule-local-selection"]').innerText()), /^Why this sub-model: depth [1-6]\/6 (int8|fp32): .*250 ms budget/);
    await workbench.screenshotOf(card, 'local-model-capsule-card.png');

    // Apply from the card; one undo restores the prompt.
    await card.locator('[data-testid="capsule-apply"]').click();
    await diffTab(workbench).waitFor({ state: 'detached' });
    const file = path.join(folder, CAPSULE_PROMPT_FILE);
    await fileTab(workbench, CAPSULE_PROMPT_FILE, true).waitFor({ state: 'visible' });
    const applied = await saveAndReadFromDisk(workbench, CAPSULE_PROMPT_FILE, file);
    assert.equal(o200kTokenCount(applied), title.capsuleTokens, 'the applied text is the capsule the diff showed');
    await workbench.focusEditor();
    await workbench.page.keyboard.press('Control+Z');
    await fileTab(workbench, CAPSULE_PROMPT_FILE, true).waitFor({ state: 'visible' });
    assert.equal(await saveAndReadFromDisk(workbench, CAPSULE_PROMPT_FILE, file), CAPSULE_PROMPT, 'one undo restores the original');

    // "Choose Local Sub-Model" lists every variant with its time on this machine; pick depth 2 int8.
    await workbench.runCommand('Capsule: Choose Local Sub-Model', { asks: true });
    const row = workbench.quickInputRow('Depth 2 of 6, int8');
    await row.waitFor({ state: 'visible' });
    assert.match(normalizeSpaces(await row.innerText()), /ms per 1k tokens · quality \d+%/);
    await row.click();
    await notification(workbench, 'runs at depth 2 of 6, int8').waitFor({ state: 'visible' });
    await workbench.focusEditor();
    await workbench.selectAll();
    await workbench.runEditorContextMenu(CAPSULE_PROMPT_FIRST_LINE, COMPRESS_MENU_ITEM);
    await readDiffTitle(workbench);
    await workbench.tab(PANEL_TITLE).click();
    await card.locator('[data-testid="capsule-local-run"]', { hasText: 'Depth 2 of 6, int8, on cpu' }).waitFor({ state: 'visible' });
    assert.match(normalizeSpaces(await local.locator('[data-testid="capsule-local-selection"]').innerText()), /depth 2\/6 int8: the depth asked for/);
    await card.locator('[data-testid="capsule-discard"]').click();
    await diffTab(workbench).waitFor({ state: 'detached' });
  });
});
