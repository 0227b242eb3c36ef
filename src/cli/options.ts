import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CodedError } from '../errors/index.js';

/**
 * The command line was not understood (unknown command or option, a missing or bad
 * value): exit 2. The message names the option, never echoes a value.
 */
export class UsageError extends CodedError<'ERR_USAGE'> {
  readonly code = 'ERR_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * `--help` or `-h` was given: the dispatcher prints the usage of the command it ran and
 * exits 0. Thrown rather than returned so every command, whatever it parses, has it.
 */
export class HelpRequested extends Error {
  constructor() {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** node:util's own codes for a command line it refuses. */
function describeParseError(err: unknown): UsageError | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return undefined;
  const message = (err as Error).message;
  // Node's messages quote the option as given ("Unknown option '--x'", "Option '--sub
  // <value>' argument missing"); only its name is kept, so the line stays ours.
  const option = /'(-{1,2}[A-Za-z0-9][\w-]*)[' ]/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option ${option}`.trim());
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(message.includes('does not take') ? `option ${option} takes no value` : `option ${option} needs a value`);
    default:
      return new UsageError('unexpected argument');
  }
}

/**
 * Parse a command's options strictly: an unknown flag is a UsageError, never ignored, and
 * every command takes `--help`/`-h`.
 */
export function parseOptions<T extends Options>(args: string[], options: T) {
  try {
    const parsed = parseArgs({ args, options: { ...options, ...HELP }, strict: true, allowPositionals: true });
    if ((parsed.values as { help?: boolean }).help === true) throw new HelpRequested();
    return parsed;
  } catch (err) {
    throw describeParseError(err) ?? err;
  }
}

export function list(value: string | undefined): string[] {
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

/** The value of a required option, or a UsageError naming it. */
export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

/** A whole number within [min, max], or a UsageError naming the option and the range. */
export function wholeNumber(value: string, flag: string, min: number, max: number, hint = ''): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}${hint}`);
  }
  return n;
}

/** One of the allowed words, or a UsageError listing them. */
export function oneOf<const W extends string>(value: string, flag: string, words: readonly W[]): W {
  if (!(words as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${words.join(', ')}`);
  return value as W;
}

/** No positional arguments are taken: one given is a usage error, not silently dropped. */
export function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError('unexpected argument');
}
