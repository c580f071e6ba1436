import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PendingCapsules, resolveCapsuleTarget, type PendingRef } from '../../../src/core/capsule/pending';

const capsule = (id: number, documentKey: string, fileName = documentKey): PendingRef => ({ id, documentKey, fileName });

describe('which capsule an Apply or Discard acts on', () => {
  test('an action that names a capsule acts on that capsule, never on a newer one', () => {
    const pending = new PendingCapsules<PendingRef>();
    const first = capsule(pending.allocateId(), 'file:///a.md', 'a.md');
    pending.add(first);
    const second = capsule(pending.allocateId(), 'file:///b.md', 'b.md');
    pending.add(second);
    // The case: two capsules in two files, Apply on the first notification.
    assert.deepEqual(pending.resolve({ capsuleId: first.id }), { kind: 'capsule', capsule: first });
    assert.deepEqual(pending.resolve({ capsuleId: second.id }), { kind: 'capsule', capsule: second });
  });

  test('a capsule that was replaced, applied or discarded is gone: the action says so and names no other', () => {
    const pending = new PendingCapsules<PendingRef>();
    const old = capsule(pending.allocateId(), 'file:///a.md', 'a.md');
    pending.add(old);
    const newer = capsule(pending.allocateId(), 'file:///a.md', 'a.md');
    assert.equal(pending.add(newer), old, 'one capsule per document: the newer one replaces the older');
    const replaced = pending.resolve({ capsuleId: old.id });
    assert.equal(replaced.kind, 'ended');
    assert.match((replaced as { message: string }).message, /a\.md was replaced by a newer capsule; nothing changed/);

    assert.equal(pending.end(newer.id, 'applied'), true);
    assert.equal(pending.end(newer.id, 'applied'), false, 'ending twice does nothing');
    assert.match((pending.resolve({ capsuleId: newer.id }) as { message: string }).message, /was already applied; nothing changed/);

    const other = capsule(pending.allocateId(), 'file:///b.md', 'b.md');
    pending.add(other);
    pending.end(other.id, 'discarded');
    assert.match((pending.resolve({ capsuleId: other.id }) as { message: string }).message, /b\.md was discarded/);
    assert.equal(pending.resolve({ capsuleId: 999 }).kind, 'ended', 'an unknown id is never taken for another capsule');
  });

  test('without a capsule id (the palette): the active document\'s capsule, the only one, or a choice', () => {
    const a = capsule(1, 'file:///a.md');
    const b = capsule(2, 'file:///b.md');
    const ended = new Map();
    assert.equal(resolveCapsuleTarget({}, [], ended).kind, 'none');
    assert.deepEqual(resolveCapsuleTarget({ activeDocumentKey: 'file:///z.md' }, [a], ended), { kind: 'capsule', capsule: a });
    assert.deepEqual(resolveCapsuleTarget({ activeDocumentKey: 'file:///b.md' }, [a, b], ended), { kind: 'capsule', capsule: b });
    assert.deepEqual(resolveCapsuleTarget({ activeDocumentKey: 'file:///z.md' }, [a, b], ended), { kind: 'choose', candidates: [a, b] });
    assert.deepEqual(resolveCapsuleTarget({}, [a, b], ended), { kind: 'choose', candidates: [a, b] });
  });

  test('ids are never reused, and the record of ended capsules stays bounded', () => {
    const pending = new PendingCapsules<PendingRef>();
    const ids = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const c = capsule(pending.allocateId(), 'file:///a.md');
      assert.ok(!ids.has(c.id));
      ids.add(c.id);
      pending.add(c);
    }
    assert.equal(pending.all.length, 1);
    assert.ok(pending.endedRefs.size <= 200, `${pending.endedRefs.size} ended capsules remembered`);
    assert.equal(pending.endedRefs.get(499)?.fate, 'replaced', 'the most recent ones are remembered');
  });
});
