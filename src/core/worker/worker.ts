/**
 * Worker-thread entry: runs jobs from jobs.ts off the extension host's event loop.
 * Bundled on its own (dist/worker.js) so the tokenizers, the capsulator and the
 * simulator never load into the extension host itself.
 */
import { parentPort } from 'node:worker_threads';
import { SharedCancelFlag } from './cancellation';
import { jobHandlers, type JobKind } from './jobs';
import type { JobReply, JobRequest } from './protocol';

if (!parentPort) throw new Error('worker.ts must run in a worker thread');
const port = parentPort;

port.on('message', async (request: JobRequest) => {
  const started = performance.now();
  let reply: JobReply;
  try {
    const handler = jobHandlers[request.kind as JobKind] as (input: unknown, signal: SharedCancelFlag, progress: (done: number, total: number) => void) => unknown | Promise<unknown>;
    if (!handler) throw new Error(`unknown job kind '${String(request.kind)}'`);
    // Posted while the job runs: the host receives these before the job returns.
    const progress = (done: number, total: number) => port.postMessage({ id: request.id, progress: { done, total } } satisfies JobReply);
    const output = await handler(request.input, new SharedCancelFlag(request.cancelBuffer), progress);
    reply = { id: request.id, ok: true, output: output as never, elapsedMs: performance.now() - started };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const kind = (e as { kind?: unknown }).kind;
    reply = { id: request.id, ok: false, error: typeof kind === 'string' ? { name: e.name, message: e.message, kind } : { name: e.name, message: e.message } };
  }
  port.postMessage(reply);
});
