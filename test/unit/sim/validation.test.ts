import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VALIDATION_ROWS, formatValidationReport, runValidation } from '../../../src/core/sim/validation';
import { getGpu, getServingModel } from '../../../src/core/sim/catalog';

describe('validation against published measurements', () => {
  const report = runValidation();

  // The in-sample run (the bundled fit): a regression guard. The figure to quote is the
  // cross-validated one (cross-validation.test.ts).
  test('median absolute error <= 14% and none above 155% (today: 13.2% and 150.4%)', () => {
    assert.ok(report.count >= 500);
    assert.ok(report.medianAbsErrorPct <= 14, formatValidationReport(report));
    assert.ok(report.maxAbsErrorPct <= 155, formatValidationReport(report));
  });

  test('holdout rows (not used by the fit) stay within the same bounds', () => {
    assert.ok(report.holdoutMedianAbsErrorPct <= 14.5);
    assert.ok(report.holdoutMaxAbsErrorPct <= 155);
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

  test('the report prints one line per row and the median', () => {
    const text = formatValidationReport(report);
    assert.equal(text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| row')).length, report.count);
    assert.match(text, /median absolute error \d+\.\d%/);
  });
});
