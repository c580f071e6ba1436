import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { binaryInputMessage, detectBinary } from '../../../src/core/text/binary';

describe('binary input', () => {
  test('text with NUL bytes is binary', () => {
    assert.deepEqual(detectBinary('ELF\u0000\u0001\u0002 hello'), { binary: true, reason: 'it contains NUL bytes' });
  });

  test('a real executable decoded as UTF-8 (as "Open Anyway" does) is binary', () => {
    const decoded = readFileSync(process.execPath).subarray(0, 65536).toString('utf8');
    assert.equal(detectBinary(decoded).binary, true);
    // Without its NUL bytes it is still mostly control characters and undecodable bytes.
    const noNul = decoded.split('\u0000').join('');
    const verdict = detectBinary(noNul);
    assert.equal(verdict.binary, true);
    assert.match(verdict.reason!, /% of its characters are control characters or undecodable bytes/);
  });

  test('prompts, including tabs, CRLF, ANSI colour codes, emoji and CJK, are text', () => {
    for (const text of [
      'You are a helpful assistant.\r\n\tAnswer in {{language}}.',
      '\u001b[31mred\u001b[0m warning text in a log-style prompt',
      '请始终使用简体中文回答 🙂',
      '',
      'one stray \u0007 bell in a long enough sentence of ordinary words',
    ]) {
      assert.deepEqual(detectBinary(text), { binary: false }, JSON.stringify(text));
    }
  });

  test('the message names the file and the reason', () => {
    assert.equal(
      binaryInputMessage('app.exe', { binary: true, reason: 'it contains NUL bytes' }),
      'app.exe looks like a binary file (it contains NUL bytes); Prompt Capsule works on text prompts only.',
    );
  });
});
