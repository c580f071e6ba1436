import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { statusBarShowsSelection } from './support/capsule';
import { clickNotificationButton, COMPRESS_MENU_ITEM, diffTab, fileTab, notification, notifications, readDiffTitle, saveAndReadFromDisk } from './support/compress';
import { o200kTokenCount } from './support/expected';
import { CAPSULE_PROMPT, CAPSULE_PROMPT_FIRST_LINE, capsuleWorkspaceSettings, WORKSPACE_SETTINGS_FILE } from './support/fixtures';
import { waitFor } from './support/waitFor';
import { Workbench } from './support/workbench';

const TEST_TIMEOUT_MS = 150_000;
const FIRST = 'first-prompt.md';
const SECOND = 'second-prompt.md';
// The same prompt in both files: which file changes is what the test looks at.
const FILES = { [FIRST]: CAPSULE_PROMPT, [SECOND]: CAPSULE_PROMPT, [WORKSPACE_SETTINGS_FILE]: capsuleWorkspaceSettings({ askForRate: false }) };

/** Selects all of `file` and compresses it from the editor's context menu; waits for its notification. */
async function compressWholeFile(workbench: Workbench, file: string): Promise<void> {
  await workbench.openFile(file);
  await workbench.selectAll();
  await statusBarShowsSelection(workbench, o200kTokenCount(CAPSULE_PROMPT));
  await workbench.runEditorContextMenu(CAPSULE_PROMPT_FIRST_LINE, COMPRESS_MENU_ITEM);
  assert.equal((await readDiffTitle(workbench)).fileName, file);
  await notification(workbench, `Capsule ready: ${file}`).waitFor({ state: 'visible' });
}

test('each "Capsule ready" notification acts on its own capsule; a replaced capsule\'s notification closes', { timeout: TEST_TIMEOUT_MS }, async () => {
  await Workbench.inNewWorkspace('pending-capsules', FILES, async (workbench, folder) => {
    await workbench.hideSideBar();
    // The steps: compress in one file, then in another; both notifications stay up.
    await compressWholeFile(workbench, FIRST);
    await compressWholeFile(workbench, SECOND);
    await notification(workbench, `Capsule ready: ${FIRST}`).waitFor({ state: 'visible' });
    await workbench.screenshot('pending-capsules-two-notifications.png');

    // Discard on the first notification discards the first capsule, and only it.
    await clickNotificationButton(workbench, `Capsule ready: ${FIRST}`, 'Discard');
    await notification(workbench, `Capsule ready: ${FIRST}`).waitFor({ state: 'detached' });
    await notification(workbench, `Capsule ready: ${SECOND}`).waitFor({ state: 'visible' });

    // The second notification still applies the second capsule, to the second file.
    await clickNotificationButton(workbench, `Capsule ready: ${SECOND}`, 'Apply');
    await notification(workbench, `Capsule ready: ${SECOND}`).waitFor({ state: 'detached' });
    await fileTab(workbench, SECOND, true).waitFor({ state: 'visible' });
    const second = await saveAndReadFromDisk(workbench, SECOND, path.join(folder, SECOND));
    assert.ok(second.length < CAPSULE_PROMPT.length, 'the second file holds its capsule');
    assert.equal(readFileSync(path.join(folder, FIRST), 'utf8'), CAPSULE_PROMPT, 'the first file is untouched');
    assert.equal(await fileTab(workbench, FIRST, true).count(), 0, 'the first file has no unsaved change');

    // Compressing the first file twice: the second capsule replaces the first, whose
    // notification and diff close; one notification and one diff remain.
    await compressWholeFile(workbench, FIRST);
    await compressWholeFile(workbench, FIRST);
    await waitFor(`one "Capsule ready: ${FIRST}" notification`, () => notifications(workbench, `Capsule ready: ${FIRST}`).count(), (n) => n === 1);
    await waitFor('one capsule diff', () => diffTab(workbench).count(), (n) => n === 1);
    await clickNotificationButton(workbench, `Capsule ready: ${FIRST}`, 'Apply');
    await fileTab(workbench, FIRST, true).waitFor({ state: 'visible' });
    const first = await saveAndReadFromDisk(workbench, FIRST, path.join(folder, FIRST));
    assert.ok(first.length < CAPSULE_PROMPT.length, 'the first file holds its newest capsule');
    assert.equal(readFileSync(path.join(folder, SECOND), 'utf8'), second, 'the second file is as it was');
  });
});
