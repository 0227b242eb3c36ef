/**
 * The readable form of one log line, for a terminal: time, level, message, then the other
 * fields as `key=value`. It reads the JSON line the logger wrote, so both formats carry
 * exactly the same fields.
 */

/** Fields the readable form shows in their own place or leaves out (process id, host). */
const SHOWN_APART = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'err']);

function valueText(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

function errorText(err: unknown): string {
  if (typeof err !== 'object' || err === null) return ` err=${valueText(err)}`;
  const e = err as { message?: unknown; stack?: unknown };
  const stack = typeof e.stack === 'string' ? e.stack.split('\n').slice(1).map((l) => `\n    ${l.trim()}`).join('') : '';
  return ` err=${valueText(e.message ?? '')}${stack}`;
}

/** One JSON log line as `HH:MM:SS.mmm LEVEL message key=value ...`; a line that is not JSON is kept as it is. */
export function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return json.endsWith('\n') ? json : `${json}\n`;
    record = parsed as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const level = (typeof record.level === 'string' ? record.level : '').toUpperCase().padEnd(5);
  let line = `${time} ${level} ${typeof record.msg === 'string' ? record.msg : ''}`;
  for (const [k, v] of Object.entries(record)) {
    if (!SHOWN_APART.has(k) && v !== undefined) line += ` ${k}=${valueText(v)}`;
  }
  if (record.err !== undefined) line += errorText(record.err);
  return `${line}\n`;
}
