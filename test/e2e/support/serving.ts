import assert from 'node:assert/strict';
import type { FrameLocator, Locator } from 'playwright-core';
import { normalizeSpaces } from './workbench';

export const SERVING_MODES = ['colocated', 'disaggregated', 'llumnix'] as const;
export const CALIBRATION_PATTERN = /cross-validated median error [\d.]+% \(max \d+%\) on \d+ published measurements/;

export function servingCard(panel: FrameLocator): Locator {
  return panel.locator('[data-testid="serving-card"]');
}

/** The results table once the simulation is done (the results are marked "stale" while it runs). */
export function settledServingTable(card: Locator): Locator {
  return card.locator('.serving-results:not(.stale) [data-testid="serving-table"]');
}

/** Cells of a metric row (`tr[data-metric]`), one per column after the row header. */
export function metricCells(table: Locator, metric: string): Locator {
  return table.locator(`tbody tr[data-metric="${metric}"] td`);
}

/** Milliseconds from a duration cell as the card writes it: "12.3 ms", "2,114 ms" or "12.5 s". */
export function parseDurationMs(text: string): number {
  const match = /^(\d{1,3}(?:,\d{3})*(?:\.\d+)?) (ms|s)$/.exec(normalizeSpaces(text));
  assert.ok(match, `"${text}" reads as a duration in ms or s`);
  return Number(match[1]!.replace(/,/g, '')) * (match[2] === 's' ? 1000 : 1);
}

/** The <input> inside a vscode-textfield of the card (Playwright's CSS pierces its shadow root). */
export function servingInput(card: Locator, key: 'rate' | 'outputTokens' | 'sloTtftMs' | 'sloTpotMs' | 'gpus'): Locator {
  return card.locator(`[data-testid="serving-${key}"] input`);
}
