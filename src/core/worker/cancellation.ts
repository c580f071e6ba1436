/** The part of an AbortSignal that synchronous core code polls in its long loops. */
export interface CancelSignal {
  readonly aborted: boolean;
}

/** The shape of a VS Code CancellationToken, so core needs no vscode import. */
export interface CancellationLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'AbortError';
  }
}

export function throwIfAborted(signal: CancelSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * A cancel flag in shared memory: the extension host flips it while the worker is busy
 * in a synchronous loop, which could never see a posted message until it returns.
 */
export class SharedCancelFlag implements CancelSignal {
  readonly buffer: SharedArrayBuffer;
  private readonly cell: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.buffer = buffer;
    this.cell = new Int32Array(buffer);
  }

  get aborted(): boolean {
    return Atomics.load(this.cell, 0) === 1;
  }

  abort(): void {
    Atomics.store(this.cell, 0, 1);
  }
}
