import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keyStaysInField, type KeyLike } from '../../../src/core/protocol/fieldKeys';

const key = (k: string, mods: Partial<Omit<KeyLike, 'key'>> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

describe('keys a panel field keeps from the workbench', () => {
  test('select all, undo, redo, deletion, caret moves and typing stay in the field', () => {
    for (const k of [
      key('a', { ctrlKey: true }),
      key('A', { metaKey: true }),
      key('z', { ctrlKey: true }),
      key('z', { metaKey: true, shiftKey: true }),
      key('y', { ctrlKey: true }),
      key('Backspace'),
      key('Backspace', { ctrlKey: true }),
      key('Delete'),
      key('ArrowLeft', { ctrlKey: true }),
      key('Home'),
      key('7'),
      key('-'),
      key('é'),
    ]) {
      assert.equal(keyStaysInField(k), true, JSON.stringify(k));
    }
  });

  test('workbench shortcuts still reach the workbench', () => {
    for (const k of [key('F1'), key('p', { ctrlKey: true, shiftKey: true }), key('p', { ctrlKey: true }), key('s', { ctrlKey: true }), key('Escape'), key('Tab'), key('w', { ctrlKey: true }), key('a', { altKey: true })]) {
      assert.equal(keyStaysInField(k), false, JSON.stringify(k));
    }
  });
});
