// Debian's Chromium driven by playwright-core (no browser download is possible here).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.E2E_CHROMIUM_PATH || '/usr/bin/chromium';

// One list for the harness and the tests: test/e2e/support/chromium-args.json.
export const CHROMIUM_ARGS = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../test/e2e/support/chromium-args.json', import.meta.url)), 'utf8'),
).args;

export function checkChromium() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run \`apt-get install -y chromium\` (or set E2E_CHROMIUM_PATH)`);
  }
}

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}
