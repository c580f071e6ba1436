// `npm run test:e2e`: the real-VS-Code suite. Installs code-server 4.100.3 into a cache
// folder outside the repository (once), builds the VSIX, then
//   (a) installs the VSIX into a fresh code-server and drives it with Playwright and
//       Debian's Chromium: test/e2e/*.e2e.ts (node:test), screenshots in test-results/e2e;
//   (b) runs the mocha suites of test/extension inside the extension host of another
//       fresh code-server, loading the extension from this folder (dist/extension.js).
// Exits non-zero on any failure. Every process it starts is stopped on every exit path.
//
// Environment: E2E_VSIX=path skips `npm run package` and tests that VSIX;
// E2E_ONLY=ui|api runs one of the two suites; E2E_SKIP_COMPILE=1 uses the tests already
// in out/; E2E_GREP=pattern runs the UI tests whose name matches; E2E_KEEP_STATE=1 keeps
// the temp folders.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkChromium, CHROMIUM_PATH } from './e2e/browser.mjs';
import { installExtension, prepareState, startCodeServer } from './e2e/code-server.mjs';
import { ensureCodeServer } from './e2e/install-code-server.mjs';
import { detail, fail, step } from './e2e/log.mjs';
import { killAllNow, runToCompletion, stopAll } from './e2e/processes.mjs';
import { runExtensionTests } from './e2e/run-extension-tests.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const extensionId = `${pkg.publisher}.${pkg.name}`;
const screenshotDir = path.join(repoRoot, 'test-results', 'e2e');

const PACKAGE_TIMEOUT_MS = 5 * 60_000;
const COMPILE_TIMEOUT_MS = 3 * 60_000;
// 17 UI tests take 7-8 minutes on 2 cores; the bound only stops a hung run.
const UI_SUITE_TIMEOUT_MS = 15 * 60_000;
const API_SUITE_TIMEOUT_MS = 3 * 60_000;

const only = process.env.E2E_ONLY;
if (only && only !== 'ui' && only !== 'api') {
  console.error(`E2E_ONLY must be "ui" or "api", not "${only}"`);
  process.exit(2);
}

const stateRoot = mkdtempSync(path.join(tmpdir(), 'prompt-capsule-e2e-'));
let failed = false;

process.on('exit', () => killAllNow());
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    fail(`interrupted (${signal}): stopping code-server and Chromium`);
    stopAll().finally(() => process.exit(130));
  });
}

try {
  // Screenshots of this run only: a stale failed-*.png would mislead.
  rmSync(screenshotDir, { recursive: true, force: true });
  checkChromium();
  const entry = await ensureCodeServer();
  const vsix = await buildVsix();
  if (process.env.E2E_SKIP_COMPILE) {
    step('E2E_SKIP_COMPILE set: using the tests already compiled in out/');
  } else {
    step('compiling tests (tsc -p tsconfig.test.json)');
    await runToCompletion('npx', ['tsc', '-p', 'tsconfig.test.json'], { cwd: repoRoot, timeoutMs: COMPILE_TIMEOUT_MS });
  }

  const results = [];
  if (only !== 'api') results.push(['UI suite (Playwright)', await runSuite(() => runUiSuite(entry, vsix))]);
  if (only !== 'ui') results.push(['API suite (mocha in the extension host)', await runSuite(() => runApiSuite(entry))]);

  step('summary');
  for (const [name, ok] of results) detail(`${ok ? 'PASS' : 'FAIL'}  ${name}`);
  failed = results.some(([, ok]) => !ok);
  if (existsSync(screenshotDir)) {
    detail(`screenshots: ${path.relative(repoRoot, screenshotDir)}/ (${readdirSync(screenshotDir).join(', ')})`);
  }
} catch (error) {
  failed = true;
  fail(error instanceof Error ? error.message : String(error));
} finally {
  await stopAll();
  if (failed || process.env.E2E_KEEP_STATE) {
    detail(`code-server logs and state kept in ${stateRoot}`);
  } else {
    rmSync(stateRoot, { recursive: true, force: true });
  }
}
process.exitCode = failed ? 1 : 0;

async function runSuite(body) {
  try {
    return await body();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
    return false;
  }
}

async function buildVsix() {
  if (process.env.E2E_VSIX) {
    const given = path.resolve(process.env.E2E_VSIX);
    if (!existsSync(given)) throw new Error(`E2E_VSIX=${given} does not exist`);
    step(`using the VSIX from E2E_VSIX: ${given}`);
    if (!existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
      await runToCompletion('npm', ['run', 'build'], { cwd: repoRoot, timeoutMs: PACKAGE_TIMEOUT_MS });
    }
    return given;
  }
  step('building the VSIX (npm run package)');
  const vsix = path.join(repoRoot, `${pkg.name}-linux-x64-${pkg.version}.vsix`);
  rmSync(vsix, { force: true });
  await runToCompletion('npm', ['run', 'package'], { cwd: repoRoot, timeoutMs: PACKAGE_TIMEOUT_MS });
  if (!existsSync(vsix)) throw new Error(`npm run package did not write ${path.relative(repoRoot, vsix)}`);
  return vsix;
}

async function runUiSuite(entry, vsix) {
  step(`UI suite: installing ${path.basename(vsix)} into a fresh code-server`);
  const dirs = prepareState(path.join(stateRoot, 'ui'));
  const listed = await installExtension(entry, dirs, vsix);
  const expected = `${extensionId}@${pkg.version}`;
  if (!listed.split('\n').some((line) => line.trim().toLowerCase() === expected.toLowerCase())) {
    throw new Error(`code-server does not list ${expected} after installing the VSIX; it lists:\n${listed}`);
  }
  detail(`installed and listed: ${expected}`);

  const testDir = path.join(repoRoot, 'out', 'test', 'e2e');
  const files = readdirSync(testDir).filter((name) => name.endsWith('.e2e.js')).sort();
  if (files.length === 0) throw new Error(`no compiled UI tests (*.e2e.js) in ${testDir}`);

  const server = await startCodeServer(entry, dirs);
  try {
    detail(`code-server on ${server.url} (log: ${server.logFile})`);
    mkdirSync(screenshotDir, { recursive: true });
    step(`UI suite: ${files.join(', ')}`);
    await runToCompletion(
      process.execPath,
      [
        '--test',
        '--test-concurrency=1',
        '--test-reporter=spec',
        ...(process.env.E2E_GREP ? [`--test-name-pattern=${process.env.E2E_GREP}`] : []),
        ...files.map((name) => path.join(testDir, name)),
      ],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          E2E_BASE_URL: server.url,
          E2E_SCREENSHOT_DIR: screenshotDir,
          E2E_CHROMIUM_PATH: CHROMIUM_PATH,
          E2E_USER_SETTINGS: path.join(dirs.userDataDir, 'User', 'settings.json'),
        },
        timeoutMs: UI_SUITE_TIMEOUT_MS,
      },
    );
    return true;
  } catch (error) {
    fail(`UI suite: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  } finally {
    await server.stop();
  }
}

async function runApiSuite(entry) {
  step('API suite: extension loaded from this folder, no VSIX installed');
  const testsPath = path.join(repoRoot, 'out', 'test', 'extension', 'index.js');
  if (!existsSync(path.join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build`');
  if (!existsSync(testsPath)) throw new Error(`${testsPath} is missing: the test compile did not emit it`);
  const workspace = path.join(stateRoot, 'api-workspace');
  mkdirSync(workspace, { recursive: true });
  const code = await runExtensionTests({
    entry,
    stateDir: path.join(stateRoot, 'api'),
    extensionPath: repoRoot,
    testsPath,
    workspace,
    timeoutMs: API_SUITE_TIMEOUT_MS,
  });
  if (code !== 0) fail(`API suite: the extension test runner exited with ${code}`);
  return code === 0;
}
