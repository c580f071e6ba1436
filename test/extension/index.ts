// Entry of the standard extension test runner: VS Code loads this file in the extension
// host (extensionTestsPath) and awaits run(). scripts/e2e.mjs starts it inside code-server.
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** scripts/e2e.mjs prints the page console lines carrying this prefix: the report. */
export const REPORT_PREFIX = '[capsule-tests] ';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, reporter: 'spec', timeout: 30_000 });
  // The extension host forwards console.log to the workbench page unformatted (format
  // string and arguments apart), so each report line is formatted here, and tagged.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(REPORT_PREFIX + format(...args));
  for (const file of testFiles(__dirname)) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension test(s) failed`)) : resolve()));
  });
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.js'))
    .sort()
    .map((name) => path.join(dir, name));
}
