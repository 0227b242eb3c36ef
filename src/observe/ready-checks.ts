/**
 * The checks behind /ready that touch something outside the process: the broker and the
 * store. Each resolves when ready and throws otherwise.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Upstream } from '../gateway/index.js';
import type { SqliteDatabase } from '../store/index.js';

/**
 * A query no broker spends effort on (one entity of a type nobody uses); any answer below
 * 500 shows the broker is there and serving, whatever it thinks of the query.
 */
const PROBE_PATH = '/entities?type=urn%3Amimtrust%3Areadiness&limit=1';

/** The broker answers within `timeoutMs` (with the gateway's own credentials, if it has any). */
export function brokerAnswers(upstream: Upstream, timeoutMs: number): () => Promise<void> {
  return async () => {
    const res = await upstream.send({ method: 'GET', path: PROBE_PATH, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    if (res.status >= 500) throw new Error(`broker answered ${res.status}`);
  };
}

/**
 * The store takes writes: its file and folder are writable (a read-only remount or a
 * changed owner shows here), and SQLite grants a write lock. `db` is a connection of its
 * own with no busy timeout, so a lock held elsewhere makes the check fail at once instead
 * of blocking the event loop.
 */
export function storeWritable(db: SqliteDatabase, path: string): () => Promise<void> {
  return async () => {
    if (!db.memory) {
      await access(path, constants.W_OK);
      await access(dirname(path), constants.W_OK);
    }
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
  };
}
