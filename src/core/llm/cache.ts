/**
 * Capsules already paid for: the same prompt, endpoint, model and settings never cost a
 * second compression. Least recently used entries go first past `maxEntries`.
 */
import { createHash } from 'node:crypto';
import { INSTRUCTION_VERSION } from './instructions';

export interface CacheKeyParts {
  prompt: string;
  baseUrl: string;
  model: string;
  embeddingsModel?: string;
  rate?: number;
  targetTokens?: number;
  tokenizer: string;
  candidates: number;
}

export function capsuleCacheKey(parts: CacheKeyParts): string {
  const { prompt, ...settings } = parts;
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ v: INSTRUCTION_VERSION, ...settings }));
  hash.update('\u0000');
  hash.update(prompt);
  return hash.digest('hex');
}

export class CapsuleCache<T> {
  private readonly map: Map<string, T>;

  constructor(
    private readonly maxEntries = 100,
    entries: Iterable<[string, T]> = [],
  ) {
    this.map = new Map(entries);
    this.trim();
  }

  get(key: string): T | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: string, value: T): void {
    this.map.delete(key);
    this.map.set(key, value);
    this.trim();
  }

  clear(): number {
    const n = this.map.size;
    this.map.clear();
    return n;
  }

  get size(): number {
    return this.map.size;
  }

  entries(): Array<[string, T]> {
    return [...this.map];
  }

  private trim(): void {
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }
}
