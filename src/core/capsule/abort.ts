import type { AbortFlag } from './types';

/** Throws an Error named 'AbortError' once the caller has raised the flag. */
export function checkAborted(signal: AbortFlag | undefined): void {
  if (signal?.aborted) {
    const error = new Error('compression cancelled');
    error.name = 'AbortError';
    throw error;
  }
}
