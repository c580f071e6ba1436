import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { COUNT_COMMAND, DEFAULT_MODEL_ID, modelCell, numericValue, readBudgetPanel, statusBarShowsSelection } from './support/capsule';
import { o200kTokenCount } from './support/expected';
import { createWorkspace, PROMPT_FILE, PROMPT_TEXT } from './support/fixtures';
import { waitFor } from './support/waitFor';
import { Workbench } from './support/workbench';

const CALLS_PER_DAY = 250;

/** Cost per day of the default model divided by its cost per call, once the table is settled. */
async function perDayOverPerCall(workbench: Workbench): Promise<number> {
  const perCall = await numericValue(modelCell(workbench.webview, DEFAULT_MODEL_ID, 'perCallUsd'));
  const perDay = await numericValue(modelCell(workbench.webview, DEFAULT_MODEL_ID, 'perDayUsd'));
  return perDay / perCall;
}

function isCallsPerDay(ratio: number): boolean {
  return Math.abs(ratio - CALLS_PER_DAY) < 1e-6 * CALLS_PER_DAY;
}

test('the Budget Panel recomputes cost per day from its calls-per-day input and keeps it across a window reload', { timeout: 120_000 }, async () => {
  const folder = createWorkspace('panel-state');
  try {
    await Workbench.with(folder, 'panel-state', async (workbench) => {
      await workbench.openFile(PROMPT_FILE);
      const expected = o200kTokenCount(PROMPT_TEXT);
      await workbench.selectAll();
      await statusBarShowsSelection(workbench, expected);
      await workbench.runCommand(COUNT_COMMAND);
      assert.equal((await readBudgetPanel(workbench)).tokens, expected);

      // vscode-textfield keeps its <input> in a shadow root; Playwright's CSS pierces it.
      await workbench.webview.locator('[data-testid="calls-per-day"] input').fill(String(CALLS_PER_DAY));
      await waitFor(`cost per day to be ${CALLS_PER_DAY} × cost per call`, () => perDayOverPerCall(workbench), isCallsPerDay);

      await workbench.reload();
      const restored = await readBudgetPanel(workbench);
      assert.equal(restored.tokens, expected, 'the restored panel counts the same text');
      assert.ok(restored.source.includes(PROMPT_FILE), `restored source line: "${restored.source}"`);
      const input = workbench.webview.locator('[data-testid="calls-per-day"]');
      assert.equal(await input.evaluate((el) => (el as unknown as { value: string }).value), String(CALLS_PER_DAY));
      assert.ok(isCallsPerDay(await perDayOverPerCall(workbench)), 'cost per day after the reload');
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
