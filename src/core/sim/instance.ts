import { MinHeap } from './heap';
import { IterationBreakdown, IterationShape, LatencyModel, decodeShape } from './latency';
import { Deque, Phase, SimRequest } from './request';

/** Scheduler knobs of one serving instance (names follow vLLM where it has them). */
export interface SchedulerOptions {
  /** Most sequences running at once (vLLM max_num_seqs; `--batch-size`). */
  maxBatch: number;
  /** Most prompt tokens in one prefill iteration (vLLM max_num_batched_tokens). Infinity: static batch. */
  maxBatchedTokens: number;
  /** Sarathi/vLLM-v1 style: every iteration mixes decodes with prompt chunks up to chunkTokens. */
  chunkedPrefill: boolean;
  chunkTokens: number;
  /**
   * With chunkedPrefill: prompts are never split. A prompt joins an iteration only whole, beside
   * the decodes, within the same chunkTokens budget, and otherwise waits for a later one
   * (TensorRT-LLM with enable_chunked_prefill off: its micro-batch scheduler counts decodes and
   * whole context requests against max_num_tokens). Unset: prompts are cut to fill the budget.
   */
  wholePrompts?: boolean;
  /** Fraction of KV capacity kept free when admitting new prompts (vLLM watermark). */
  watermark: number;
  /**
   * Admit a request only when the KV of its whole life (input + output tokens) fits beside what
   * the running requests will grow to (TensorRT-LLM's GUARANTEED_NO_EVICT capacity scheduler,
   * trtllm-bench's default): no preemption, smaller batches. Unset: vLLM-style admission on the
   * prompt alone, growth paid by preemption.
   */
  reserveFullSequence?: boolean;
  /**
   * The prefill computes the KV of every prompt token but the last; the last goes through the
   * next decode step, which emits the first token, and a one-token prompt skips the prefill
   * (LMDeploy TurboMind v0.1.0a1: data/calibration.json, engine lmdeploy). Unset: the prefill
   * emits the first token, as vLLM and TensorRT-LLM do.
   */
  lastPromptTokenInDecode?: boolean;
  /**
   * SGLang's admission (its scheduler's new_token_ratio): a prompt is admitted when its KV, its
   * own whole output and `share` of every admitted request's remaining output fit. The share
   * starts at initialShare, falls by (initialShare - minShare) / decaySteps each decode step to
   * minShare, and after a retraction (a preemption) is set to what the running requests have
   * decoded of their outputs, plus retractLookaheadSteps tokens each. A retraction frees room
   * for retractLookaheadSteps more decode steps of the running requests, not one. Unset:
   * admission on the prompt alone (or reserveFullSequence).
   */
  outputReservation?: OutputReservation;
  /**
   * The scheduler runs one batch ahead of the GPU (SGLang 0.4's overlap scheduler): the batch
   * that starts when an iteration ends was composed when that iteration started, so it holds
   * only the requests that had arrived by then; a request arriving during an iteration waits
   * for the next one too, unless there is nothing else to run (an idle loop receives it at
   * once). The CPU side of an iteration overlapping the GPU's is the latency model's
   * (EngineTraits.cpuOverlapsGpu). Unset: each batch is composed when the last one ends.
   */
  overlapScheduling?: boolean;
  /**
   * Every request runs to its stated output length and the engine knows it (a benchmark's
   * ignore_eos): with outputReservation, SGLang then admits a prompt only when, with every
   * request running to its end and freeing its KV when it finishes, the KV never runs out
   * (PrefillAdder.add_one_req_ignore_eos, taken when the request ignores EOS and the radix cache
   * is off), and stops adding prompts once the ratio's budget (above) is spent.
   */
  knownOutputs?: boolean;
  /**
   * Without chunkedPrefill: a prefill iteration fills maxBatchedTokens, cutting the last prompt
   * and finishing it in the next iteration, which is a prefill too (SGLang's
   * chunked_prefill_size without mixed chunks). Unset: whole prompts; one that does not fit
   * waits.
   */
  splitPrompts?: boolean;
}

export interface OutputReservation {
  initialShare: number;
  minShare: number;
  decaySteps: number;
  retractLookaheadSteps: number;
}

export type InstanceRole = 'mixed' | 'prefill' | 'decode';

/** What an instance needs from the cluster around it. */
export interface InstanceHost {
  readonly now: number;
  scheduleStepEnd(instance: Instance, at: number): void;
  onFinish(request: SimRequest, instance: Instance): void;
  /** Prefill instance finished a prompt whose request must continue on a decode instance. */
  onPrefillHandoff(request: SimRequest, instance: Instance): void;
  onPreempt(request: SimRequest, instance: Instance): void;
  /** A migrating request was taken off this (source) instance at an iteration boundary. */
  onPausedForMigration(request: SimRequest, instance: Instance): void;
}

interface FinishEntry {
  step: number;
  epoch: number;
  request: SimRequest;
}

/**
 * One model replica (a tensor-parallel group) doing continuous batching. Decoding sequences are
 * tracked in aggregate: a global decode-step counter gives every sequence's context length and
 * token count, so an iteration costs O(1) plus O(log n) per finishing sequence, whatever the
 * batch size.
 */
export class Instance {
  private readonly waitingHigh = new Deque<SimRequest>();
  private readonly waitingNormal = new Deque<SimRequest>();
  /** Decode set in join order (the tail is the newest: the first preemption victim). */
  private tail: SimRequest | null = null;
  private readonly finishHeap = new MinHeap<FinishEntry>((a, b) => a.step < b.step || (a.step === b.step && a.request.id < b.request.id));
  private readonly prefilling: SimRequest[] = [];
  private readonly pendingPauses: SimRequest[] = [];
  private readonly pendingAdoptions: { request: SimRequest; context: number; reserved: number }[] = [];
  /** True while an iteration's results are applied: callbacks must not start the next one early. */
  private settling = false;
  /** When the running (or last) iteration started: overlapScheduling's view of the queue. */
  private iterationStartedAt = 0;
  /** Requests queued after this time are not yet visible to the batch being composed. */
  private visibleUntil = Number.POSITIVE_INFINITY;
  private readonly batchRequests: SimRequest[] = [];
  private readonly batchChunks: number[] = [];
  /** Requests in the decode set whose first token their next decode step emits (lastPromptTokenInDecode). */
  private awaitingFirstToken: SimRequest[] = [];
  private batchDecodes = 0;

  private waitingDemand = 0;
  decodeCount = 0;
  decodeStep = 0;
  /** Sum of context lengths of the decode set = its KV tokens. */
  contextTokens = 0;
  /** KV tokens held outside the decode set (prompts being computed, KV waiting to be sent or received). */
  reservedTokens = 0;
  highPriorityRunning = 0;
  private highPriorityPrefilling = 0;
  /** KV tokens the admitted requests will hold at their end (full-sequence reservation only). */
  committedTokens = 0;
  busy = false;
  busySeconds = 0;
  /** Busy seconds weighted by each iteration's tensor-core and memory utilisation (for power). */
  computeBusySeconds = 0;
  memoryBusySeconds = 0;
  flops = 0;
  iterations = 0;
  preemptions = 0;
  /** Request being migrated out of / into this instance (Llumnix allows one of each at a time). */
  migratingOut: SimRequest | null = null;
  migratingIn = 0;
  lastIterationSeconds = 0;
  /**
   * Inter-token latency: each decode iteration's gap since the previous decode iteration ended
   * (prefill-only iterations in between included, as a streaming client sees them), weighted by
   * the sequences that decoded in both; a sequence whose prefill just emitted its first token
   * counts the gap from that token.
   */
  readonly tokenGapsSeconds: number[] = [];
  readonly tokenGapWeights: number[] = [];
  private lastDecodeEndAt = -1;
  /**
   * The sequences that joined the decode set since the last decode step, with when their latest
   * token came out (-1: none yet, the decode step emits their first) and their decode epoch (a
   * sequence preempted or paused before that step no longer counts).
   */
  private readonly joinedSinceDecode: Array<{ request: SimRequest; epoch: number; lastTokenAt: number }> = [];
  /** outputReservation's current share, and the decode set's outputs and tokens decoded (for its reset). */
  private outputShare: number;
  private decodeOutputTokens = 0;
  private decodePromptTokens = 0;
  /**
   * knownOutputs admission: the decode set by the step each request finishes at (tokens left
   * fall by one a step for all of them, so the order holds), and within one composition the
   * outputs admitted so far.
   */
  private readonly byFinish: SimRequest[] = [];
  private planLeft = new Float64Array(0);
  private planHeld = new Float64Array(0);
  private roundOutputs = 0;
  private roundAdmitted = 0;

  constructor(
    readonly index: number,
    readonly role: InstanceRole,
    readonly latency: LatencyModel,
    readonly capacityTokens: number,
    readonly options: SchedulerOptions,
    private readonly host: InstanceHost,
    /** Keep the inter-token gaps (tokenGapsSeconds): only runs that report ITL pay for them. */
    private readonly recordTokenGaps = false,
  ) {
    this.fusedDecode = options.lastPromptTokenInDecode === true && !options.chunkedPrefill && role !== 'prefill';
    this.outputShare = options.outputReservation?.initialShare ?? 0;
  }

  /**
   * TurboMind's loop (lastPromptTokenInDecode without chunks): an iteration prefills the new
   * prompts, all tokens but the last, then runs one decode step over the running sequences and
   * the new prompts' last tokens, which emits their first tokens: two forward passes, one
   * iteration, and the running sequences never wait for a prefill.
   */
  private readonly fusedDecode: boolean;

  /** Sequences of the decode set that an iteration of this instance decodes. */
  private get decodingInBatch(): number {
    return this.role === 'prefill' ? 0 : this.decodeCount;
  }

  get gpus(): number {
    return this.latency.tensorParallel;
  }

  get waitingCount(): number {
    return this.waitingHigh.length + this.waitingNormal.length;
  }

  get runningCount(): number {
    return this.decodeCount + this.prefilling.length;
  }

  /** High-priority requests held here in any phase (queued, prefilling, decoding). */
  get highPriorityResident(): number {
    return this.waitingHigh.length + this.highPriorityPrefilling + this.highPriorityRunning;
  }

  get usedTokens(): number {
    return this.contextTokens + this.reservedTokens;
  }

  /** KV tokens the queued requests will need (their prompts, or their KV when it is ready). */
  waitingDemandTokens(): number {
    return this.waitingDemand;
  }

  private pushWaiting(r: SimRequest, front: boolean): void {
    r.queuedDemand = r.readyKvTokens > 0 ? r.readyKvTokens : r.prefillLen;
    // A request put back at the front (preempted) was already visible to the scheduler.
    r.queuedAt = front ? Number.NEGATIVE_INFINITY : this.host.now;
    this.waitingDemand += r.queuedDemand;
    const q = r.highPriority ? this.waitingHigh : this.waitingNormal;
    if (front) q.pushFront(r);
    else q.pushBack(r);
  }

  /** Current context length and emitted tokens of a decoding request. */
  contextOf(r: SimRequest): number {
    return r.baseContext + (this.decodeStep - r.joinStep);
  }

  generatedOf(r: SimRequest): number {
    return r.phase === Phase.Decoding ? r.generatedAtJoin + (this.decodeStep - r.joinStep) : r.generated;
  }

  enqueue(r: SimRequest): void {
    // A new arrival's last prompt token waits for the decode step on such engines.
    if (this.options.lastPromptTokenInDecode && r.phase === Phase.NotArrived) r.prefillLen = Math.max(0, r.input - 1);
    r.instance = this.index;
    r.phase = Phase.Waiting;
    this.pushWaiting(r, false);
    this.tryStart();
  }

  /** Reserve KV room for a request that will arrive with its KV (incoming migration). */
  reserve(tokens: number): boolean {
    if (this.usedTokens + tokens > this.capacityTokens) return false;
    this.reservedTokens += tokens;
    return true;
  }

  release(tokens: number): void {
    this.reservedTokens -= tokens;
    this.tryStart();
  }

  /**
   * Put a request whose KV now sits in this instance's memory (held in `reserved` tokens of
   * reservation) straight into the decode set.
   */
  adoptDecoding(r: SimRequest, contextTokens: number, reserved: number): void {
    r.instance = this.index;
    // Joining mid-iteration would credit the request with a token of an iteration it missed.
    if (this.busy || this.settling) {
      this.pendingAdoptions.push({ request: r, context: contextTokens, reserved });
      return;
    }
    this.reservedTokens -= reserved;
    this.joinDecode(r, contextTokens);
    this.tryStart();
  }

  /** Ask for a decoding request to be taken off at the next iteration boundary (migration cut-over). */
  requestPause(r: SimRequest): void {
    if (this.busy) this.pendingPauses.push(r);
    else this.pauseNow(r);
  }

  /** Newest decoding requests, most recent first (candidates for migration). */
  newestDecoding(limit: number): SimRequest[] {
    const out: SimRequest[] = [];
    for (let r = this.tail; r && out.length < limit; r = r.prev) out.push(r);
    return out;
  }

  tryStart(): void {
    if (this.busy || this.settling) return;
    const now = this.host.now;
    if (!this.compose()) {
      // An idle loop receives the requests that arrived during the last iteration at once.
      if (this.visibleUntil === Number.POSITIVE_INFINITY) return;
      this.visibleUntil = Number.POSITIVE_INFINITY;
      if (!this.compose()) return;
    }
    const b = this.fusedDecode && this.batchRequests.length > 0 ? this.fusedBreakdown() : this.latency.breakdown(this.shape());
    this.busy = true;
    this.iterationStartedAt = now;
    this.busySeconds += b.seconds;
    this.computeBusySeconds += b.seconds * b.computeUtilization;
    this.memoryBusySeconds += b.seconds * b.memoryUtilization;
    this.flops += b.flops;
    this.iterations++;
    this.lastIterationSeconds = b.seconds;
    this.host.scheduleStepEnd(this, now + b.seconds);
  }

  /** End of the running iteration: account tokens, finish and hand off requests, start the next. */
  stepEnd(): void {
    this.busy = false;
    this.settling = true;
    if (this.batchDecodes > 0) {
      if (this.recordTokenGaps) this.recordGaps();
      const reservation = this.options.outputReservation;
      if (reservation) {
        this.outputShare = Math.max(reservation.minShare, this.outputShare - (reservation.initialShare - reservation.minShare) / reservation.decaySteps);
      }
      this.decodeStep++;
      this.contextTokens += this.batchDecodes;
      if (this.awaitingFirstToken.length > 0) this.emitFirstTokens();
      const heap = this.finishHeap;
      for (let top = heap.peek(); top && top.step <= this.decodeStep; top = heap.peek()) {
        heap.pop();
        const r = top.request;
        if (r.decodeEpoch !== top.epoch || r.phase !== Phase.Decoding || r.instance !== this.index) continue;
        this.leaveDecode(r);
        this.host.onFinish(r, this);
      }
    }
    const requests = this.batchRequests;
    const chunks = this.batchChunks;
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i]!;
      r.prefillDone += chunks[i]!;
      if (r.prefillDone >= r.prefillLen) this.completePrefill(r);
    }
    requests.length = 0;
    chunks.length = 0;
    this.batchDecodes = 0;
    if (this.recordTokenGaps && this.decodeCount === 0) this.lastDecodeEndAt = -1;
    if (this.pendingPauses.length > 0) {
      for (const r of this.pendingPauses.splice(0)) this.pauseNow(r);
    }
    if (this.pendingAdoptions.length > 0) {
      for (const a of this.pendingAdoptions.splice(0)) {
        this.reservedTokens -= a.reserved;
        this.joinDecode(a.request, a.context);
      }
    }
    this.settling = false;
    // Overlap scheduling: the next batch was composed when this one started.
    if (this.options.overlapScheduling) this.visibleUntil = this.iterationStartedAt;
    this.tryStart();
    this.visibleUntil = Number.POSITIVE_INFINITY;
  }

  /** A decode step just ended: the gap each of its sequences saw since its last token. */
  private recordGaps(): void {
    const now = this.host.now;
    let joined = 0;
    for (const j of this.joinedSinceDecode) {
      const r = j.request;
      if (r.phase !== Phase.Decoding || r.instance !== this.index || r.decodeEpoch !== j.epoch) continue;
      joined++;
      // A first token is time to first token, not a gap.
      if (j.lastTokenAt >= 0) this.pushGap(now - j.lastTokenAt, 1);
    }
    this.joinedSinceDecode.length = 0;
    if (this.lastDecodeEndAt >= 0 && this.batchDecodes > joined) this.pushGap(now - this.lastDecodeEndAt, this.batchDecodes - joined);
    this.lastDecodeEndAt = now;
  }

  private pushGap(seconds: number, sequences: number): void {
    this.tokenGapsSeconds.push(seconds);
    this.tokenGapWeights.push(sequences);
  }

  /** Decode step just ended: the requests that joined the decode set without a token have their first. */
  private emitFirstTokens(): void {
    const now = this.host.now;
    for (const r of this.awaitingFirstToken) {
      if (r.phase === Phase.Decoding && r.instance === this.index && r.firstTokenAt < 0 && this.generatedOf(r) > 0) r.firstTokenAt = now;
    }
    // Requests that left the decode set before a decode step (preempted, paused) get theirs
    // when they join again.
    this.awaitingFirstToken = this.awaitingFirstToken.filter((r) => r.firstTokenAt < 0 && r.phase === Phase.Decoding && r.instance === this.index);
  }

  private pauseNow(r: SimRequest): void {
    if (r.phase !== Phase.Decoding || r.instance !== this.index) {
      this.host.onPausedForMigration(r, this);
      return;
    }
    this.leaveDecode(r);
    r.phase = Phase.Transferring;
    this.host.onPausedForMigration(r, this);
  }

  private completePrefill(r: SimRequest): void {
    const idx = this.prefilling.indexOf(r);
    if (idx >= 0) this.prefilling.splice(idx, 1);
    if (r.highPriority) this.highPriorityPrefilling--;
    // The prefill emits the first token, unless the engine leaves the last prompt token to a
    // decode step: in the same iteration (fusedDecode) or in the next one.
    if (!this.options.lastPromptTokenInDecode || this.fusedDecode) {
      r.generated += 1;
      if (r.firstTokenAt < 0) r.firstTokenAt = this.host.now;
      else if (this.recordTokenGaps && r.lastTokenAt >= 0) this.pushGap(this.host.now - r.lastTokenAt, 1); // the recompute after a preemption
      if (this.recordTokenGaps) r.lastTokenAt = this.host.now;
    }
    const context = r.prefillLen + (this.fusedDecode ? 1 : 0);
    r.prefillDone = 0;
    if (r.generated >= r.output) {
      this.reservedTokens -= r.reserved;
      r.reserved = 0;
      this.uncommit(r);
      this.host.onFinish(r, this);
    } else if (this.role === 'prefill') {
      this.uncommit(r);
      // The KV stays reserved here until the transfer to a decode instance completes.
      r.readyKvTokens = context;
      r.phase = Phase.Transferring;
      this.host.onPrefillHandoff(r, this);
    } else {
      this.reservedTokens -= r.reserved;
      r.reserved = 0;
      this.joinDecode(r, context);
    }
  }

  private joinDecode(r: SimRequest, context: number): void {
    r.phase = Phase.Decoding;
    r.joinStep = this.decodeStep;
    r.baseContext = context;
    r.generatedAtJoin = r.generated;
    r.finishStep = this.decodeStep + (r.output - r.generated);
    r.readyKvTokens = 0;
    // Its next token's gap runs from its latest one: a prefill here or on a prefill instance
    // (and the KV transfer), or its last decode before a migration.
    if (this.recordTokenGaps) this.joinedSinceDecode.push({ request: r, epoch: r.decodeEpoch, lastTokenAt: r.lastTokenAt });
    if (r.firstTokenAt < 0) this.awaitingFirstToken.push(r);
    r.prev = this.tail;
    r.next = null;
    if (this.tail) this.tail.next = r;
    this.tail = r;
    this.decodeCount++;
    this.decodeOutputTokens += r.output;
    this.decodePromptTokens += context - r.generated;
    this.contextTokens += context;
    if (r.highPriority) this.highPriorityRunning++;
    this.finishHeap.push({ step: r.finishStep, epoch: r.decodeEpoch, request: r });
    if (this.options.knownOutputs) this.byFinish.splice(finishIndex(this.byFinish, r.finishStep, r.id), 0, r);
  }

  private uncommit(r: SimRequest): void {
    this.committedTokens -= r.committed;
    r.committed = 0;
  }

  private leaveDecode(r: SimRequest): void {
    if (this.options.knownOutputs) {
      const at = finishIndex(this.byFinish, r.finishStep, r.id);
      if (this.byFinish[at] !== r) throw new Error(`request ${r.id} is not in the decode set's finishing order`);
      this.byFinish.splice(at, 1);
    }
    this.uncommit(r);
    const context = this.contextOf(r);
    r.generated = r.generatedAtJoin + (this.decodeStep - r.joinStep);
    // Its latest token: the last decode step, if it decoded since it joined.
    if (this.recordTokenGaps && this.decodeStep > r.joinStep) r.lastTokenAt = this.lastDecodeEndAt;
    this.contextTokens -= context;
    this.decodeCount--;
    this.decodeOutputTokens -= r.output;
    this.decodePromptTokens -= context - r.generated;
    if (r.highPriority) this.highPriorityRunning--;
    if (r.prev) r.prev.next = r.next;
    if (r.next) r.next.prev = r.prev;
    else this.tail = r.prev;
    r.prev = null;
    r.next = null;
    r.decodeEpoch++;
    r.baseContext = context;
  }

  /** The next waiting request the batch being composed can see (see overlapScheduling). */
  private peekWaiting(): SimRequest | undefined {
    const r = this.waitingHigh.peek() ?? this.waitingNormal.peek();
    return r !== undefined && r.queuedAt <= this.visibleUntil ? r : undefined;
  }

  private popWaiting(): SimRequest {
    const r = (this.waitingHigh.length > 0 ? this.waitingHigh.popFront() : this.waitingNormal.popFront())!;
    this.waitingDemand -= r.queuedDemand;
    return r;
  }

  private admissionLimit(): number {
    return this.capacityTokens * (1 - this.options.watermark);
  }

  /** Requests that arrive with their KV (from a prefill instance) join the decode set without compute. */
  private admitReady(): void {
    for (let r = this.peekWaiting(); r && r.readyKvTokens > 0; r = this.peekWaiting()) {
      if (this.runningCount >= this.options.maxBatch) return;
      if (this.usedTokens + r.readyKvTokens > this.admissionLimit() && this.runningCount > 0) return;
      this.popWaiting();
      this.joinDecode(r, r.readyKvTokens);
    }
  }

  /** Start a waiting request's prompt; false when it has nothing to prefill and went straight to the decode set. */
  private admitPrompt(r: SimRequest): boolean {
    this.popWaiting();
    if (r.prefillLen === 0 && this.role === 'prefill') {
      // A one-token prompt on an engine whose decode step takes the last prompt token: nothing
      // to compute here, straight on to a decode instance.
      r.phase = Phase.Transferring;
      this.host.onPrefillHandoff(r, this);
      return false;
    }
    if (this.options.reserveFullSequence || this.options.outputReservation) {
      r.committed = r.input + r.output;
      this.committedTokens += r.committed;
    }
    if (this.options.knownOutputs && this.options.outputReservation) {
      this.roundOutputs += r.output - r.generated;
      this.roundAdmitted++;
    }
    if (r.prefillLen === 0) {
      this.joinDecode(r, 0);
      return false;
    }
    r.phase = Phase.Prefilling;
    r.prefillDone = 0;
    r.reserved = r.prefillLen;
    this.reservedTokens += r.prefillLen;
    this.prefilling.push(r);
    if (r.highPriority) this.highPriorityPrefilling++;
    return true;
  }

  private canAdmitPrompt(r: SimRequest): boolean {
    if (r.readyKvTokens > 0) return false;
    if (this.runningCount >= this.options.maxBatch) return false;
    // An empty instance always admits one request, so one that needs most of memory still runs.
    if (this.runningCount === 0 && this.reservedTokens === 0) return true;
    if (this.options.reserveFullSequence) return this.committedTokens + r.input + r.output <= this.capacityTokens;
    if (this.options.outputReservation && this.options.knownOutputs) return this.fitsPlannedOutputs(r);
    if (this.options.outputReservation) {
      const remainingOutputs = Math.max(0, this.committedTokens - this.usedTokens);
      return this.usedTokens + this.outputShare * remainingOutputs + r.prefillLen + (r.output - r.generated) <= this.admissionLimit();
    }
    // A prompt with nothing to prefill joins the decode set at once and needs room for its token
    // beside the running sequences' next ones (else it would be preempted straight back).
    if (r.prefillLen === 0 && this.role !== 'prefill') return this.usedTokens + this.decodeCount + 1 <= this.admissionLimit();
    return this.usedTokens + r.prefillLen <= this.admissionLimit();
  }

  /**
   * SGLang's admission of a request that runs to its known end (add_one_req_ignore_eos): the
   * ratio budget left by this round's earlier admissions (budget_state), then the KV over the
   * requests' remaining lives: sorted by tokens left, at each one's end the others still
   * running must have grown by the next one's tokens left in the KV that is free plus what the
   * finished ones held.
   */
  private fitsPlannedOutputs(r: SimRequest): boolean {
    const limit = this.admissionLimit();
    if (this.roundAdmitted > 0) {
      const runningLeft = this.decodeOutputTokens - (this.contextTokens - this.decodePromptTokens);
      if (limit - this.usedTokens - this.outputShare * runningLeft - this.roundOutputs <= 0) return false;
    }
    // Merge the decode set (kept in order), the prompts being prefilled and this one by tokens left.
    const others = this.prefilling.map((p) => ({ left: p.output - p.generated, held: p.input + p.generated }));
    others.push({ left: r.output - r.generated, held: r.input + r.generated });
    others.sort((a, b) => a.left - b.left);
    const n = this.byFinish.length + others.length;
    if (this.planLeft.length < n) {
      this.planLeft = new Float64Array(2 * n);
      this.planHeld = new Float64Array(2 * n);
    }
    const left = this.planLeft;
    const held = this.planHeld;
    for (let i = 0, a = 0, b = 0; i < n; i++) {
      const d = this.byFinish[a];
      const dLeft = d ? d.finishStep - this.decodeStep : Number.POSITIVE_INFINITY;
      if (b >= others.length || dLeft <= others[b]!.left) {
        left[i] = dLeft;
        held[i] = this.contextOf(d!);
        a++;
      } else {
        left[i] = others[b]!.left;
        held[i] = others[b]!.held;
        b++;
      }
    }
    const free = limit - this.usedTokens - r.prefillLen;
    let freed = 0;
    for (let i = 0; i < n; i++) {
      const steps = i + 1 < n ? left[i + 1]! : left[i]!;
      if (free + freed - steps * (n - i) <= 0) return false;
      freed += held[i]!;
    }
    return true;
  }

  /** Choose the next iteration's work. Returns false when there is none (the instance idles). */
  private compose(): boolean {
    this.roundOutputs = 0;
    this.roundAdmitted = 0;
    this.admitReady();
    const opts = this.options;
    const requests = this.batchRequests;
    const chunks = this.batchChunks;
    if (opts.chunkedPrefill) {
      let budget = opts.chunkTokens - this.decodingInBatch;
      budget -= this.continuePrompts(budget);
      for (let r = this.peekWaiting(); r && budget > 0 && this.canAdmitPrompt(r); r = this.peekWaiting()) {
        // Whole prompts only: one that does not fit waits (first come, first served), unless the
        // iteration would otherwise be empty, where it runs alone over budget rather than never.
        if (opts.wholePrompts && r.prefillLen > budget && (requests.length > 0 || this.decodingInBatch > 0)) break;
        if (!this.admitPrompt(r)) {
          budget--; // its token decodes in this iteration
          continue;
        }
        const c = opts.wholePrompts ? r.prefillLen : Math.min(r.prefillLen, budget);
        requests.push(r);
        chunks.push(c);
        budget -= c;
      }
      // Prompts that went straight to the decode set decode in this iteration too.
      this.batchDecodes = this.decodingInBatch;
    } else {
      // vLLM (v0) default: waiting prompts are prefilled first, pausing the running decodes.
      // A prompt cut in the last prefill goes on first.
      let tokens = opts.splitPrompts ? this.continuePrompts(opts.maxBatchedTokens) : 0;
      for (let r = this.peekWaiting(); r && this.canAdmitPrompt(r); r = this.peekWaiting()) {
        if (opts.splitPrompts) {
          if (tokens >= opts.maxBatchedTokens) break;
        } else if (requests.length > 0 && tokens + r.prefillLen > opts.maxBatchedTokens) break;
        if (!this.admitPrompt(r)) continue;
        const c = opts.splitPrompts ? Math.min(r.prefillLen, opts.maxBatchedTokens - tokens) : r.prefillLen;
        requests.push(r);
        chunks.push(c);
        tokens += c;
      }
      // TurboMind decodes every iteration (fusedDecode); vLLM v0 pauses decodes for a prefill.
      this.batchDecodes = requests.length === 0 || this.fusedDecode ? this.decodingInBatch : 0;
    }
    if (this.batchDecodes > 0) this.makeRoomForDecode();
    return requests.length > 0 || this.batchDecodes > 0;
  }

  /** Put the prompts whose prefill is under way into the batch, up to `budget` tokens; returns the tokens taken. */
  private continuePrompts(budget: number): number {
    let taken = 0;
    for (const r of this.prefilling) {
      if (taken >= budget) break;
      const c = Math.min(r.prefillLen - r.prefillDone, budget - taken);
      this.batchRequests.push(r);
      this.batchChunks.push(c);
      taken += c;
    }
    return taken;
  }

  /** Preempt (recompute) the newest sequences until every decoding sequence has room for one more token. */
  private makeRoomForDecode(): void {
    if (this.usedTokens + this.decodeCount <= this.capacityTokens) {
      this.batchDecodes = this.decodingInBatch;
      return;
    }
    const reservation = this.options.outputReservation;
    const lookahead = reservation?.retractLookaheadSteps ?? 1;
    while (this.decodeCount > 1 && this.usedTokens + this.decodeCount * lookahead > this.capacityTokens) {
      const victim = this.pickVictim();
      this.leaveDecode(victim);
      victim.prefillLen = victim.input + victim.generated - (this.options.lastPromptTokenInDecode ? 1 : 0);
      victim.prefillDone = 0;
      victim.preemptions++;
      this.preemptions++;
      victim.phase = Phase.Waiting;
      this.pushWaiting(victim, true);
      this.host.onPreempt(victim, this);
    }
    if (reservation && this.decodeOutputTokens > 0) {
      const decoded = this.contextTokens - this.decodePromptTokens;
      this.outputShare = Math.min(1, (decoded + lookahead * this.decodeCount) / this.decodeOutputTokens);
    }
    this.batchDecodes = this.decodingInBatch;
  }

  /** Newest normal-priority sequence, else the newest; never one being migrated out. */
  private pickVictim(): SimRequest {
    let fallback: SimRequest | null = null;
    for (let r = this.tail; r; r = r.prev) {
      if (r.migration) continue;
      if (!r.highPriority) return r;
      fallback ??= r;
    }
    return fallback ?? this.tail!;
  }

  /**
   * A fusedDecode iteration with prompts: their prefill pass (all tokens but the last, no LM
   * head), then the decode pass over the running sequences and the prompts' last tokens. Each
   * pass pays its own per-layer and per-sequence costs; the loop's step cost is paid once.
   */
  private fusedBreakdown(): IterationBreakdown {
    const prefill = this.latency.breakdown(this.shape(0));
    let prompts = 0;
    let promptContext = 0;
    for (const r of this.batchRequests) {
      prompts++;
      promptContext += r.prefillLen + 1;
    }
    const d = this.batchDecodes;
    const decode = this.latency.breakdown(decodeShape(d + prompts, (d > 0 ? this.contextTokens + d : 0) + promptContext));
    const loopCost = this.latency.efficiency.stepOverheadMs * 1e-3;
    const passes = prefill.seconds + decode.seconds;
    const seconds = passes - loopCost;
    const weighted = (a: number, b: number) => Math.min(1, (a * prefill.seconds + b * decode.seconds) / passes);
    return {
      seconds,
      matmulSeconds: prefill.matmulSeconds + decode.matmulSeconds,
      attentionSeconds: prefill.attentionSeconds + decode.attentionSeconds,
      communicationSeconds: prefill.communicationSeconds + decode.communicationSeconds,
      overheadSeconds: prefill.overheadSeconds + decode.overheadSeconds - loopCost,
      flops: prefill.flops + decode.flops,
      computeUtilization: weighted(prefill.computeUtilization, decode.computeUtilization),
      memoryUtilization: weighted(prefill.memoryUtilization, decode.memoryUtilization),
      computeBound: prefill.computeBound,
    };
  }

  private shape(d = this.batchDecodes): IterationShape {
    let prefillTokens = 0;
    let pairs = 0;
    let cached = 0;
    let logits = 0;
    const requests = this.batchRequests;
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i]!;
      const c = this.batchChunks[i]!;
      const o = r.prefillDone;
      prefillTokens += c;
      pairs += c * (o + (c + 1) / 2);
      cached += o;
      // The last chunk of a prompt goes through the LM head, unless the decode step takes it.
      if (o + c >= r.prefillLen && !this.options.lastPromptTokenInDecode) logits++;
    }
    return {
      prefillTokens,
      prefillAttentionPairs: pairs,
      prefillCachedTokens: cached,
      decodeTokens: d,
      decodeContextTokens: d > 0 ? this.contextTokens + d : 0,
      logitTokens: logits + d,
      sequences: requests.length + d,
    };
  }
}

/** Where a request belongs in a list ordered by finishing step, then id (its index if it is there). */
function finishIndex(list: readonly SimRequest[], finishStep: number, id: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const m = list[mid]!;
    if (m.finishStep < finishStep || (m.finishStep === finishStep && m.id < id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
