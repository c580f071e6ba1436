import * as path from 'node:path';

/**
 * Settings handed over by scripts/e2e.mjs, which owns code-server's lifecycle; the
 * tests only drive a browser against it.
 */
export interface E2eConfig {
  /** code-server with the freshly built VSIX installed, e.g. http://127.0.0.1:PORT/ */
  baseUrl: string;
  screenshotDir: string;
  chromiumPath: string;
  /** code-server's user settings.json, for tests that change a user setting and restore it. */
  userSettingsFile: string | undefined;
}

export function e2eConfig(): E2eConfig {
  const baseUrl = process.env.E2E_BASE_URL;
  if (!baseUrl) {
    throw new Error('E2E_BASE_URL is not set: run these tests through `npm run test:e2e` (scripts/e2e.mjs), which starts code-server');
  }
  return {
    baseUrl,
    screenshotDir: process.env.E2E_SCREENSHOT_DIR ?? path.resolve('test-results', 'e2e'),
    chromiumPath: process.env.E2E_CHROMIUM_PATH ?? '/usr/bin/chromium',
    userSettingsFile: process.env.E2E_USER_SETTINGS,
  };
}

/** The extension under test, as VS Code identifies it. */
export const EXTENSION_ID = 'prompt-capsule.prompt-capsule';
