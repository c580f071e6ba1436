import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePanelMessage, parsePersistedState, ProtocolError } from '../../../src/core/protocol/panel';

describe('panel protocol validation', () => {
  test('accepts well-formed requests and commands', () => {
    assert.deepEqual(parsePanelMessage({ kind: 'request', id: 1, method: 'ready', params: {} }), { kind: 'request', id: 1, method: 'ready', params: {} });
    assert.deepEqual(parsePanelMessage({ kind: 'command', method: 'setUsage', params: { callsPerDay: 10, outputTokens: 99.6 } }), {
      kind: 'command', method: 'setUsage', params: { callsPerDay: 10, outputTokens: 100 },
    });
    assert.deepEqual(parsePanelMessage({ kind: 'command', method: 'setActiveModel', params: { modelId: 'gpt-4o' } }).params, { modelId: 'gpt-4o' });
    for (const method of ['applyCapsule', 'copyCapsule', 'discardCapsule', 'probeCapsule']) {
      assert.deepEqual(parsePanelMessage({ kind: 'command', method, params: { capsuleId: 7 } }), { kind: 'command', method, params: { capsuleId: 7 } });
    }
  });

  test('capsule actions must name the capsule they were offered for', () => {
    for (const method of ['applyCapsule', 'copyCapsule', 'discardCapsule', 'probeCapsule']) {
      for (const params of [{}, { capsuleId: 0 }, { capsuleId: '3' }, { capsuleId: Number.NaN }]) {
        assert.throws(() => parsePanelMessage({ kind: 'command', method, params }), ProtocolError, `${method} ${JSON.stringify(params)}`);
      }
    }
  });

  test('rejects unknown kinds, methods and bad params', () => {
    const bad: unknown[] = [
      null,
      'ready',
      { kind: 'request', id: 'x', method: 'ready' },
      { kind: 'request', id: 1, method: 'deleteEverything' },
      { kind: 'command', method: 'setUsage', params: { callsPerDay: -1, outputTokens: 1 } },
      { kind: 'command', method: 'setUsage', params: { callsPerDay: 1, outputTokens: Number.NaN } },
      { kind: 'command', method: 'setActiveModel', params: { modelId: '' } },
      { kind: 'notification', method: 'state' },
    ];
    for (const message of bad) assert.throws(() => parsePanelMessage(message), ProtocolError, JSON.stringify(message));
  });

  test('persisted state falls back to defaults for anything unreadable', () => {
    assert.deepEqual(parsePersistedState({ sort: { column: 'nope' } }), { sort: { column: 'perCallUsd', descending: false } });
    assert.equal(parsePersistedState('junk'), undefined);
    const withSource = parsePersistedState({ sort: { column: 'tokens', descending: true }, source: { uri: 'file:///a.md', range: { startLine: 0, startCharacter: 0, endLine: 1, endCharacter: 2 } } });
    assert.equal(withSource!.source!.uri, 'file:///a.md');
    assert.equal(parsePersistedState({ source: { uri: 'file:///a', range: { startLine: -1 } } })!.source!.range, undefined);
  });
});
