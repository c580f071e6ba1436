// Runs the unit and integration tests (compiled to out/ by `npm run compile-tests`,
// which `npm test` runs first) with Node's built-in test runner.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function collect(dir) {
  let files = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return files;
  }
  for (const name of entries.sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) files = files.concat(collect(full));
    else if (name.endsWith('.test.js')) files.push(full);
  }
  return files;
}

const only = process.argv.slice(2);
const suites = ['out/test/unit', 'out/test/integration'].flatMap((d) => collect(join(root, d)));
const files = only.length ? suites.filter((f) => only.some((o) => relative(root, f).includes(o))) : suites;
if (files.length === 0) {
  console.error('no compiled tests found: run `npm run compile-tests` first');
  process.exit(1);
}
// A generous per-file timeout (30 minutes: the simulator's cross-validation refits 45 times)
// turns a hang into a failure instead of a stuck CI.
const result = spawnSync(process.execPath, ['--test', '--test-timeout=1800000', '--test-concurrency=2', '--test-reporter=spec', ...files], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
