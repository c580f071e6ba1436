import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT } from '../support/paths';

// The bundled CLI as users run it (npm test builds dist/ first).
const CLI = path.join(REPO_ROOT, 'dist/cli.js');

function run(args: string[], input?: string) {
  return spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', timeout: 60_000 });
}

describe('dist/cli.js', () => {
  test('count reads stdin and prints JSON', () => {
    const r = run(['count', '-', '--json'], 'hello world');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      { tokens: JSON.parse(r.stdout).tokens, tokenizer: JSON.parse(r.stdout).tokenizer, model: JSON.parse(r.stdout).model },
      { tokens: 2, tokenizer: 'o200k_base', model: 'gpt-4o' },
    );
  });

  test('a user error exits 2 with a one-line message', () => {
    const r = run(['count', '--model', 'nope'], 'x');
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('demo runs offline on the bundled sample', () => {
    const r = run(['demo']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /support-agent-prompt\.md/);
    assert.match(r.stdout, /Budget plan for the capsule .*: \d+ candidates, \d+ meet every budget/);
    assert.match(r.stdout, /is the cheapest of \d+ candidates meeting every budget/);
  });
});
