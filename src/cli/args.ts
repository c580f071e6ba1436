import { UsageError } from './command';

export type FlagKind = 'boolean' | 'string' | 'number' | 'integer';

export interface FlagSpec {
  readonly kind: FlagKind;
  /** Inclusive bounds for number/integer flags. */
  readonly min?: number;
  readonly max?: number;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export interface ParsedArgs {
  readonly flags: Readonly<Record<string, string | number | boolean>>;
  readonly positionals: readonly string[];
}

/**
 * Strict GNU-style flag parser: `--name value`, `--name=value`, `--bool`; `-` is a
 * positional (stdin); `--` ends flags. Unknown flags and bad values are UsageErrors.
 */
export function parseArgs(argv: readonly string[], specs: FlagSpecs): ParsedArgs {
  const flags: Record<string, string | number | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option '--${name}'`);
    if (spec.kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`option '--${name}' takes no value`);
      flags[name] = true;
      continue;
    }
    let raw: string | undefined;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      i++;
    }
    if (raw === undefined || (eq === -1 && raw.startsWith('--'))) {
      throw new UsageError(`option '--${name}' needs a value`);
    }
    flags[name] = convert(name, raw, spec);
  }
  return { flags, positionals };
}

function convert(name: string, raw: string, spec: FlagSpec): string | number {
  if (spec.kind === 'string') return raw;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) {
    throw new UsageError(`option '--${name}' expects a number, got '${raw}'`);
  }
  if (spec.kind === 'integer' && !Number.isInteger(value)) {
    throw new UsageError(`option '--${name}' expects a whole number, got '${raw}'`);
  }
  if (spec.min !== undefined && value < spec.min) {
    throw new UsageError(`option '--${name}' must be at least ${spec.min}, got ${raw}`);
  }
  if (spec.max !== undefined && value > spec.max) {
    throw new UsageError(`option '--${name}' must be at most ${spec.max}, got ${raw}`);
  }
  return value;
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function numberFlag(args: ParsedArgs, name: string): number | undefined {
  const v = args.flags[name];
  return typeof v === 'number' ? v : undefined;
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}
