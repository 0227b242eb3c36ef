/**
 * `mimtrust audit list|tail|export`: the audit log read by caller, decision, effect and
 * time, as JSON lines or CSV. The store is opened read-only, which WAL lets run beside the
 * gateway without holding it up; nothing is printed that the records do not hold.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../config/index.js';
import { SqliteAuditQuery, type AuditRecordFilter, type SegmentRecord, type SqliteDatabase } from '../store/index.js';
import { noPositionals, oneOf, parseOptions, wholeNumber } from './options.js';
import { timeBound } from './audit-filter.js';
import { csvHeader, formatRecord, type RecordFormat } from './record-format.js';
import { openStoreReadOnly } from './store-file.js';

const FILTER_OPTIONS = {
  config: { type: 'string', short: 'c' },
  subject: { type: 'string' },
  client: { type: 'string' },
  decision: { type: 'string' },
  effect: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  format: { type: 'string', default: 'json' },
} as const;

/** Records read per statement: export and tail never hold the whole log in memory. */
const PAGE = 500;
const TAIL_POLL_MS = 500;

type FilterValues = { [K in keyof typeof FILTER_OPTIONS]?: string };

function filterOf(values: FilterValues, now: Date): AuditRecordFilter {
  const filter: AuditRecordFilter = {};
  if (values.subject !== undefined) filter.sub = values.subject;
  if (values.client !== undefined) filter.clientId = values.client;
  if (values.decision !== undefined) filter.decisionId = values.decision;
  if (values.effect !== undefined) filter.effect = oneOf(values.effect, '--effect', ['permit', 'deny']);
  if (values.since !== undefined) filter.since = timeBound(values.since, '--since', now);
  if (values.until !== undefined) filter.until = timeBound(values.until, '--until', now);
  return filter;
}

/** Options checked before the store is opened, so a usage error never depends on the store. */
function prepare(values: FilterValues): { filter: AuditRecordFilter; format: RecordFormat; storePath: string } {
  const filter = filterOf(values, new Date());
  const format = oneOf(values.format ?? 'json', '--format', ['json', 'csv']);
  const { config } = loadConfig(values.config);
  if (config.store.url !== null) {
    throw new ConfigError('store.url', 'audit list, tail and export read the SQLite store only; on PostgreSQL, audit verify checks every instance\'s chain');
  }
  return { filter, format, storePath: config.store.path };
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

async function withQuery(storePath: string, filter: AuditRecordFilter, fn: (q: SqliteAuditQuery) => Promise<void>): Promise<number> {
  const db: SqliteDatabase | undefined = openStoreReadOnly(storePath);
  if (db === undefined) return 1;
  try {
    await fn(new SqliteAuditQuery(db, filter));
    return 0;
  } finally {
    db.close();
  }
}

export async function runAuditList(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { ...FILTER_OPTIONS, limit: { type: 'string', default: '50' } });
  noPositionals(positionals);
  const limit = wholeNumber(values.limit, '--limit', 1, 1_000_000);
  const { filter, format, storePath } = prepare(values);
  return withQuery(storePath, filter, async (q) => {
    if (format === 'csv') await write(process.stdout, csvHeader());
    for (const r of q.newest(limit)) await write(process.stdout, formatRecord(r, format));
  });
}

export async function runAuditExport(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { ...FILTER_OPTIONS, out: { type: 'string', short: 'o' } });
  noPositionals(positionals);
  const { filter, format, storePath } = prepare(values);
  return withQuery(storePath, filter, async (q) => {
    // Audit records are personal data: a file of them is readable by its owner only.
    const out = values.out === undefined ? process.stdout : createWriteStream(values.out, { mode: 0o600 });
    if (format === 'csv') await write(out, csvHeader());
    // Up to the last record at the start: an export is one consistent cut, not a chase.
    const upTo = q.lastPosition();
    for (let position = 0; ;) {
      const page = q.after(position, PAGE, upTo);
      if (page.records.length === 0) break;
      for (const r of page.records) await write(out, formatRecord(r, format));
      position = page.last;
    }
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
  });
}

/**
 * Prints the newest `--limit` matching records (default 10), then each new one as it is
 * committed, until SIGINT/SIGTERM or `--count` records in all.
 */
export async function runAuditTail(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { ...FILTER_OPTIONS, limit: { type: 'string', default: '10' }, count: { type: 'string' } });
  noPositionals(positionals);
  const backlog = wholeNumber(values.limit, '--limit', 0, 1_000_000);
  const count = values.count === undefined ? Infinity : wholeNumber(values.count, '--count', 1, Number.MAX_SAFE_INTEGER);
  const { filter, format, storePath } = prepare(values);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await withQuery(storePath, filter, async (q) => {
      let printed = 0;
      const print = async (records: readonly SegmentRecord[]): Promise<void> => {
        for (const r of records) {
          if (printed >= count) return;
          await write(process.stdout, formatRecord(r, format));
          printed++;
        }
      };
      if (format === 'csv') await write(process.stdout, csvHeader());
      const start = q.lastPosition();
      await print(backlog === 0 ? [] : q.newest(backlog, start));
      let cursor = start;
      while (printed < count && !stop.signal.aborted) {
        await sleep(TAIL_POLL_MS, undefined, { signal: stop.signal }).catch(() => undefined);
        if (stop.signal.aborted) break;
        // Each poll reads up to the head seen now, so non-matching records are passed once.
        const head = q.lastPosition();
        for (let page = q.after(cursor, PAGE, head); page.records.length > 0 && printed < count; page = q.after(cursor, PAGE, head)) {
          await print(page.records);
          cursor = page.last;
        }
        cursor = Math.max(cursor, head);
      }
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
