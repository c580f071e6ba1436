import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { notification } from './support/compress';
import { capsuleWorkspaceSettings, WORKSPACE_SETTINGS_FILE } from './support/fixtures';
import { Workbench } from './support/workbench';

const TEST_TIMEOUT_MS = 120_000;
const BINARY_FILE = 'tool.bin';
const EMPTY_FILE = 'empty.md';
// An ELF header and some code bytes: NULs and control characters, as an executable has.
const BINARY = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, ...Array.from({ length: 600 }, (_, i) => (i * 37) % 256)]);

test('binary files are refused with a clear message, as a placeholder and opened anyway; an empty file is refused before any question', { timeout: TEST_TIMEOUT_MS }, async () => {
  // askForRate on: the rate quick pick must not appear for text that cannot be compressed.
  const files = { [BINARY_FILE]: BINARY, [EMPTY_FILE]: '', [WORKSPACE_SETTINGS_FILE]: capsuleWorkspaceSettings({ askForRate: true }) };
  await Workbench.inNewWorkspace('binary-input', files, async (workbench, folder) => {
    const binaryPath = path.join(folder, BINARY_FILE);
    await workbench.hideSideBar();
    const quickInput = workbench.page.locator('.quick-input-widget .quick-input-box input');

    // VS Code's "binary file" placeholder: the file is open, but not as text.
    await workbench.page.keyboard.press('Control+P');
    await quickInput.waitFor({ state: 'visible' });
    await quickInput.fill(BINARY_FILE);
    await workbench.quickInputRow(BINARY_FILE).click();
    const openAnyway = workbench.page.locator('.editor-group-container.active a, .editor-group-container.active .monaco-button', { hasText: 'Open Anyway' }).first();
    await openAnyway.waitFor({ state: 'visible' });
    await workbench.runCommand('Capsule: Compress File');
    await notification(workbench, `${BINARY_FILE} is not open as text (VS Code shows it as a binary file)`).waitFor({ state: 'visible' });

    // Opened anyway: the text is there, but it is binary.
    await openAnyway.click();
    // VS Code asks which editor: the text editor.
    await workbench.quickInputRow('Text Editor').click();
    await quickInput.waitFor({ state: 'hidden' });
    await workbench.editor.locator('.view-lines').waitFor({ state: 'visible' });
    await workbench.focusEditor();
    await workbench.runCommand('Capsule: Compress File');
    await notification(workbench, `${BINARY_FILE} looks like a binary file (it contains NUL bytes); Prompt Capsule works on text prompts only.`).waitFor({ state: 'visible' });
    assert.equal(await quickInput.isVisible(), false, 'no rate was asked for');
    await workbench.screenshot('binary-refused.png');

    // An empty document: said at once, without asking for a rate first.
    await workbench.openFile(EMPTY_FILE);
    await workbench.runCommand('Capsule: Compress File');
    await notification(workbench, `${EMPTY_FILE} has nothing to compress here`).waitFor({ state: 'visible' });
    assert.equal(await quickInput.isVisible(), false, 'no rate was asked for');
    assert.ok(readFileSync(binaryPath).equals(BINARY), 'the binary file is untouched');
  });
});
