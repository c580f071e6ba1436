/**
 * A loopback OpenAI-compatible HTTP server for tests: real HTTP, answered from a script.
 * Each request to an endpoint takes the next scripted reply for that path (the last one
 * repeats), so a test says exactly what the "model" answers, in what order, how slowly.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedReply {
  status?: number;
  /** An object is sent as JSON; a string is sent as it is (to test malformed bodies). */
  body: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | undefined;
}

export function chatReply(texts: string[], usage = { prompt_tokens: 100, completion_tokens: 40 }, finishReason = 'stop'): ScriptedReply {
  return {
    body: {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 0,
      model: 'test-model',
      choices: texts.map((content, index) => ({ index, message: { role: 'assistant', content }, finish_reason: finishReason })),
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    },
  };
}

export function embeddingsReply(vectors: number[][]): ScriptedReply {
  return { body: { object: 'list', data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })), model: 'test-embed', usage: { prompt_tokens: 10, total_tokens: 10 } } };
}

export class FakeOpenAi {
  readonly requests: RecordedRequest[] = [];
  private readonly scripts = new Map<string, ScriptedReply[]>();
  private readonly served = new Map<string, number>();
  private server: Server | undefined;
  baseUrl = '';

  /** Replies for `path` (e.g. '/v1/chat/completions'), in order; the last repeats. */
  script(path: string, ...replies: ScriptedReply[]): this {
    this.scripts.set(path, replies);
    this.served.set(path, 0);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const path = (req.url ?? '').split('?')[0]!;
        this.requests.push({ method: req.method ?? '', path, headers: req.headers, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined });
        const replies = this.scripts.get(path);
        if (!replies || replies.length === 0) {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${path}`, type: 'invalid_request_error' } }));
          return;
        }
        const n = this.served.get(path)!;
        this.served.set(path, n + 1);
        const reply = replies[Math.min(n, replies.length - 1)]!;
        const send = () => {
          if (res.destroyed) return;
          const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
          res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers }).end(body);
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
        else send();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
