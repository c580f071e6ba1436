// Runs the mocha suites of test/extension inside a real VS Code extension host:
// code-server's workbench reads the `payload` URL parameter the way desktop VS Code
// reads --extensionDevelopmentPath/--extensionTestsPath, and reports the runner's exit
// code through window.codeAutomationExit.
import path from 'node:path';
import { launchChromium } from './browser.mjs';
import { prepareState, startCodeServer } from './code-server.mjs';
import { detail, step } from './log.mjs';

// Console errors every run has, offline: the marketplace lookup and a missing vsda module.
const KNOWN_NOISE = [/open-vsx\.org|ENOTFOUND|marketplace|gallery/i, /vsda/i, /Failed to load resource/i];

// Must match REPORT_PREFIX in test/extension/index.ts.
const REPORT_PREFIX = '[capsule-tests] ';

/**
 * Returns the runner's exit code (0 when every test passed). Throws when the runner
 * does not finish within `timeoutMs`.
 */
export async function runExtensionTests({ entry, stateDir, extensionPath, testsPath, workspace, timeoutMs }) {
  const dirs = prepareState(stateDir);
  const server = await startCodeServer(entry, dirs);
  detail(`code-server (no VSIX installed) on port ${server.port}`);
  const browser = await launchChromium();
  let deadlineTimer;
  try {
    const page = await browser.newPage();
    let reportExit;
    const exited = new Promise((resolve) => (reportExit = resolve));
    await page.exposeFunction('codeAutomationLog', () => {});
    await page.exposeFunction('codeAutomationExit', (code) => reportExit(Number(code)));
    // The extension host forwards its console to the page while developing an extension;
    // test/extension/index.ts tags mocha's report lines so they can be told from the rest.
    const errors = [];
    page.on('console', (message) => {
      const text = message.text();
      const at = text.indexOf(REPORT_PREFIX);
      if (at >= 0) console.log(`  ${text.slice(at + REPORT_PREFIX.length)}`);
      else if (message.type() === 'error' && !KNOWN_NOISE.some((pattern) => pattern.test(text))) errors.push(text);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));

    const remote = (absolute) => `vscode-remote://127.0.0.1:${server.port}${absolute}`;
    const payload = [
      ['extensionDevelopmentPath', remote(extensionPath)],
      ['extensionTestsPath', remote(testsPath)],
    ];
    const url = `${server.url}?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    step(`running extension tests ${path.relative(extensionPath, testsPath)} inside the extension host`);
    await page.goto(url, { timeout: 60_000 });
    const deadline = new Promise((_, reject) => {
      deadlineTimer = setTimeout(
        () => reject(new Error(`extension tests did not finish within ${timeoutMs / 1000} s (code-server log: ${server.logFile})`)),
        timeoutMs,
      );
    });
    const code = await Promise.race([exited, deadline]);
    if (code !== 0 && errors.length > 0) {
      // A runner that fails before mocha reports anything (a throw while loading the
      // extension or the test files) leaves its reason only here.
      detail(`errors in the workbench console (last ${Math.min(errors.length, 10)}):`);
      for (const error of errors.slice(-10)) console.log(`    ${error.split('\n').slice(0, 8).join('\n    ')}`);
    }
    return code;
  } finally {
    clearTimeout(deadlineTimer);
    await browser.close().catch(() => {});
    await server.stop();
  }
}

