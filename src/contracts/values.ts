/**
 * Parsers for the literal values a contract carries: ISO 8601 date-times and durations
 * (areas are compiled in geo/). Each returns a value or undefined; the caller turns undefined
 * into a ContractError that names the rule and the term.
 */

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Epoch milliseconds of an ISO 8601 date-time with a time zone. A date-time without a
 * zone is refused: its meaning would depend on where the gateway runs.
 */
export function parseDateTime(text: string): number | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2024-02-31 over into March; refuse dates that do not exist.
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return undefined;
  return ms;
}

export interface Duration {
  years: number;
  months: number;
  /** Everything below a month, in milliseconds (weeks, days, hours, minutes, seconds). */
  fixedMs: number;
}

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/;

/** An ISO 8601 duration such as `PT1H`, `P1D`, `P1Y2M`. Empty ones (`P`, `PT`) are refused. */
export function parseDuration(text: string): Duration | undefined {
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const n = (i: number): number => Number(m[i] ?? 0);
  const fixedMs = (((n(3) * 7 + n(4)) * 24 + n(5)) * 60 + n(6)) * 60_000 + Math.round(n(7) * 1000);
  const d = { years: n(1), months: n(2), fixedMs };
  if (d.years === 0 && d.months === 0 && d.fixedMs === 0) return undefined;
  return d;
}

/**
 * `from` plus a duration, as XML Schema adds them (XSD 1.1 Part 2, appendix E): years and
 * months move the calendar month, and a day past the end of the new month is pinned to its
 * last day (2025-01-31 + P1M = 2025-02-28, not March 3rd); the rest is then added as
 * elapsed time, on the UTC calendar.
 */
export function addDuration(from: number, d: Duration): number {
  const months = d.years * 12 + d.months;
  if (months === 0) return from + d.fixedMs;
  const date = new Date(from);
  const target = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(target / 12);
  const month = target - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const moved = Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds());
  return moved + d.fixedMs;
}
