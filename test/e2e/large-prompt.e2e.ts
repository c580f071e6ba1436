import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { COUNT_COMMAND, PANEL_TITLE, statusBarShows } from './support/capsule';
import { notification, readDiffTab } from './support/compress';
import { o200kTokenCount } from './support/expected';
import { capsuleWorkspaceSettings, WORKSPACE_SETTINGS_FILE } from './support/fixtures';
import { servingCard } from './support/serving';
import { normalizeSpaces, Workbench } from './support/workbench';

const TEST_TIMEOUT_MS = 240_000;
const BIG_FILE = 'big-prompt.md';
// Generous deadlines for a 1 MB document on a 2-core machine; each is a wait on a
// condition, never a sleep. The issue saw the Serving card never appear in 80 s.
const BIG_TIMEOUT_MS = 90_000;

/** About 1 MB of real prompts (the CC0 dev set, in order), blank-line separated. */
function megabytePrompt(): string {
  const lines = readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'data', 'prompts-dev.jsonl'), 'utf8').split('\n').filter(Boolean);
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < 1_000_000; i = (i + 1) % lines.length) {
    const prompt = (JSON.parse(lines[i]!) as { prompt: string }).prompt;
    parts.push(prompt);
    size += prompt.length + 2;
  }
  return parts.join('\n\n');
}

test('with the Budget Panel open on a 1 MB prompt, the status bar counts it, the Serving card explains, and Compress File finishes', { timeout: TEST_TIMEOUT_MS }, async () => {
  const text = megabytePrompt();
  const tokens = o200kTokenCount(text);
  await Workbench.inNewWorkspace('large-prompt', { [BIG_FILE]: text, [WORKSPACE_SETTINGS_FILE]: capsuleWorkspaceSettings({ askForRate: false }) }, async (workbench) => {
    await workbench.hideSideBar();
    await workbench.openFile(BIG_FILE);
    await workbench.runCommand(COUNT_COMMAND);
    await workbench.tab(PANEL_TITLE).waitFor({ state: 'visible' });
    await statusBarShows(workbench, tokens, 'document', BIG_TIMEOUT_MS);

    // More tokens than Llama-3.1-8B's context: a message, not a simulation.
    const message = servingCard(workbench.webview).locator('[data-testid="serving-message"]');
    await message.waitFor({ state: 'visible', timeout: BIG_TIMEOUT_MS });
    const said = normalizeSpaces(await message.innerText());
    assert.match(said, /^The prompt is [\d,]+ Llama-3\.1-8B tokens; with 256 output tokens that is more than its 131,072-token context/, said);
    await workbench.screenshotOf(servingCard(workbench.webview), 'large-prompt-serving.png');

    // Compress File, with the panel still open: it runs on its own worker, so it does
    // not wait behind anything the panel started.
    await workbench.tab(BIG_FILE).click();
    // The editor takes focus after its tab is active; a palette opened before that closes
    // when it does.
    await workbench.focusEditor();
    await workbench.runCommand('Capsule: Compress File');
    const title = await readDiffTab(workbench, BIG_TIMEOUT_MS);
    assert.equal(title.fileName, BIG_FILE);
    assert.equal(title.originalTokens, tokens);
    assert.ok(title.capsuleTokens < tokens, `${tokens} → ${title.capsuleTokens}`);
    await notification(workbench, `Capsule ready: ${BIG_FILE}`).waitFor({ state: 'visible', timeout: BIG_TIMEOUT_MS });
  });
});
