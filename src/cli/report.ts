import { isCodedError } from '../errors/index.js';

const DEBUG_LEVELS = new Set(['debug', 'trace']);

/** Stack traces are for whoever asked for them: logLevel (or MIMTRUST_LOG_LEVEL) debug or trace. */
export function wantsStack(logLevel: string | undefined): boolean {
  return logLevel !== undefined && DEBUG_LEVELS.has(logLevel);
}

/**
 * A failure as one line on stderr: a CodedError's message is written to be shown; anything
 * else is a bug, named by its first line only. At debug level the stack follows, with
 * every cause (the system error behind a StartupError).
 */
export function reportFailure(err: unknown, logLevel: string | undefined): void {
  const first = (text: string): string => text.split('\n', 1)[0] ?? '';
  const line = isCodedError(err) ? err.message : `internal error: ${first(err instanceof Error ? err.message : String(err))}`;
  process.stderr.write(`mimtrust: ${line}\n`);
  if (!wantsStack(logLevel)) return;
  for (let e: unknown = err; e !== undefined; e = e instanceof Error ? e.cause : undefined) {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : 'thrown: a value that is not an Error'}\n`);
  }
}
