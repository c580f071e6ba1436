/** Where a request is in its life. */
export enum Phase {
  NotArrived,
  Waiting,
  Prefilling,
  Decoding,
  Transferring,
  Done,
}

/** One request's mutable state inside a simulation run. */
export class SimRequest {
  phase: Phase = Phase.NotArrived;
  arrival: number;
  /** Tokens emitted so far; while decoding it is derived from the instance's step counter. */
  generated = 0;
  firstTokenAt = -1;
  /** When its latest token came out (-1: none yet); kept only by instances that record inter-token gaps. */
  lastTokenAt = -1;
  finishAt = -1;
  /** Tokens the instance had counted for the request when it finished (a check: the output). */
  generatedAtFinish = -1;
  /**
   * Prompt tokens the prefill computes: the input, or input + generated after a preemption
   * (one fewer where the decode step takes the last one: SchedulerOptions.lastPromptTokenInDecode).
   */
  prefillLen: number;
  prefillDone = 0;
  /** Tokens whose KV is already present on arrival at an instance (disaggregated decode, migration). */
  readyKvTokens = 0;
  /** KV demand counted for this request while it waits in a queue. */
  queuedDemand = 0;
  /** When it last joined a waiting queue (-Infinity: put back at the front after a preemption). */
  queuedAt = 0;
  /** KV tokens reserved for this request outside the decode set (prompt being computed, KV in flight). */
  reserved = 0;
  /** KV tokens committed for this request's whole life (input + output) under full-sequence reservation. */
  committed = 0;
  instance = -1;
  preemptions = 0;
  migrations = 0;
  // Decode-set bookkeeping: context and tokens follow from the instance's decode step counter.
  joinStep = 0;
  baseContext = 0;
  generatedAtJoin = 0;
  finishStep = 0;
  /** Bumped whenever the request leaves a decode set, so stale finish-heap entries are ignored. */
  decodeEpoch = 0;
  prev: SimRequest | null = null;
  next: SimRequest | null = null;
  /** Set while a Llumnix migration of this request is in flight. */
  migration: MigrationState | null = null;

  constructor(
    readonly id: number,
    arrival: number,
    readonly input: number,
    readonly output: number,
    readonly highPriority: boolean,
    readonly client: number,
  ) {
    this.arrival = arrival;
    this.prefillLen = input;
  }
}

export interface MigrationState {
  source: number;
  destination: number;
  /** KV tokens reserved on the destination for the request. */
  reservedTokens: number;
  /** KV tokens already copied by the pre-copy stages. */
  copiedTokens: number;
  /** Time the request was paused on the source (start of the final copy), or -1. */
  pausedAt: number;
  aborted: boolean;
}

/** FIFO with cheap push-front (preempted requests go back to the head of the queue). */
export class Deque<T> {
  private buffer: (T | undefined)[] = new Array(16);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.buffer[this.head];
  }

  pushBack(item: T): void {
    this.grow();
    this.buffer[(this.head + this.count) & (this.buffer.length - 1)] = item;
    this.count++;
  }

  pushFront(item: T): void {
    this.grow();
    this.head = (this.head - 1 + this.buffer.length) & (this.buffer.length - 1);
    this.buffer[this.head] = item;
    this.count++;
  }

  popFront(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.buffer[this.head];
    this.buffer[this.head] = undefined;
    this.head = (this.head + 1) & (this.buffer.length - 1);
    this.count--;
    return item;
  }

  private grow(): void {
    if (this.count < this.buffer.length) return;
    const bigger: (T | undefined)[] = new Array(this.buffer.length * 2);
    for (let i = 0; i < this.count; i++) bigger[i] = this.buffer[(this.head + i) & (this.buffer.length - 1)];
    this.buffer = bigger;
    this.head = 0;
  }
}
