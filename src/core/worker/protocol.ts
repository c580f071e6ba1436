import type { JobKind, JobInput, JobOutput } from './jobs';

/** Host -> worker. */
export interface JobRequest<K extends JobKind = JobKind> {
  id: number;
  kind: K;
  input: JobInput<K>;
  cancelBuffer: SharedArrayBuffer;
}

/** Worker -> host: the job's end, or (before it) how far it got. */
export type JobReply<K extends JobKind = JobKind> =
  | { id: number; ok: true; output: JobOutput<K>; elapsedMs: number }
  | { id: number; ok: false; error: { name: string; message: string; /** EndpointError's kind */ kind?: string } }
  | { id: number; progress: JobProgress };

export interface JobProgress {
  done: number;
  total: number;
}
