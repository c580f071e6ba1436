// Writes the fit (`capsule sim-validate --fit`) into src/core/sim/data/calibration.json: the
// hardware profiles' efficiencies, each engine's fixed costs and kernel scales, and
// the fit summary. Text fields (basis, notes) stay as they are.
// Run after `npm run build`: node scripts/dev/write-calibration.mjs
// (test/unit/sim/cross-validation.test.ts fails when the bundled numbers differ from the fit).
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const path = join(root, 'src/core/sim/data/calibration.json');
const out = execFileSync(process.execPath, [join(root, 'dist/cli.js'), 'sim-validate', '--fit', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
const { fit } = JSON.parse(out);
const file = JSON.parse(await readFile(path, 'utf8'));
const FITTED = ['stepOverheadMs', 'layerOverheadUs', 'allReduceUs', 'customAllReduceUs', 'perSequenceUs', 'eagerLayerOverheadUs', 'scale', 'scaleByArchitecture'];
for (const [name, profile] of Object.entries(fit.table.profiles)) {
  const { basis, ...values } = profile;
  file.profiles[name] = { ...values, basis: file.profiles[name]?.basis ?? basis };
}
for (const [name, engine] of Object.entries(fit.table.engines)) {
  const kept = Object.fromEntries(Object.entries(file.engines[name]).filter(([k]) => !FITTED.includes(k)));
  const fitted = Object.fromEntries(FITTED.filter((k) => engine[k] !== undefined).map((k) => [k, engine[k]]));
  // Fitted numbers first, then the data the fit keeps (batching, kernels, basis), as before.
  file.engines[name] = { ...fitted, ...kept };
}
file.fit = { ...file.fit, rmsLogError: Math.round(fit.rmsLogError * 1000) / 1000, calibrationRows: fit.rows };
await writeFile(path, `${JSON.stringify(file, null, 2)}\n`);
console.log(`fit on ${fit.rows} rows, rms log error ${fit.rmsLogError.toFixed(3)}, ${fit.evaluations} evaluations`);
