import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COUNT_COMMAND, COUNT_MENU_ITEM, DEFAULT_MODEL_ID, readBudgetPanel, STATUS_ITEM_ID, statusBarShowsSelection } from './support/capsule';
import { o200kTokenCount } from './support/expected';
import { PROMPT_FILE, PROMPT_FIRST_LINE, PROMPT_TEXT } from './support/fixtures';
import { normalizeSpaces, Workbench } from './support/workbench';

const TEST_TIMEOUT_MS = 90_000;

test('the status bar shows the exact token count of the selection', { timeout: TEST_TIMEOUT_MS }, async () => {
  await Workbench.inNewWorkspace('status', async (workbench) => {
    await workbench.openFile(PROMPT_FILE);

    const allTokens = o200kTokenCount(PROMPT_TEXT);
    await workbench.selectAll();
    const text = await statusBarShowsSelection(workbench, allTokens);
    assert.match(text, new RegExp(`^${allTokens.toLocaleString('en-US')} tokens · \\$\\d`), `status bar text: ${text}`);
    await workbench.screenshot('status-bar.png');

    // Hovering shows the details: scope, tokenizer, price date.
    await workbench.statusBarItem(STATUS_ITEM_ID).hover();
    const tooltip = workbench.page.locator('.workbench-hover, .monaco-hover', { hasText: 'Prompt Capsule' }).first();
    await tooltip.waitFor({ state: 'visible' });
    const tooltipText = normalizeSpaces(await tooltip.innerText());
    assert.ok(tooltipText.includes(`${allTokens.toLocaleString('en-US')} tokens (o200k_base)`), `tooltip: ${tooltipText}`);
    await workbench.screenshot('status-bar-tooltip.png');
    await workbench.page.keyboard.press('Escape');

    const lineTokens = o200kTokenCount(PROMPT_FIRST_LINE);
    assert.notEqual(lineTokens, allTokens, 'fixture: the first line must count differently from the whole file');
    await workbench.selectFirstLine();
    const lineText = await statusBarShowsSelection(workbench, lineTokens);
    assert.match(lineText, new RegExp(`^${lineTokens.toLocaleString('en-US')} tokens · `), `status bar text: ${lineText}`);
  });
});

test('"Count Tokens and Cost" from the command palette opens the Budget Panel for the selection', { timeout: TEST_TIMEOUT_MS }, async () => {
  await Workbench.inNewWorkspace('palette', async (workbench) => {
    await workbench.hideSideBar();
    await workbench.openFile(PROMPT_FILE);
    const expected = o200kTokenCount(PROMPT_TEXT);
    await workbench.selectAll();
    // The extension host has seen the selection once the status bar reports it.
    await statusBarShowsSelection(workbench, expected);

    await workbench.runCommand(COUNT_COMMAND);
    const panel = await readBudgetPanel(workbench);
    assert.equal(panel.tokens, expected, `${DEFAULT_MODEL_ID} tokens in the Budget Panel`);
    assert.ok(panel.source.includes(PROMPT_FILE), `source line names the file: "${panel.source}"`);
    assert.ok(panel.tokenizer.includes('o200k_base'), `tokenizer line: "${panel.tokenizer}"`);
    await workbench.screenshot('budget-panel.png');
  });
});

test('"Count Tokens and Cost" from the editor context menu opens the Budget Panel for the selection', { timeout: TEST_TIMEOUT_MS }, async () => {
  await Workbench.inNewWorkspace('context-menu', async (workbench) => {
    await workbench.openFile(PROMPT_FILE);
    const expected = o200kTokenCount(PROMPT_FIRST_LINE);
    await workbench.selectFirstLine();
    await statusBarShowsSelection(workbench, expected);

    await workbench.runEditorContextMenu('Triage', COUNT_MENU_ITEM);
    const panel = await readBudgetPanel(workbench);
    assert.equal(panel.tokens, expected, `${DEFAULT_MODEL_ID} tokens in the Budget Panel`);
    assert.ok(panel.source.includes(PROMPT_FILE), `source line names the file: "${panel.source}"`);
    assert.ok(panel.source.includes('lines 1:1–1:16'), `source line names the selected range: "${panel.source}"`);
  });
});
