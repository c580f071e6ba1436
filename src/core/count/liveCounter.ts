import type { CancellationLike } from '../worker/cancellation';
import type { TokenizerId } from '../tokens/tokenizer';

export type TokenCounts = Partial<Record<TokenizerId, number>>;

/** Counts text off the caller's thread (the worker), honouring cancellation. */
export type CountFn = (text: string, tokenizers: TokenizerId[], cancellation: CancellationLike) => Promise<TokenCounts>;

class SimpleCancellation implements CancellationLike {
  private cancelled = false;
  private readonly listeners = new Set<() => void>();
  get isCancellationRequested() {
    return this.cancelled;
  }
  onCancellationRequested(listener: () => void) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  cancel() {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const l of [...this.listeners]) l();
  }
}

export interface LiveCountRequest {
  /** Identifies the text (document, version, range): an unchanged key is not recounted. */
  key: string;
  /** Read lazily, after the debounce, so keystrokes never pay for getText(). */
  getText(): string;
  tokenizers: TokenizerId[];
}

/**
 * Debounced, latest-wins token counting for the status bar: a burst of selection
 * changes leads to one count, a newer request cancels an older one in flight, and a
 * repeated key is answered from the last result.
 */
export class LiveTokenCounter {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: SimpleCancellation | undefined;
  private last: { key: string; counts: TokenCounts } | undefined;
  private generation = 0;

  constructor(
    private readonly count: CountFn,
    private readonly delayMs: number,
  ) {}

  request(req: LiveCountRequest, onResult: (counts: TokenCounts, text: string) => void, onError: (e: Error) => void): void {
    const generation = ++this.generation;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run(generation, req, onResult, onError);
    }, this.delayMs);
  }

  /** Forget the cached result (e.g. the tokenizer or catalog changed). */
  invalidate(): void {
    this.last = undefined;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.inFlight?.cancel();
    this.generation++;
  }

  private async run(
    generation: number,
    req: LiveCountRequest,
    onResult: (counts: TokenCounts, text: string) => void,
    onError: (e: Error) => void,
  ): Promise<void> {
    const key = `${req.key}|${[...req.tokenizers].sort().join(',')}`;
    const text = req.getText();
    if (this.last?.key === key) {
      onResult(this.last.counts, text);
      return;
    }
    this.inFlight?.cancel();
    const cancellation = new SimpleCancellation();
    this.inFlight = cancellation;
    try {
      const counts = await this.count(text, req.tokenizers, cancellation);
      if (generation !== this.generation || cancellation.isCancellationRequested) return;
      this.last = { key, counts };
      onResult(counts, text);
    } catch (error) {
      if (generation !== this.generation || cancellation.isCancellationRequested) return;
      onError(error as Error);
    } finally {
      if (this.inFlight === cancellation) this.inFlight = undefined;
    }
  }
}
