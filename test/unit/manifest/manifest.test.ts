import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { CommandIds } from '../../../src/extension/commandIds';
import { REPO_ROOT } from '../../support/paths';

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8'));

describe('package.json contributions', () => {
  test('contributes exactly the commands in CommandIds, each with a category', () => {
    const contributed = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(contributed, Object.values(CommandIds).sort());
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'Capsule', c.command);
  });

  test('palette and editor context entries are gated by when clauses', () => {
    for (const [menu, entries] of Object.entries(pkg.contributes.menus) as Array<[string, Array<{ command: string; when?: string }>]>) {
      for (const entry of entries) assert.ok(entry.when, `${menu}: ${entry.command} needs a when clause`);
    }
    assert.ok(pkg.contributes.menus['editor/context'].some((e: { command: string }) => e.command === CommandIds.countTokens));
  });

  test('no eager activation, and @types/vscode is not newer than engines.vscode', () => {
    assert.ok(!pkg.activationEvents.includes('*'));
    const engine = pkg.engines.vscode.replace(/^\^/, '');
    const types = lock.packages['node_modules/@types/vscode'].version;
    const [a, b] = [engine, types].map((v: string) => v.split('.').map(Number));
    assert.ok(b![0]! < a![0]! || (b![0] === a![0] && b![1]! <= a![1]!), `@types/vscode ${types} > engine ${engine}`);
  });

  test('settings that load files are restricted in untrusted workspaces', () => {
    const restricted = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
    assert.ok(restricted.includes('promptCapsule.catalogFile'));
    assert.ok(restricted.includes('promptCapsule.models'));
  });

  test('.npmrc skips the onnxruntime CUDA download', () => {
    assert.match(readFileSync(path.join(REPO_ROOT, '.npmrc'), 'utf8'), /^onnxruntime-node-install=skip$/m);
  });
});
