import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VALIDATION_ROWS, formatValidationReport, runValidation } from '../../../src/core/sim/validation';
import { getGpu, getServingModel } from '../../../src/core/sim/catalog';

describe('validation against published measurements', () => {
  const report = runValidation();

  // The in-sample run (the bundled fit): a regression guard. The figure to quote is the
  // cross-validated one (cross-validation.test.ts).
  test('median absolute error <= 5.5% and none above 45% (today: 4.7% and 39.9% on 684 rows; 13.2% and 150.4% before the engine profiles)', () => {
    assert.ok(report.count >= 600);
    assert.ok(report.medianAbsErrorPct <= 5.5, formatValidationReport(report));
    assert.ok(report.maxAbsErrorPct <= 45, formatValidationReport(report));
  });

  test('holdout rows (not used by the fit) stay within the same bounds (today: 4.9% and 39.9%)', () => {
    assert.ok(report.holdoutMedianAbsErrorPct <= 5.5);
    assert.ok(report.holdoutMaxAbsErrorPct <= 45);
    const holdout = VALIDATION_ROWS.filter((r) => r.role === 'holdout').length;
    assert.ok(holdout >= VALIDATION_ROWS.length / 2, 'at least half the rows are held out');
  });

  test('every row names its source, engine and a known model and GPU', () => {
    const ids = new Set<string>();
    for (const row of VALIDATION_ROWS) {
      assert.ok(/^https?:\/\//.test(row.url) && row.source.length > 10 && row.engine.length > 3, row.id);
      assert.ok(!ids.has(row.id), `duplicate id ${row.id}`);
      ids.add(row.id);
      getServingModel(row.model);
      getGpu(row.gpu);
    }
  });

  test("a row's engine traits say why; custom all-reduce only on multi-GPU rows, with the workspace of its TP degree", () => {
    const custom = VALIDATION_ROWS.filter((r) => r.engineTraits?.customAllReduceMaxBytes !== undefined);
    assert.ok(custom.length >= 10);
    for (const row of VALIDATION_ROWS) if (row.engineTraits) assert.ok((row.engineTraits.basis ?? '').length > 40, row.id);
    // TensorRT-LLM 0.9's IPC workspace: 16 MB at TP2, 8 MB above (customAllReduceUtils.h).
    for (const row of custom) assert.equal(row.engineTraits!.customAllReduceMaxBytes, row.tp === 2 ? 16e6 : 8e6, row.id);
    assert.ok(custom.every((r) => r.tp > 1));
  });

  test('the report prints one line per row and the median', () => {
    const text = formatValidationReport(report);
    assert.equal(text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| row')).length, report.count);
    assert.match(text, /median absolute error \d+\.\d%/);
  });
});
