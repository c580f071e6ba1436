/**
 * Waits until `read()` returns a value that satisfies `accept`, like Playwright test's
 * `expect.poll`: it re-reads the UI (which updates asynchronously, e.g. after a
 * debounce), never re-runs an action. On the deadline it fails with the last value seen.
 */
export async function waitFor<T>(
  description: string,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  { timeoutMs = 20_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      lastError = undefined;
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const seen = lastError instanceof Error ? `error: ${lastError.message.split('\n')[0]}` : `last value: ${JSON.stringify(last)}`;
      throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${description} (${seen})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
