/**
 * What went wrong with an LLM endpoint, by kind, in words a user can act on. Kept apart
 * from the endpoint itself so the extension host can tell failures apart without
 * loading the HTTP client (the calls run in the worker thread).
 */
export type EndpointErrorKind =
  | 'auth'
  | 'forbidden'
  | 'not-found'
  | 'rate-limit'
  | 'server'
  | 'connection'
  | 'timeout'
  | 'malformed'
  | 'content-filter'
  | 'context-length'
  | 'n-unsupported'
  | 'bad-request'
  | 'cancelled';

export class EndpointError extends Error {
  constructor(
    readonly kind: EndpointErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = kind === 'cancelled' ? 'AbortError' : 'EndpointError';
  }
}
