// One engine profile's cross-validation with a what-if patch to its profile, in a minute or two
// instead of the whole 47-fit run: each of the profile's calibration builds is left out in turn
// (crossValidate.ts setupGrouping), the profile refitted on the others and the build's rows
// predicted; rows of builds without calibration rows take the fit on all of them. Prints the
// fits, each row's cross-validated and in-sample error (--rows) and the profile's summary, so a
// mechanism can be measured before it goes into the code (docs/research/sim-fidelity.md).
// Run after `npm run compile-tests`:
//   node scripts/dev/engine-cv.mjs ENGINE ['<JSON merged into calibration.json engines.ENGINE>'] [--rows]
// e.g. node scripts/dev/engine-cv.mjs sglang '{"torchCompileMaxBatch": 32}' --rows
// A null in the patch deletes that field; objects merge field by field.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { VALIDATION_ROWS, predictRow } = require(join(root, 'out/src/core/sim/validation.js'));
const { fitCalibration } = require(join(root, 'out/src/core/sim/calibrate.js'));
const { setupGrouping } = require(join(root, 'out/src/core/sim/crossValidate.js'));
const { BUNDLED_CALIBRATION } = require(join(root, 'out/src/core/sim/calibration.js'));

const [engine, patchText] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!engine || !BUNDLED_CALIBRATION.engines[engine]) {
  console.error(`usage: node scripts/dev/engine-cv.mjs ENGINE [patch] [--rows]; engines: ${Object.keys(BUNDLED_CALIBRATION.engines).join(', ')}`);
  process.exit(2);
}
const merge = (into, patch) => {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete into[key];
    else if (typeof value === 'object' && !Array.isArray(value) && typeof into[key] === 'object' && into[key] !== null) merge(into[key], value);
    else into[key] = value;
  }
  return into;
};
const base = JSON.parse(JSON.stringify(BUNDLED_CALIBRATION));
merge(base.engines[engine], JSON.parse(patchText ?? '{}'));

const mine = VALIDATION_ROWS.filter((r) => r.engineProfile === engine);
const builds = [...new Set(mine.filter((r) => r.role === 'calibration').map(setupGrouping))].sort();
const options = { cache: new Map(), engines: new Set([engine]) };
const fitted = (t) => {
  const e = t.engines[engine];
  const pick = ['stepOverheadMs', 'layerOverheadUs', 'eagerLayerOverheadUs', 'compiledLayerOverheadUs', 'allReduceUs', 'customAllReduceUs', 'perSequenceUs', 'scale', 'scaleByArchitecture'];
  return JSON.stringify(Object.fromEntries(pick.filter((k) => e[k] !== undefined).map((k) => [k, e[k]])));
};
const errorPct = (row, table) => (predictRow(row, table) / row.measured - 1) * 100;
const started = Date.now();

const full = fitCalibration(VALIDATION_ROWS, base, options).table;
console.log(`all builds: ${fitted(full)}`);
const inSample = new Map(mine.map((r) => [r.id, errorPct(r, full)]));
const crossValidated = new Map();
for (const build of builds) {
  // The fit is handed every other build's rows; none of this build's reaches it.
  const table = fitCalibration(VALIDATION_ROWS.filter((r) => setupGrouping(r) !== build), base, options).table;
  console.log(`leaving out ${build.split(' | ').slice(2).join(' ')}: ${fitted(table)}`);
  for (const r of mine.filter((r) => setupGrouping(r) === build)) crossValidated.set(r.id, errorPct(r, table));
}
for (const r of mine) if (!crossValidated.has(r.id)) crossValidated.set(r.id, inSample.get(r.id));

if (process.argv.includes('--rows')) {
  for (const r of mine) console.log(`${crossValidated.get(r.id).toFixed(1).padStart(7)} ${inSample.get(r.id).toFixed(1).padStart(7)}  ${r.role.slice(0, 3)}  ${r.id}`);
}
const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const cv = [...crossValidated.values()].map(Math.abs);
const ins = mine.filter((r) => r.role === 'calibration').map((r) => Math.abs(inSample.get(r.id)));
console.log(
  `${engine}, ${mine.length} rows: cross-validated median ${median(cv).toFixed(2)}%, max ${Math.max(...cv).toFixed(1)}%, ` +
    `${cv.filter((e) => e > 25).length} over 25% | calibration rows in-sample median ${median(ins).toFixed(2)}% | ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
