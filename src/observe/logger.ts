import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config/index.js';
import { prettyLine } from './pretty-line.js';

export type { DestinationStream, Logger };

/**
 * Never written, whatever object a log call is given: credentials a header, an error's
 * request options or a caller's object could carry. The access line never holds them;
 * this is the floor under every other line.
 */
const NEVER_LOGGED = [
  'authorization', 'cookie', 'dpop', 'token', 'headers', 'password', 'secret', 'clientSecret',
  '*.authorization', '*.cookie', '*.dpop', '*.token', '*.headers', '*.password', '*.secret', '*.clientSecret',
];

export type LogSettings = Pick<Config, 'logLevel' | 'logFormat'>;

/** `auto` reads a terminal as a person watching, anything else (a pipe, a file, a collector) as a machine. */
function readable(settings: LogSettings, destination: DestinationStream | undefined): boolean {
  if (settings.logFormat !== 'auto') return settings.logFormat === 'pretty';
  return destination === undefined && process.stdout.isTTY;
}

/**
 * The gateway's logger (pino, as fastify uses it): JSON lines with an ISO time and the
 * level by name, or the same lines made readable for a terminal. Written to stdout unless
 * a destination is given (tests capture lines that way).
 */
export function createLogger(settings: LogSettings, destination?: DestinationStream): Logger {
  const options = {
    level: settings.logLevel,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: NEVER_LOGGED, remove: true },
  };
  if (!readable(settings, destination)) return destination ? pino(options, destination) : pino(options);
  const out = destination ?? process.stdout;
  return pino(options, { write: (line: string) => void out.write(prettyLine(line)) });
}
