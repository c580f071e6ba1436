import { Worker } from 'node:worker_threads';
import { EndpointError, type EndpointErrorKind } from '../llm/errors';
import { CancelledError, SharedCancelFlag, type CancellationLike } from './cancellation';
import type { JobInput, JobKind, JobOutput } from './jobs';
import type { JobProgress, JobReply, JobRequest } from './protocol';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  flag: SharedCancelFlag;
  cancelListener?: { dispose(): void };
  onProgress?: (progress: JobProgress) => void;
}

export class WorkerCrashedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerCrashedError';
  }
}

/**
 * One worker thread, started on first use and restarted if it dies. Synchronous jobs
 * run in arrival order; the LLM job awaits the network while later ones run. The thread is unref'd while idle so it never keeps a process alive.
 */
export class WorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;

  constructor(private readonly scriptPath: string) {}

  run<K extends JobKind>(kind: K, input: JobInput<K>, cancellation?: CancellationLike, onProgress?: (progress: JobProgress) => void): Promise<JobOutput<K>> {
    if (this.disposed) return Promise.reject(new Error('worker client disposed'));
    if (cancellation?.isCancellationRequested) return Promise.reject(new CancelledError());
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const flag = new SharedCancelFlag();
    return new Promise<JobOutput<K>>((resolve, reject) => {
      const entry: Pending = onProgress ? { resolve: resolve as (v: unknown) => void, reject, flag, onProgress } : { resolve: resolve as (v: unknown) => void, reject, flag };
      entry.cancelListener = cancellation?.onCancellationRequested(() => {
        // The worker sees the flag at its next poll; the caller is released at once.
        flag.abort();
        this.settle(id, (p) => p.reject(new CancelledError()));
      });
      this.pending.set(id, entry);
      worker.ref();
      const request: JobRequest<K> = { id, kind, input, cancelBuffer: flag.buffer };
      worker.postMessage(request);
    });
  }

  /** Cancels everything in flight and stops the thread. */
  dispose(): void {
    this.disposed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(new CancelledError('disposed')));
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.scriptPath);
    worker.on('message', (reply: JobReply) => {
      if ('progress' in reply) {
        this.pending.get(reply.id)?.onProgress?.(reply.progress);
        return;
      }
      this.settle(reply.id, (p) => {
        if (reply.ok) p.resolve(reply.output);
        else {
          const { name, message, kind } = reply.error;
          // An endpoint failure keeps its kind across the thread boundary (the UI acts on it).
          const error =
            name === 'AbortError' ? new CancelledError(message) : kind !== undefined && name === 'EndpointError' ? new EndpointError(kind as EndpointErrorKind, message) : new Error(message);
          error.name = name;
          p.reject(error);
        }
      });
    });
    const fail = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(new WorkerCrashedError(error.message)));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`worker exited with code ${code}`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(id: number, action: (p: Pending) => void): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    entry.cancelListener?.dispose();
    action(entry);
    if (this.pending.size === 0) this.worker?.unref();
  }
}
