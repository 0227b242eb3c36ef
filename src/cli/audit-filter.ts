import { UsageError } from './options.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since`/`--until`: an ISO 8601 time (a date alone is midnight UTC) or a duration back
 * from `now` (`90s`, `15m`, `1h`, `7d`, `2w`), as the ISO UTC text records are stored with.
 */
export function timeBound(value: string, flag: string, now: Date): string {
  const duration = /^(\d{1,9})([smhdw])$/.exec(value);
  if (duration) return new Date(now.getTime() - Number(duration[1]) * UNIT_MS[duration[2]!]!).toISOString();
  const ms = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new UsageError(`${flag} must be an ISO 8601 time (2025-01-31T12:00:00Z) or a duration back from now (30m, 1h, 7d)`);
  return new Date(ms).toISOString();
}
