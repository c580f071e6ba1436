import * as path from 'node:path';

/** Repository root, from out/test/<...>/ where compiled tests run. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

export const DEV_PROMPTS = path.join(REPO_ROOT, 'test/data/prompts-dev.jsonl');

/** The worker script as compiled by tsc (tests) — the extension uses dist/worker.js. */
export const COMPILED_WORKER = path.join(REPO_ROOT, 'out/src/core/worker/worker.js');
