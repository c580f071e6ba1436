/**
 * Which capsule an Apply or Discard acts on. Pure, so the rule that keeps an old
 * notification from editing text the user did not offer it for is unit-tested without
 * VS Code.
 *
 * The rule: at most one capsule is pending per document (compressing again in the same
 * document replaces it). Every capsule gets a new id, also when the panel's rate slider
 * re-makes it, so a notification or diff offered for one version never applies another.
 * An action that names a capsule acts on exactly that capsule or on nothing; an action
 * that names none (the command palette) acts on the capsule of the active document,
 * the only pending one, or asks.
 */

export type CapsuleFate = 'applied' | 'discarded' | 'replaced';

export interface PendingRef {
  id: number;
  /** The source document's URI as a string: one pending capsule per document. */
  documentKey: string;
  fileName: string;
}

export interface EndedRef {
  id: number;
  fileName: string;
  fate: CapsuleFate;
  /** The capsule that replaced it (fate 'replaced'). */
  replacedBy?: number;
}

export interface CapsuleActionRequest {
  /** The capsule the surface was offered for (notification, diff title, panel). */
  capsuleId?: number;
  /** The active editor's document, for actions that name no capsule (palette). */
  activeDocumentKey?: string;
}

export type CapsuleTarget<P extends PendingRef> =
  | { kind: 'capsule'; capsule: P }
  | { kind: 'ended'; message: string }
  | { kind: 'choose'; candidates: P[] }
  | { kind: 'none'; message: string };

const FATE_WORDS: Record<CapsuleFate, string> = {
  applied: 'was already applied',
  discarded: 'was discarded',
  replaced: 'was replaced by a newer capsule',
};

export function endedMessage(ended: EndedRef | undefined): string {
  if (!ended) return 'That capsule is no longer pending; nothing changed.';
  return `That capsule of ${ended.fileName} ${FATE_WORDS[ended.fate]}; nothing changed.`;
}

export function resolveCapsuleTarget<P extends PendingRef>(
  request: CapsuleActionRequest,
  pending: readonly P[],
  ended: ReadonlyMap<number, EndedRef>,
): CapsuleTarget<P> {
  if (request.capsuleId !== undefined) {
    const capsule = pending.find((p) => p.id === request.capsuleId);
    return capsule ? { kind: 'capsule', capsule } : { kind: 'ended', message: endedMessage(ended.get(request.capsuleId)) };
  }
  if (pending.length === 0) return { kind: 'none', message: 'There is no capsule pending. Compress a selection or a file first.' };
  const active = request.activeDocumentKey === undefined ? undefined : pending.find((p) => p.documentKey === request.activeDocumentKey);
  if (active) return { kind: 'capsule', capsule: active };
  if (pending.length === 1) return { kind: 'capsule', capsule: pending[0]! };
  return { kind: 'choose', candidates: [...pending] };
}

// Enough to explain a late click on any notification a user might still have open.
const ENDED_MEMORY = 200;

/**
 * The pending capsules, one per document, and what became of recent ones. Generic over
 * the capsule's payload so the extension keeps its VS Code types out of core.
 */
export class PendingCapsules<P extends PendingRef> {
  private readonly byDocument = new Map<string, P>();
  private readonly ended = new Map<number, EndedRef>();
  private nextId = 1;

  /** A fresh id for a capsule about to be added. */
  allocateId(): number {
    return this.nextId++;
  }

  get all(): P[] {
    return [...this.byDocument.values()];
  }

  get endedRefs(): ReadonlyMap<number, EndedRef> {
    return this.ended;
  }

  byId(id: number): P | undefined {
    for (const p of this.byDocument.values()) if (p.id === id) return p;
    return undefined;
  }

  forDocument(documentKey: string): P | undefined {
    return this.byDocument.get(documentKey);
  }

  /** Adds a capsule; returns the one it replaces in the same document, if any. */
  add(capsule: P): P | undefined {
    const previous = this.byDocument.get(capsule.documentKey);
    if (previous) this.remember(previous, 'replaced', capsule.id);
    this.byDocument.set(capsule.documentKey, capsule);
    return previous;
  }

  /** Ends a pending capsule (applied or discarded). False if it was not pending. */
  end(id: number, fate: Exclude<CapsuleFate, 'replaced'>): boolean {
    const capsule = this.byId(id);
    if (!capsule) return false;
    this.byDocument.delete(capsule.documentKey);
    this.remember(capsule, fate);
    return true;
  }

  resolve(request: CapsuleActionRequest): CapsuleTarget<P> {
    return resolveCapsuleTarget(request, this.all, this.ended);
  }

  private remember(capsule: P, fate: CapsuleFate, replacedBy?: number): void {
    this.ended.set(capsule.id, replacedBy === undefined ? { id: capsule.id, fileName: capsule.fileName, fate } : { id: capsule.id, fileName: capsule.fileName, fate, replacedBy });
    if (this.ended.size > ENDED_MEMORY) this.ended.delete(this.ended.keys().next().value!);
  }
}
