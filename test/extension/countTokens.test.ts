import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../e2e/support/waitFor';
import { activateExtension, budgetPanelTabs, type CapsuleApi, cl100kTokenCount, o200kTokenCount, showWorkspaceFile } from './support';

const PROMPT = [
  '# Summarise',
  'Summarise the text below in three bullet points for a busy café owner. 📋',
  'Keep <|endoftext|> and other odd strings as they are.',
  '',
  // French counts differently with o200k_base and cl100k_base, which one test relies on.
  "Text: Le chiffre d'affaires a augmenté de 12 % ; les ventes de café ont progressé tandis que le gaspillage de viennoiseries a diminué.",
  '',
].join('\n');

const COMMANDS = ['promptCapsule.countTokens', 'promptCapsule.selectModel', 'promptCapsule.showLog'];

suite('Prompt Capsule in the extension host', () => {
  let api: CapsuleApi;

  suiteSetup(async () => {
    ({ api } = await activateExtension());
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('activates and returns its API', async () => {
    const { extension } = await activateExtension();
    assert.equal(extension.isActive, true);
    assert.equal(typeof api.statusSnapshot, 'function');
  });

  test('registers every command it contributes', async () => {
    const { extension } = await activateExtension();
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = ((extension.packageJSON.contributes?.commands ?? []) as { command: string }[]).map((c) => c.command);
    for (const command of COMMANDS) assert.ok(contributed.includes(command), `${command} is contributed in package.json`);
    for (const command of contributed) assert.ok(registered.has(command), `${command} is registered`);
  });

  test('the status snapshot reports the exact token count of the selection, then of the document', async () => {
    const editor = await showWorkspaceFile('status.md', PROMPT);
    const selection = new vscode.Selection(1, 0, 3, 0);
    editor.selection = selection;
    const expected = o200kTokenCount(editor.document.getText(selection));
    const snapshot = await waitFor(
      `a status snapshot of ${expected} tokens for the selection`,
      async () => api.statusSnapshot(),
      (s) => s?.scope === 'selection' && s.tokens === expected,
    );
    assert.equal(snapshot?.modelId, 'gpt-4o');
    assert.match(snapshot?.text ?? '', new RegExp(`${expected.toLocaleString('en-US')} tokens`));

    editor.selection = new vscode.Selection(0, 0, 0, 0);
    const wholeDocument = o200kTokenCount(PROMPT);
    await waitFor(
      `a status snapshot of ${wholeDocument} tokens for the whole document`,
      async () => api.statusSnapshot(),
      (s) => s?.scope === 'document' && s.tokens === wholeDocument,
    );
  });

  test('the count follows the active model setting and its tokenizer', async () => {
    const config = () => vscode.workspace.getConfiguration('promptCapsule');
    await showWorkspaceFile('model.md', PROMPT);
    const expected = cl100kTokenCount(PROMPT);
    assert.notEqual(expected, o200kTokenCount(PROMPT), 'fixture: the tokenizers must count it differently');
    try {
      await config().update('activeModel', 'gpt-4-turbo', vscode.ConfigurationTarget.Global);
      await waitFor(
        `a status snapshot of ${expected} cl100k_base tokens for gpt-4-turbo`,
        async () => api.statusSnapshot(),
        (s) => s?.modelId === 'gpt-4-turbo' && s.scope === 'document' && s.tokens === expected,
      );
    } finally {
      await config().update('activeModel', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor('the status snapshot to return to gpt-4o', async () => api.statusSnapshot(), (s) => s?.modelId === 'gpt-4o');
  });

  test('"Count Tokens and Cost" opens the Budget Panel', async () => {
    const editor = await showWorkspaceFile('panel.md', PROMPT);
    editor.selection = new vscode.Selection(0, 0, 2, 0);
    assert.equal(budgetPanelTabs().length, 0, 'no Budget Panel before the command');
    await vscode.commands.executeCommand('promptCapsule.countTokens');
    const [tab] = await waitFor('a Budget Panel tab', async () => budgetPanelTabs(), (tabs) => tabs.length === 1);
    assert.equal(tab?.label, 'Prompt Capsule: Budget');
  });

  test('"Show Log" shows the Prompt Capsule log, with what the extension logged', async () => {
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('promptCapsule.showLog');
    // The Output view shows a channel as a text document of scheme "output".
    const log = await waitFor(
      'the Prompt Capsule log to be shown',
      async () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'output' && e.document.getText().includes('activated (')),
      (editor) => editor !== undefined,
    );
    assert.match(log!.document.getText(), /activated \(\d+\.\d+\.\d+\)/);
  });
});
