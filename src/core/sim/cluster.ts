import { throwIfAborted, type CancelSignal } from '../worker/cancellation';
import { MinHeap } from './heap';
import { Instance, InstanceHost } from './instance';
import { MigrationState, Phase, SimRequest } from './request';

export type DispatchPolicy = 'round-robin' | 'least-loaded' | 'freeness';

/** Llumnix-style rescheduling knobs. Defaults are assumptions, stated in simulate.ts. */
export interface MigrationOptions {
  enabled: boolean;
  /** How often the global scheduler looks at instance loads. */
  intervalMs: number;
  /** Instances with freeness below this (KV blocks per running request) migrate out. */
  outThreshold: number;
  /** Instances with freeness above this accept migrations. */
  inThreshold: number;
  /** Virtual KV usage charged per high-priority request, as a share of the instance's KV capacity. */
  highPriorityHeadroom: number;
  /** Pre-copy stages before the final (stop-and-copy) stage. */
  maxPrecopyStages: number;
  /** Final stage starts once this few KV blocks remain to copy. */
  finalStageBlocks: number;
  /** Fixed cost of each copy stage (handshake, block table update). */
  stageLatencyMs: number;
}

export interface ClusterOptions {
  dispatch: DispatchPolicy;
  blockTokens: number;
  /** Bytes per second between two instances (KV transfer and migration), per GPU pair. */
  linkBytesPerSecond: number;
  linkLatencySeconds: number;
  kvBytesPerToken: number;
  migration: MigrationOptions | null;
  /** Closed loop: seconds a client waits after a reply before sending its next request. */
  thinkSeconds: number;
}

const enum EventKind {
  StepEnd,
  TransferDone,
  MigrationCutover,
  MigrationDone,
  MigrationTick,
  ClientSend,
}

interface SimEvent {
  time: number;
  seq: number;
  kind: EventKind;
  instance: Instance | null;
  request: SimRequest | null;
  migration: MigrationState | null;
}

/**
 * Events a group of runs may still use (one estimate shares one budget across all its
 * simulations). Each run draws what it used from `remaining`.
 */
export interface EventBudget {
  readonly total: number;
  remaining: number;
}

/** Bounds on a run: a cancel flag polled in the event loop, and an event budget. */
export interface RunLimits {
  signal?: CancelSignal;
  budget?: EventBudget;
}

/** Runs that needed more events than their budget allowed. */
export class SimulationWorkLimitError extends Error {
  constructor(readonly budgetEvents: number) {
    super(`it needs more than ${budgetEvents.toLocaleString('en-US')} simulated events`);
    this.name = 'SimulationWorkLimitError';
  }
}

// How often the event loop looks at the cancel flag and the event bound.
const LIMIT_CHECK_INTERVAL = 1024;

/**
 * The event loop and everything between instances: dispatch, prefill-to-decode KV transfer,
 * Llumnix migration, closed-loop clients. Time advances from event to event, never by ticks
 * (the periodic migration check is itself an event, only when migration is on).
 */
export class Cluster implements InstanceHost {
  now = 0;
  readonly finished: SimRequest[] = [];
  events = 0;
  migrations = 0;
  private seq = 0;
  private readonly heap = new MinHeap<SimEvent>((a, b) => a.time < b.time || (a.time === b.time && a.seq < b.seq));
  private roundRobin = 0;
  private nextArrival = 0;
  private nextClientRequest = 0;
  private outstanding = 0;
  readonly instances: Instance[] = [];
  readonly arrivalPool: Instance[] = [];
  readonly decodePool: Instance[] = [];

  constructor(
    private readonly requests: readonly SimRequest[],
    private readonly options: ClusterOptions,
    private readonly closedLoopClients: number,
  ) {}

  addInstance(instance: Instance): void {
    this.instances.push(instance);
    if (instance.role === 'prefill') this.arrivalPool.push(instance);
    else if (instance.role === 'decode') this.decodePool.push(instance);
    else this.arrivalPool.push(instance);
  }

  run(limits: RunLimits = {}): void {
    const requests = this.requests;
    const budget = limits.budget;
    let nextLimitCheck = LIMIT_CHECK_INTERVAL;
    this.outstanding = requests.length;
    if (this.closedLoopClients > 0) {
      const first = Math.min(this.closedLoopClients, requests.length);
      for (let i = 0; i < first; i++) this.send(requests[i]!, 0);
      this.nextClientRequest = first;
      this.nextArrival = requests.length;
    }
    if (this.options.migration?.enabled) this.push(this.options.migration.intervalMs / 1000, EventKind.MigrationTick, null, null, null);
    const heap = this.heap;
    for (;;) {
      if (this.events >= nextLimitCheck) {
        nextLimitCheck += LIMIT_CHECK_INTERVAL;
        throwIfAborted(limits.signal);
        if (budget && this.events > budget.remaining) {
          budget.remaining = 0;
          throw new SimulationWorkLimitError(budget.total);
        }
      }
      const top = heap.peek();
      const arrival = this.nextArrival < requests.length ? requests[this.nextArrival]!.arrival : Infinity;
      if (top === undefined && arrival === Infinity) break;
      if (top === undefined || arrival <= top.time) {
        const r = requests[this.nextArrival++]!;
        this.now = arrival;
        this.events++;
        this.dispatch(r);
        continue;
      }
      heap.pop();
      this.now = top.time;
      this.events++;
      this.handle(top);
      if (this.outstanding === 0 && this.nextArrival >= requests.length) {
        // Only periodic ticks can remain; drop them.
        if (heap.size === 0 || this.onlyTicksLeft()) break;
      }
    }
    if (budget) budget.remaining = Math.max(0, budget.remaining - this.events);
  }

  /**
   * The next migration check. While no request is in flight a check has nothing to move, so
   * the empty checks before the next arrival are skipped (whole intervals): at a
   * trickle of requests, hours of idle time would otherwise cost a check every 50 ms.
   */
  private nextTickTime(): number {
    const step = this.options.migration!.intervalMs / 1000;
    const idle = this.closedLoopClients === 0 && this.finished.length === this.nextArrival && this.nextArrival < this.requests.length;
    if (!idle) return this.now + step;
    const skip = Math.floor((this.requests[this.nextArrival]!.arrival - this.now) / step);
    return this.now + Math.max(1, skip) * step;
  }

  private onlyTicksLeft(): boolean {
    const top = this.heap.peek();
    return top !== undefined && top.kind === EventKind.MigrationTick && this.heap.size === 1;
  }

  private push(time: number, kind: EventKind, instance: Instance | null, request: SimRequest | null, migration: MigrationState | null): void {
    this.heap.push({ time, seq: this.seq++, kind, instance, request, migration });
  }

  private handle(e: SimEvent): void {
    switch (e.kind) {
      case EventKind.StepEnd:
        e.instance!.stepEnd();
        return;
      case EventKind.TransferDone:
        this.finishTransfer(e.request!, e.instance!);
        return;
      case EventKind.MigrationCutover:
        this.cutover(e.request!, e.migration!);
        return;
      case EventKind.MigrationDone:
        this.completeMigration(e.request!, e.migration!);
        return;
      case EventKind.MigrationTick:
        this.rebalance();
        if (this.outstanding > 0) this.push(this.nextTickTime(), EventKind.MigrationTick, null, null, null);
        return;
      case EventKind.ClientSend:
        this.dispatch(e.request!);
        return;
    }
  }

  private send(r: SimRequest, at: number): void {
    r.arrival = at;
    if (at <= this.now) this.dispatch(r);
    else this.push(at, EventKind.ClientSend, null, r, null);
  }

  // ---- InstanceHost ----

  scheduleStepEnd(instance: Instance, at: number): void {
    this.push(at, EventKind.StepEnd, instance, null, null);
  }

  onFinish(r: SimRequest): void {
    r.phase = Phase.Done;
    r.finishAt = this.now;
    r.generatedAtFinish = r.generated;
    r.generated = r.output;
    if (r.migration) this.abortMigration(r.migration);
    this.finished.push(r);
    this.outstanding--;
    if (this.closedLoopClients > 0 && this.nextClientRequest < this.requests.length) {
      const next = this.requests[this.nextClientRequest++]!;
      this.send(next, this.now + this.options.thinkSeconds);
    }
  }

  onPrefillHandoff(r: SimRequest, from: Instance): void {
    const seconds = this.transferSeconds(r.readyKvTokens, from.gpus);
    this.push(this.now + seconds, EventKind.TransferDone, from, r, null);
  }

  onPreempt(r: SimRequest): void {
    if (r.migration) this.abortMigration(r.migration);
  }

  onPausedForMigration(r: SimRequest, source: Instance): void {
    const m = r.migration;
    if (!m || m.aborted || r.phase !== Phase.Transferring) {
      if (m && !m.aborted) this.abortMigration(m);
      return;
    }
    const destination = this.instances[m.destination]!;
    const context = r.baseContext;
    if (context > m.reservedTokens) {
      // The request grew more than planned during pre-copy: top up the reservation if possible.
      const extra = context - m.reservedTokens;
      if (destination.reserve(extra)) m.reservedTokens += extra;
    }
    m.pausedAt = this.now;
    const remaining = Math.max(0, context - m.copiedTokens);
    const downtime = this.transferSeconds(remaining, Math.min(source.gpus, destination.gpus)) + this.options.migration!.stageLatencyMs / 1000;
    this.push(this.now + downtime, EventKind.MigrationDone, destination, r, m);
    source.migratingOut = null;
    source.tryStart();
  }

  // ---- dispatch ----

  private dispatch(r: SimRequest): void {
    const pool = this.arrivalPool;
    let target: Instance;
    switch (this.options.dispatch) {
      case 'round-robin':
        target = pool[this.roundRobin++ % pool.length]!;
        break;
      case 'least-loaded':
        // Fewest requests in the instance; ties go to the one with more free KV memory.
        target = argBest(pool, (i) => -(i.runningCount + i.waitingCount) - i.usedTokens / (i.capacityTokens + 1));
        break;
      case 'freeness':
        // Normal requests see the high-priority headroom and so avoid instances serving
        // high-priority requests; a high-priority request goes where it will run fastest, the
        // instance with the most real room per running request (usually one that the headroom
        // already keeps lightly loaded).
        target = r.highPriority ? argBest(pool, (i) => this.realFreeness(i)) : argBest(pool, (i) => this.freeness(i));
        break;
    }
    target.enqueue(r);
  }

  private finishTransfer(r: SimRequest, from: Instance): void {
    from.release(r.reserved);
    r.reserved = 0;
    // Decode side: the instance with the most free KV memory (DistServe's decode dispatcher).
    const target = argBest(this.decodePool, (i) => i.capacityTokens - i.usedTokens - i.waitingDemandTokens());
    target.enqueue(r);
  }

  private transferSeconds(tokens: number, gpusInParallel: number): number {
    return this.options.linkLatencySeconds + (tokens * this.options.kvBytesPerToken) / (this.options.linkBytesPerSecond * gpusInParallel);
  }

  // ---- Llumnix ----

  /**
   * Llumnix freeness: (free KV blocks - blocks the queue needs - virtual headroom of
   * high-priority requests) / running requests. Low freeness = loaded or fragmented. The
   * headroom is virtual usage: every high-priority request held by the instance (queued or
   * running) counts as if it used `highPriorityHeadroom` of the KV capacity on top of its real
   * usage, so normal load is dispatched and migrated away from it.
   */
  freeness(i: Instance): number {
    const headroom = this.options.migration ? this.options.migration.highPriorityHeadroom * i.capacityTokens * i.highPriorityResident : 0;
    return this.realFreeness(i) - headroom / this.options.blockTokens / Math.max(1, i.runningCount);
  }

  /** Freeness from real usage only (what a high-priority request itself will experience). */
  realFreeness(i: Instance): number {
    const free = i.capacityTokens - i.usedTokens - i.waitingDemandTokens();
    return free / this.options.blockTokens / Math.max(1, i.runningCount);
  }

  private rebalance(): void {
    const m = this.options.migration!;
    const ranked = this.instances.map((i) => ({ i, f: this.freeness(i) })).sort((a, b) => a.f - b.f || a.i.index - b.i.index);
    let lo = 0;
    let hi = ranked.length - 1;
    while (lo < hi) {
      const src = ranked[lo]!;
      const dst = ranked[hi]!;
      if (src.f >= m.outThreshold || dst.f <= m.inThreshold) return;
      if (src.i.migratingOut) {
        lo++;
        continue;
      }
      if (dst.i.migratingIn > 0) {
        hi--;
        continue;
      }
      if (this.startMigration(src.i, dst.i)) {
        lo++;
        hi--;
      } else {
        lo++;
      }
    }
  }

  private startMigration(source: Instance, destination: Instance): boolean {
    const m = this.options.migration!;
    const step = Math.max(source.lastIterationSeconds, 1e-4);
    const gpus = Math.min(source.gpus, destination.gpus);
    // Candidates: the newest decoding requests (shortest KV, cheapest to move), normal priority
    // first. A high-priority request moves only towards less real load: the source's low
    // freeness may be nothing but its own headroom.
    const towardsLessLoad = this.realFreeness(destination) > this.realFreeness(source);
    const candidates = source.newestDecoding(16).filter((r) => !r.migration && (!r.highPriority || towardsLessLoad));
    candidates.sort((a, b) => Number(a.highPriority) - Number(b.highPriority) || source.contextOf(a) - source.contextOf(b));
    for (const r of candidates) {
      const context = source.contextOf(r);
      const plan = precopyPlan(context, step, (tokens) => this.transferSeconds(tokens, gpus) + m.stageLatencyMs / 1000, m);
      const remainingOutput = r.output - source.generatedOf(r);
      if (remainingOutput <= plan.tokensDuringPrecopy + 2) continue;
      const reserve = context + plan.tokensDuringPrecopy + this.options.blockTokens;
      if (!destination.reserve(reserve)) return false;
      const state: MigrationState = {
        source: source.index,
        destination: destination.index,
        reservedTokens: reserve,
        copiedTokens: plan.copiedTokens,
        pausedAt: -1,
        aborted: false,
      };
      r.migration = state;
      source.migratingOut = r;
      destination.migratingIn++;
      this.push(this.now + plan.seconds, EventKind.MigrationCutover, source, r, state);
      return true;
    }
    return false;
  }

  private cutover(r: SimRequest, m: MigrationState): void {
    if (m.aborted || r.migration !== m) return;
    this.instances[m.source]!.requestPause(r);
  }

  private completeMigration(r: SimRequest, m: MigrationState): void {
    const destination = this.instances[m.destination]!;
    destination.migratingIn--;
    r.migration = null;
    r.migrations++;
    this.migrations++;
    destination.adoptDecoding(r, r.baseContext, m.reservedTokens);
  }

  private abortMigration(m: MigrationState): void {
    if (m.aborted) return;
    m.aborted = true;
    const source = this.instances[m.source]!;
    const destination = this.instances[m.destination]!;
    if (source.migratingOut && source.migratingOut.migration === m) source.migratingOut = null;
    destination.migratingIn--;
    destination.release(m.reservedTokens);
  }
}

export interface PrecopyPlan {
  /** Duration of the pre-copy stages (the request keeps decoding on the source meanwhile). */
  seconds: number;
  /** KV tokens copied by the pre-copy stages. */
  copiedTokens: number;
  /** Tokens the request generates on the source during pre-copy. */
  tokensDuringPrecopy: number;
  stages: number;
}

/**
 * Llumnix multi-stage pre-copy: stage 1 copies the whole KV while decoding continues; each
 * later stage copies what was generated during the previous one; stop once few blocks remain
 * (the final stop-and-copy is the only downtime) or after maxPrecopyStages stages.
 */
export function precopyPlan(
  contextTokens: number,
  stepSeconds: number,
  copySeconds: (tokens: number) => number,
  options: Pick<MigrationOptions, 'maxPrecopyStages' | 'finalStageBlocks'> & { blockTokens?: number },
): PrecopyPlan {
  const finalTokens = options.finalStageBlocks * (options.blockTokens ?? 16);
  let toCopy = contextTokens;
  let seconds = 0;
  let copied = 0;
  let generated = 0;
  let stages = 0;
  while (stages < options.maxPrecopyStages) {
    const d = copySeconds(toCopy);
    seconds += d;
    copied += toCopy;
    stages++;
    const grown = Math.ceil(d / stepSeconds);
    generated += grown;
    toCopy = grown;
    if (toCopy <= finalTokens) break;
  }
  return { seconds, copiedTokens: copied, tokensDuringPrecopy: generated, stages };
}

function argBest(pool: readonly Instance[], score: (i: Instance) => number): Instance {
  let best = pool[0]!;
  let bestScore = score(best);
  for (let k = 1; k < pool.length; k++) {
    const s = score(pool[k]!);
    if (s > bestScore) {
      best = pool[k]!;
      bestScore = s;
    }
  }
  return best;
}
