import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../e2e/support/waitFor';
import { activateExtension, type CapsuleApi, o200kTokenCount, showWorkspaceFile } from './support';

// Text around the selection must come through Apply untouched, byte for byte.
const PREFIX = ['---', 'id: support-reply', 'owner: "@support-team"', '---', '', 'Intro kept as is: '].join('\n');
const SELECTED = [
  'You are a friendly and helpful customer support assistant for Acme Cloud. Your job is to write a reply to the customer named {{name}} about their open ticket.',
  '',
  'Please make sure that you always read the whole ticket carefully before you start writing your answer, and please make sure that you really understand what the customer is actually asking about.',
  '',
  'The Pro plan costs 49 USD per month; the full pricing is explained at https://acme.example.com/pricing for anyone who asks.',
  '',
  'When you write the reply, it is very important that you keep the tone warm, polite and professional, and that you basically try to be as clear and as concise as you possibly can.',
  '',
  'You must never promise a refund yourself.',
].join('\n');
const SUFFIX = ['', '', '## Output', 'Plain text, no Markdown. Sign as {{agent_name}}.', ''].join('\n');
const ORIGINAL = PREFIX + SELECTED + SUFFIX;
const MUST_KEEP = ['{{name}}', 'https://acme.example.com/pricing', '49', 'never'];

const PREVIEW_SCHEME = 'prompt-capsule-preview';
const RATE = 0.5;
// The budget: within 5% of the target whenever protected content allows it (here it does).
const BUDGET_TOLERANCE = 0.05;

type Pending = NonNullable<ReturnType<CapsuleApi['pendingCapsule']>>;

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('promptCapsule');
}

/** Shows ORIGINAL in an editor with exactly SELECTED selected. */
async function editorWithSelection(name: string): Promise<vscode.TextEditor> {
  const editor = await showWorkspaceFile(name, ORIGINAL);
  const document = editor.document;
  editor.selection = new vscode.Selection(document.positionAt(PREFIX.length), document.positionAt(PREFIX.length + SELECTED.length));
  assert.equal(document.getText(editor.selection), SELECTED, 'fixture: the selection covers exactly SELECTED');
  return editor;
}

function previewDiffTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.scheme === PREVIEW_SCHEME);
}

suite('Capsule: compress, apply, undo in the extension host', () => {
  let api: CapsuleApi;
  let savedAskForRate: boolean | undefined;
  let savedRate: number | undefined;

  suiteSetup(async () => {
    ({ api } = await activateExtension());
    const ask = config().inspect<boolean>('compression.askForRate');
    const rate = config().inspect<number>('compression.rate');
    savedAskForRate = ask?.globalValue;
    savedRate = rate?.globalValue;
    // No quick pick: the rate comes from the setting.
    await config().update('compression.askForRate', false, vscode.ConfigurationTarget.Global);
    await config().update('compression.rate', RATE, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await config().update('compression.askForRate', savedAskForRate, vscode.ConfigurationTarget.Global);
    await config().update('compression.rate', savedRate, vscode.ConfigurationTarget.Global);
  });

  teardown(async () => {
    await vscode.commands.executeCommand('promptCapsule.discardCapsule');
    // Applied capsules leave documents dirty; saving them (temp files) closes editors without a prompt.
    await vscode.workspace.saveAll(false);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /** Runs "Compress Selection" and waits for the pending capsule of SELECTED. */
  async function compressSelection(): Promise<Pending> {
    assert.equal(api.pendingCapsule(), undefined, 'no capsule is pending before the command');
    await vscode.commands.executeCommand('promptCapsule.compressSelection');
    const pending = await waitFor('a pending capsule', async () => api.pendingCapsule(), (p) => p !== undefined);
    return pending!;
  }

  test('"Compress Selection" makes a smaller capsule that keeps placeholders, URLs, numbers and negations, and previews it in a diff', async () => {
    await editorWithSelection('capsule-compress.md');
    const pending = await compressSelection();
    const originalTokens = o200kTokenCount(SELECTED);
    assert.equal(pending.originalTokens, originalTokens, 'original tokens: the o200k_base count of the selection');
    assert.equal(pending.capsuleTokens, o200kTokenCount(pending.capsule), 'capsule tokens: the o200k_base count of the capsule');
    assert.ok(pending.capsuleTokens < pending.originalTokens, `${pending.originalTokens} → ${pending.capsuleTokens} tokens`);
    const target = RATE * originalTokens;
    assert.ok(
      Math.abs(pending.capsuleTokens - target) <= BUDGET_TOLERANCE * target + 1,
      `rate ${RATE}: ${pending.capsuleTokens} tokens, target ${target.toFixed(1)} ± ${(BUDGET_TOLERANCE * 100).toFixed(0)}%`,
    );
    for (const item of MUST_KEEP) assert.ok(pending.capsule.includes(item), `the capsule keeps "${item}":\n${pending.capsule}`);

    const [diff] = await waitFor('the capsule diff tab', async () => previewDiffTabs(), (tabs) => tabs.length === 1);
    assert.equal(diff?.label, `capsule-compress.md: original ↔ capsule (${pending.originalTokens} → ${pending.capsuleTokens} tokens)`);
  });

  test('"Apply Capsule" replaces only the selected range, in one edit, and one undo restores the original exactly', async () => {
    const editor = await editorWithSelection('capsule-apply.md');
    const document = editor.document;
    const { capsule } = await compressSelection();
    const versionBefore = document.version;

    await vscode.commands.executeCommand('promptCapsule.applyCapsule');
    assert.equal(document.getText(), PREFIX + capsule + SUFFIX, 'prefix and suffix unchanged, the selection replaced by the capsule');
    assert.equal(document.version, versionBefore + 1, 'one edit');
    assert.equal(api.pendingCapsule(), undefined, 'applied: nothing pending');
    assert.equal(previewDiffTabs().length, 0, 'the diff preview is closed');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), document.uri.toString(), 'the edited document is the active editor');

    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    await vscode.commands.executeCommand('undo');
    const restored = await waitFor('the undo to reach the document', async () => document.getText(), (text) => text !== PREFIX + capsule + SUFFIX);
    assert.equal(restored, ORIGINAL, 'one undo restores the original byte for byte');
  });

  test('"Apply Capsule" is refused when the document changed after the capsule was made', async () => {
    const { document } = await editorWithSelection('capsule-stale.md');
    const pending = await compressSelection();

    // A WorkspaceEdit: the diff preview may have taken the place of the editor (a preview tab).
    const change = new vscode.WorkspaceEdit();
    change.insert(document.uri, document.positionAt(ORIGINAL.length), 'P.S. edited after compressing.\n');
    assert.ok(await vscode.workspace.applyEdit(change), 'the edit after compressing was applied');
    const textAfterEdit = document.getText();
    const versionAfterEdit = document.version;

    await vscode.commands.executeCommand('promptCapsule.applyCapsule');
    assert.equal(document.getText(), textAfterEdit, 'the document is unchanged: Apply was refused');
    assert.equal(document.version, versionAfterEdit);
    assert.deepEqual(api.pendingCapsule(), pending, 'the refused capsule is still pending');
  });

  test('"Discard Capsule" forgets the capsule and closes its diff', async () => {
    await editorWithSelection('capsule-discard.md');
    await compressSelection();
    await waitFor('the capsule diff tab', async () => previewDiffTabs(), (tabs) => tabs.length === 1);
    await vscode.commands.executeCommand('promptCapsule.discardCapsule');
    assert.equal(api.pendingCapsule(), undefined);
    assert.equal(previewDiffTabs().length, 0, 'the diff preview is closed');
  });

  test('an Apply that names a capsule no longer pending changes nothing, and names no other capsule', async () => {
    const { document } = await editorWithSelection('capsule-superseded.md');
    const first = await compressSelection();
    // Compress the same selection again (back in its editor: the diff may have taken its
    // place): the new capsule replaces the first one.
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(document.positionAt(PREFIX.length), document.positionAt(PREFIX.length + SELECTED.length));
    await vscode.commands.executeCommand('promptCapsule.compressSelection');
    const second = await waitFor('a newer capsule', async () => api.pendingCapsule(), (p) => p !== undefined && p.id !== first.id);
    assert.deepEqual(api.pendingCapsules().map((p) => p.id), [second!.id], 'one capsule pending per document');
    const versionBefore = document.version;

    // What an old notification's Apply link runs.
    await vscode.commands.executeCommand('promptCapsule.applyCapsule', first.id);
    assert.equal(document.getText(), ORIGINAL, 'nothing applied');
    assert.equal(document.version, versionBefore);
    assert.equal(api.pendingCapsule()?.id, second!.id, 'the newer capsule is still pending');
    await vscode.commands.executeCommand('promptCapsule.discardCapsule', first.id);
    assert.equal(api.pendingCapsule()?.id, second!.id, 'and a stale Discard does not discard it');

    await vscode.commands.executeCommand('promptCapsule.applyCapsule', second!.id);
    assert.equal(document.getText(), PREFIX + second!.capsule + SUFFIX, 'its own Apply applies it');
  });
});
