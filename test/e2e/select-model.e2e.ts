import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { STATUS_ITEM_ID, statusBarShowsSelection } from './support/capsule';
import { e2eConfig } from './support/config';
import { cl100kTokenCount, o200kTokenCount } from './support/expected';
import { PROMPT_FILE, PROMPT_TEXT } from './support/fixtures';
import { waitFor } from './support/waitFor';
import { Workbench } from './support/workbench';

// A model counted exactly with the other tokenizer, so the count must change.
const OTHER_MODEL = { id: 'gpt-4-turbo', name: 'GPT-4 Turbo (legacy)' };

test('clicking the status bar item picks the active model, and the count follows its tokenizer', { timeout: 90_000 }, async () => {
  // Picking a model writes the user settings that every later test shares: put them back.
  const settingsFile = e2eConfig().userSettingsFile;
  const savedSettings = settingsFile ? readFileSync(settingsFile, 'utf8') : undefined;
  try {
    await Workbench.inNewWorkspace('select-model', async (workbench) => {
      await workbench.openFile(PROMPT_FILE);
      await workbench.selectAll();
      await statusBarShowsSelection(workbench, o200kTokenCount(PROMPT_TEXT));

      await workbench.statusBarItem(STATUS_ITEM_ID).click();
      const input = workbench.page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible' });
      await input.fill(OTHER_MODEL.id);
      await workbench.quickInputRow(OTHER_MODEL.name).click();
      await input.waitFor({ state: 'hidden' });

      const expected = cl100kTokenCount(PROMPT_TEXT);
      assert.notEqual(expected, o200kTokenCount(PROMPT_TEXT), 'fixture: the tokenizers must count it differently');
      const label = await waitFor(
        `the status bar to count ${expected} tokens for ${OTHER_MODEL.name}`,
        async () => (await workbench.statusBarItem(STATUS_ITEM_ID).getAttribute('aria-label', { timeout: 1000 })) ?? '',
        (l) => l.includes(`on ${OTHER_MODEL.name}`),
      );
      assert.ok(label.startsWith(`Prompt Capsule: ${expected.toLocaleString('en-US')} tokens,`), `status bar label: ${label}`);
    });
  } finally {
    if (settingsFile && savedSettings !== undefined) writeFileSync(settingsFile, savedSettings);
  }
});
