import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SplitRunReport } from '../../src/core/plan/splitRun';
import type { BudgetState } from '../../src/core/protocol/panel';
import { waitFor } from '../e2e/support/waitFor';
import { activateExtension, type CapsuleApi, o200kTokenCount, showWorkspaceFile } from './support';

const PROMPT = [
  'You are a support assistant for Acme Cloud. Answer the ticket below in at most three sentences.',
  'Never promise a refund; say the billing team replies within 2 business days.',
  'Ticket: "My invoice INV-2026-0042 shows 49 USD twice this month."',
  '',
].join('\n');

const planState = (api: CapsuleApi) => (api.budgetPanelState() as BudgetState | undefined)?.plan;

suite('Plan Model Budget in the extension host', () => {
  let api: CapsuleApi;
  const config = () => vscode.workspace.getConfiguration('promptCapsule');

  suiteSetup(async () => {
    ({ api } = await activateExtension());
  });

  teardown(async () => {
    await config().update('plan.minQuality', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('plans for the selection with the settings as budgets, and plans again when a budget setting changes', async function () {
    // Two plans of about 200 simulations each, on a CI machine's 2 cores.
    this.timeout(120_000);
    const editor = await showWorkspaceFile('plan.md', PROMPT);
    editor.selection = new vscode.Selection(0, 0, 3, 0);
    // The command resolves once the first plan for the selection has finished.
    await vscode.commands.executeCommand('promptCapsule.planModelBudget');
    const first = planState(api);
    assert.equal(first?.status, 'ready', first?.message);
    assert.equal(first.inputTokens, o200kTokenCount(PROMPT));
    const result = first.result!;
    const recommended = result.candidates.find((c) => c.id === result.recommendation.id);
    assert.ok(recommended, result.recommendation.reason);
    assert.deepEqual(recommended.violates, []);
    for (const c of result.candidates) if (c.violates.length === 0) assert.ok(c.costPer1kRequestsUsd >= recommended.costPer1kRequestsUsd);
    assert.ok(result.candidates.some((c) => c.kind === 'hosted') && result.candidates.some((c) => c.kind === 'self-hosted'));
    assert.equal(result.budgets.sloTtftMs, 500, 'promptCapsule.plan.sloTtftMs is the default budget');

    await config().update('plan.minQuality', 0.97, vscode.ConfigurationTarget.Global);
    await waitFor(
      'a plan with the 0.97 quality floor',
      async () => ({ status: planState(api)?.status, minQuality: planState(api)?.result?.budgets.minQuality }),
      (p) => p.status === 'ready' && p.minQuality === 0.97,
      { timeoutMs: 60_000 },
    );
    const again = planState(api);
    const stricter = again!.result!.candidates.find((c) => c.id === again!.result!.recommendation.id);
    assert.ok(stricter, again!.result!.recommendation.reason);
    assert.ok(stricter.quality! >= 0.97, `${stricter.id}: quality ${stricter.quality}`);
    assert.ok(stricter.costPer1kRequestsUsd >= recommended.costPer1kRequestsUsd, 'a tighter budget is never cheaper');
  });

  test("'Split Prompts Between Local Model and Cloud' routes a JSONL file by the local model's entropy and opens the report", async function () {
    this.timeout(120_000);
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const file = vscode.Uri.joinPath(folder, 'split-prompts.jsonl');
    const lines = [{ id: 'faq', prompt: 'What is the capital of France? Answer in one word.' }, { id: 'ticket', prompt: PROMPT }].map((r) => JSON.stringify(r)).join('\n');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(lines));
    try {
      // CEMA's default threshold (4.4 bits for the bundled model): both prompts go to the cloud.
      const cema = (await vscode.commands.executeCommand('promptCapsule.splitPrompts', file)) as SplitRunReport;
      assert.equal(cema.thresholdBits, 0.4 * 11);
      assert.equal(cema.routes.length, 2);
      assert.equal(cema.cloudModel, 'gpt-4o');
      assert.equal(cema.cloud.prompts + cema.local.prompts, 2);
      const report = vscode.window.activeTextEditor?.document;
      assert.equal(report?.languageId, 'markdown');
      assert.match(report!.getText(), /^# Edge\/cloud split of split-prompts\.jsonl/);
      assert.match(report!.getText(), /\| faq \| [\d.]+ \| (local|cloud) \|/);
      // A threshold above every prompt's entropy keeps them all local: no cloud cost.
      await config().update('split.thresholdBits', 20, vscode.ConfigurationTarget.Global);
      const local = (await vscode.commands.executeCommand('promptCapsule.splitPrompts', file)) as SplitRunReport;
      assert.equal(local.local.prompts, 2);
      assert.equal(local.split.costUsd, 0);
      assert.equal(local.savedShare, 1);
    } finally {
      await config().update('split.thresholdBits', undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.fs.delete(file);
    }
  });
});
