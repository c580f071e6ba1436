// Child processes of the e2e harness. Every process started here is tracked so that
// any exit path (success, failure, Ctrl+C) stops it; every wait has a deadline.
import { spawn } from 'node:child_process';

const running = new Set();

/** Starts a long-running process (e.g. code-server); it is killed by `stopAll`. */
export function startTracked(command, args, options = {}) {
  const child = spawn(command, args, { ...options, detached: true, stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Stops a tracked process and its process group; resolves once it is gone (bounded). */
export async function stopProcess(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await Promise.race([exited, delay(graceMs + 2000)]);
  clearTimeout(timer);
  running.delete(child);
}

function signalGroup(child, signal) {
  try {
    // Negative pid: the whole group, so code-server's extension hosts and watchers go too.
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

export async function stopAll() {
  await Promise.all([...running].map((child) => stopProcess(child)));
}

/** Synchronous last resort for `process.on('exit')`, where nothing can be awaited. */
export function killAllNow() {
  for (const child of running) signalGroup(child, 'SIGKILL');
  running.clear();
}

/**
 * Runs a command to completion with inherited or captured output and a deadline.
 * Rejects with a message naming the command on a non-zero exit or on timeout.
 */
export function runToCompletion(command, args, { timeoutMs, capture = false, ...options }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...options,
      detached: true,
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    });
    running.add(child);
    let output = '';
    if (capture) {
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
    }
    const label = [command, ...args].join(' ');
    const timer = setTimeout(() => {
      signalGroup(child, 'SIGKILL');
      reject(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s: ${label}${capture ? `\n${tail(output)}` : ''}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new Error(`could not start ${label}: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (code === 0) resolve(output);
      else reject(new Error(`exit ${code ?? signal}: ${label}${capture ? `\n${tail(output)}` : ''}`));
    });
  });
}

export function tail(text, lines = 40) {
  return text.split('\n').slice(-lines).join('\n');
}

export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
