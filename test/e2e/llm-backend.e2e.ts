import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { chatReply, FakeOpenAi } from '../support/fakeOpenAi';
import { openBudgetPanelOnFile, PANEL_TITLE, statusBarShowsSelection } from './support/capsule';
import { COMPRESS_MENU_ITEM, diffTab, fileTab, notification, readDiffTitle, saveAndReadFromDisk } from './support/compress';
import { o200kTokenCount } from './support/expected';
import { CAPSULE_PROMPT, CAPSULE_PROMPT_FILE, CAPSULE_PROMPT_FIRST_LINE, WORKSPACE_SETTINGS_FILE } from './support/fixtures';
import { waitFor } from './support/waitFor';
import { normalizeSpaces, Workbench } from './support/workbench';

const TEST_TIMEOUT_MS = 150_000;
const API_KEY = 'sk-e2e-test-key';
const MODEL = 'gpt-4o-mini';
// What the "model" answers: a capsule that keeps every protected item of CAPSULE_PROMPT,
// and one that drops a placeholder (rejected by the validator).
const GOOD =
  '# Support reply prompt\n\nAcme Cloud support: reply to {{name}} about their ticket, warm and concise. Pro plan: 49 USD/month, up to 3 projects; pricing https://acme.example.com/pricing, refunds https://acme.example.com/refunds. You must never promise a refund or a discount; billing contacts them within 2 business days. Sign as {{agent_name}}; do not add any other signature.';
const DROPS_PLACEHOLDER = GOOD.replace('{{agent_name}}', 'the assistant');

test('the LLM backend: set the key by command, compress against an OpenAI-compatible server, see the candidates in the card, apply, undo', { timeout: TEST_TIMEOUT_MS }, async () => {
  // The capsule request, then the probe check's answers (the last reply repeats).
  const server = await new FakeOpenAi()
    .script('/v1/chat/completions', chatReply([DROPS_PLACEHOLDER, GOOD], { prompt_tokens: 420, completion_tokens: 150 }), chatReply(['The billing team will contact you within 2 business days.']))
    .start();
  const settings = JSON.stringify(
    {
      'files.autoSave': 'off',
      'promptCapsule.compression.askForRate': false,
      'promptCapsule.compression.backend': 'llm',
      'promptCapsule.llm.baseUrl': server.baseUrl,
      'promptCapsule.llm.model': MODEL,
      'promptCapsule.llm.candidates': 2,
    },
    null,
    2,
  );
  try {
    await Workbench.inNewWorkspace('llm-backend', { [CAPSULE_PROMPT_FILE]: CAPSULE_PROMPT, [WORKSPACE_SETTINGS_FILE]: settings }, async (workbench, folder) => {
      await workbench.hideSideBar();
      // The extension is up once the status bar counts the prompt; then its commands are listed.
      const tokens = o200kTokenCount(CAPSULE_PROMPT);
      await workbench.openFile(CAPSULE_PROMPT_FILE);
      await workbench.selectAll();
      await statusBarShowsSelection(workbench, tokens);
      // The key goes in through the command, into VS Code's secret storage.
      await workbench.runCommand('Capsule: Set API Key', { asks: true });
      // The command's input box, once it replaces the palette: the key is typed into a password box.
      const input = workbench.page.locator('.quick-input-widget .quick-input-box input');
      const passwordBox = workbench.page.locator('.quick-input-widget .quick-input-box input[type="password"]');
      await passwordBox.waitFor({ state: 'visible' });
      await passwordBox.fill(API_KEY);
      await workbench.page.keyboard.press('Enter');
      await notification(workbench, 'API key saved for http://127.0.0.1').waitFor({ state: 'visible' });

      await openBudgetPanelOnFile(workbench, CAPSULE_PROMPT_FILE, tokens);
      await workbench.tab(CAPSULE_PROMPT_FILE).click();
      await workbench.runEditorContextMenu(CAPSULE_PROMPT_FIRST_LINE, COMPRESS_MENU_ITEM);
      const title = await readDiffTitle(workbench);
      assert.equal(title.capsuleTokens, o200kTokenCount(GOOD), 'the diff shows the valid candidate');
      await notification(workbench, `${MODEL}, candidate 2 of 2`).waitFor({ state: 'visible' });
      const sent = server.requestsTo('/v1/chat/completions');
      assert.equal(sent.length, 1);
      assert.equal(sent[0]!.headers['authorization'], `Bearer ${API_KEY}`);
      assert.equal(sent[0]!.body!['model'], MODEL);
      assert.equal(sent[0]!.body!['n'], 2);

      // The Capsule card lists both candidates: the chosen one, and the rejected one with why.
      await workbench.tab(PANEL_TITLE).click();
      const card = workbench.webview.locator('[data-testid="capsule-card"]');
      const candidates = card.locator('[data-testid="capsule-candidates"]');
      await candidates.waitFor({ state: 'visible' });
      assert.match(normalizeSpaces(await card.locator('[data-testid="capsule-candidate-1"]').innerText()), /rejected: placeholder "\{\{agent_name\}\}" missing or altered/);
      assert.match(normalizeSpaces(await card.locator('[data-testid="capsule-candidate-2"]').innerText()), /chosen/);
      assert.match(normalizeSpaces(await card.locator('[data-testid="capsule-llm-cost"]').innerText()), /^Compression cost \$[\d.]+ \(420 in \+ 150 out on gpt-4o-mini\); it saves \$[\d.]+ per call, so it pays for itself after \d+ calls?\.$/);
      await workbench.screenshotOf(card, 'llm-capsule-card.png');

      // The probe check: one question, its cost confirmed in a modal, the result in the card.
      await card.locator('[data-testid="capsule-probe"]').click();
      await input.waitFor({ state: 'visible' });
      await input.fill('Can I get a refund?');
      await workbench.page.keyboard.press('Enter');
      const dialog = workbench.page.locator('.monaco-dialog-box', { hasText: `Ask ${MODEL} 1 question with the original and with the capsule?` });
      await dialog.waitFor({ state: 'visible' });
      await dialog.locator('.monaco-button', { hasText: 'Run Check' }).click();
      const probe = card.locator('[data-testid="capsule-probe-result"]');
      await probe.waitFor({ state: 'visible' });
      assert.equal(normalizeSpaces(await probe.locator('summary').innerText()), 'Probe check: 1 of 1 answers agree (word overlap)');
      const probeSystems = server.requestsTo('/v1/chat/completions').slice(1).map((r) => (r.body!['messages'] as Array<{ content: string }>)[0]!.content);
      assert.deepEqual([...probeSystems].sort(), [CAPSULE_PROMPT.slice(0, CAPSULE_PROMPT.length), GOOD].sort(), 'asked once with the original, once with the capsule');

      // Apply from the card; one undo restores the prompt.
      await card.locator('[data-testid="capsule-apply"]').click();
      await diffTab(workbench).waitFor({ state: 'detached' });
      const file = path.join(folder, CAPSULE_PROMPT_FILE);
      await fileTab(workbench, CAPSULE_PROMPT_FILE, true).waitFor({ state: 'visible' });
      assert.equal(await saveAndReadFromDisk(workbench, CAPSULE_PROMPT_FILE, file), GOOD);
      await workbench.focusEditor();
      await workbench.page.keyboard.press('Control+Z');
      await fileTab(workbench, CAPSULE_PROMPT_FILE, true).waitFor({ state: 'visible' });
      assert.equal(await saveAndReadFromDisk(workbench, CAPSULE_PROMPT_FILE, file), CAPSULE_PROMPT, 'one undo restores the original');

      // Clear the key again: the next test run starts without it.
      await workbench.runCommand('Capsule: Clear API Key');
      await waitFor('the key to be removed', () => notification(workbench, 'API key for http://127.0.0.1').count(), (n) => n > 0);
    });
  } finally {
    await server.stop();
  }
});
