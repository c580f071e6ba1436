/**
 * Finds OpenAI-compatible servers a user runs on this machine (Ollama 11434, LM Studio
 * 1234, vLLM 8000, llama.cpp server 8080, and any ports the user adds) by asking each
 * loopback port for /v1/models. Only 127.0.0.1 is asked, each with a short timeout.
 */
export const DEFAULT_LOCAL_PORTS: readonly number[] = [11434, 1234, 8000, 8080];

export interface LocalServer {
  baseUrl: string;
  port: number;
  models: string[];
}

const KNOWN_SERVERS: Readonly<Record<number, string>> = { 11434: 'Ollama', 1234: 'LM Studio', 8000: 'vLLM', 8080: 'llama.cpp server' };

export function serverLabel(port: number): string {
  return KNOWN_SERVERS[port] ?? `port ${port}`;
}

async function probe(port: number, timeoutMs: number, signal?: AbortSignal): Promise<LocalServer | undefined> {
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort);
  try {
    const response = await fetch(`${baseUrl}/models`, { signal: controller.signal, headers: { accept: 'application/json' } });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { data?: Array<{ id?: unknown }> };
    if (!Array.isArray(body?.data)) return undefined;
    const models = body.data.map((m) => m?.id).filter((id): id is string => typeof id === 'string' && id.length > 0);
    return { baseUrl, port, models };
  } catch {
    return undefined; // nothing there, not OpenAI-compatible, or too slow
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The servers that answered, in port order. */
export async function probeLocalServers(ports: readonly number[] = DEFAULT_LOCAL_PORTS, timeoutMs = 1500, signal?: AbortSignal): Promise<LocalServer[]> {
  const unique = [...new Set(ports)].filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
  const found = await Promise.all(unique.map((port) => probe(port, timeoutMs, signal)));
  return found.filter((s): s is LocalServer => s !== undefined);
}
