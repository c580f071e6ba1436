/** One `capsule` sub-command. Thin over src/core: parse flags, call core, print. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Reads all of stdin (used when FILE is `-` or absent). */
  readStdin(): Promise<string>;
  readonly cwd: string;
  /** Environment variables (the LLM backend's API key); process.env when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface CliCommand {
  readonly name: string;
  /** One line for `capsule --help`. */
  readonly summary: string;
  /** Full usage text for `capsule NAME --help`. */
  readonly usage: string;
  /** Returns the process exit code. Throw UsageError for a user error (exit 2, one line). */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/** A mistake the user can fix: printed as one line, exit code 2, never a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
