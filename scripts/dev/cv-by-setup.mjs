// Cross-validated error with LMDeploy's one table split by setup (model, GPU, precision, TP):
// leave one setup out for engines with a single source, leave one source out for the rest
// (crossValidate.ts setupGrouping). Reported beside `capsule sim-validate --cv`, which stays
// the figure to quote. About 4 minutes. Run after `npm run compile-tests`:
//   node scripts/dev/cv-by-setup.mjs [--json]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { crossValidate, formatCrossValidation, setupGrouping } = require(join(root, 'out/src/core/sim/crossValidate.js'));
const { VALIDATION_ROWS } = require(join(root, 'out/src/core/sim/validation.js'));

const report = crossValidate(VALIDATION_ROWS, {
  group: setupGrouping(VALIDATION_ROWS),
  onFold: (left, k, n) => process.stderr.write(`fit ${k + 1}/${n}: leaving out ${left.length === 1 ? left[0] : `${left.length} groups without calibration rows`}\n`),
});
if (process.argv.includes('--json')) {
  const { overall, byEngine, byMetricKind, byEngineAndKind, inSampleCalibration, folds } = report;
  const rows = report.outcomes.map((o) => ({ id: o.row.id, engine: o.row.engineProfile, metric: o.row.metric, measured: o.row.measured, predicted: o.predicted, errorPct: o.errorPct, source: o.row.url }));
  console.log(JSON.stringify({ grouping: 'leave one setup out (single-source engines), else one source', overall, byEngine, byMetricKind, byEngineAndKind, inSampleCalibration, folds, rows }, null, 2));
} else console.log(formatCrossValidation(report).replace('leave one source out', 'leave one setup out for single-source engines, one source out otherwise'));
