// Cross-validated error with every row held out with its whole source (document), for every
// engine profile (crossValidate.ts sourceOf). Reported beside `capsule sim-validate --cv`
// (leave one engine build out), which is the figure to quote: a
// profile whose only source is held out is predicted with its unfitted defaults, so this
// figure says how far those defaults are off rather than how well the profile predicts.
// Run after `npm run compile-tests`:
//   node scripts/dev/cv-by-source.mjs [--json]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { crossValidate, formatCrossValidation, sourceOf } = require(join(root, 'out/src/core/sim/crossValidate.js'));
const { VALIDATION_ROWS } = require(join(root, 'out/src/core/sim/validation.js'));

const report = crossValidate(VALIDATION_ROWS, {
  group: sourceOf,
  onFold: (left, k, n) => process.stderr.write(`fit ${k + 1}/${n}: leaving out ${left.length === 1 ? left[0] : `${left.length} sources without calibration rows`}\n`),
});
if (process.argv.includes('--json')) {
  const { overall, byEngine, byMetricKind, byEngineAndKind, inSampleCalibration, folds } = report;
  const rows = report.outcomes.map((o) => ({ id: o.row.id, engine: o.row.engineProfile, metric: o.row.metric, measured: o.row.measured, predicted: o.predicted, errorPct: o.errorPct, source: o.row.url }));
  console.log(JSON.stringify({ grouping: 'leave one source out', overall, byEngine, byMetricKind, byEngineAndKind, inSampleCalibration, folds, rows }, null, 2));
} else console.log(formatCrossValidation(report, { grouping: 'leave one source out' }));
