import { test } from 'node:test';
import { STATUS_ITEM_ID } from './support/capsule';
import { PROMPT_FILE } from './support/fixtures';
import { Workbench } from './support/workbench';

// The foundation's commands; later features add more, each tested with its feature.
const COMMAND_LABELS = ['Capsule: Count Tokens and Cost', 'Capsule: Select Active Model', 'Capsule: Show Log'];

test('the workbench loads with Prompt Capsule installed and its commands in the palette', { timeout: 90_000 }, async () => {
  await Workbench.inNewWorkspace('smoke', async (workbench) => {
    // Readiness first: the extension activates on onStartupFinished, after the workbench
    // has registered its lazily contributed commands (such as "Show Enabled Extensions").
    // Its status bar item appearing for the open file proves both; a palette opened
    // earlier can list commands from before those registrations.
    await workbench.openFile(PROMPT_FILE);
    await workbench.statusBarItem(STATUS_ITEM_ID).waitFor({ state: 'visible' });

    await workbench.runCommand('Extensions: Show Enabled Extensions');
    await workbench.page.locator('.extension-list-item .name', { hasText: 'Prompt Capsule' }).first().waitFor({ state: 'visible' });

    // Some commands are offered only with an editor open.
    await workbench.focusEditor();
    await workbench.page.keyboard.press('F1');
    await workbench.page.locator('.quick-input-widget .quick-input-box input').fill('>Capsule:');
    for (const label of COMMAND_LABELS) {
      await workbench.quickInputRow(label).waitFor({ state: 'visible' });
    }
    await workbench.page.keyboard.press('Escape');
  });
});
