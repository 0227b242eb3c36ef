/**
 * One writer per store. Two gateways on one data file would each keep their own audit
 * chain head and usage counts, so the second would fork the chain; it refuses to start.
 *
 * The lock is a SQLite write lock on a small file beside the store (`<store>.lock`), held
 * for the life of the gateway: an open `BEGIN IMMEDIATE` keeps a RESERVED lock, which no
 * other connection (in this process or another) can take, while still letting them read.
 * SQLite's locks are the operating system's (fcntl), so the kernel drops them when the
 * process ends in any way, SIGKILL and crashes included: there is no stale lock to clear.
 * The holder's pid is written into the file first, only so that a refusal can name it;
 * what decides is the lock, never the pid (a container's pid 1 would look alive forever).
 * The store itself is not locked: read-only tools (audit list/verify) open it as usual.
 */
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { CodedError } from '../errors/index.js';

export interface StoreLock {
  /** The lock file. */
  readonly path: string;
  release(): void;
}

export class StoreLockedError extends CodedError<'ERR_STORE_LOCKED'> {
  readonly code = 'ERR_STORE_LOCKED';
  readonly storePath: string;
  readonly pid: number | undefined;

  constructor(storePath: string, holder: Holder | undefined) {
    const who = holder === undefined ? '' : holder.host === hostname() ? ` (pid ${holder.pid})` : ` (pid ${holder.pid} on ${holder.host})`;
    super(`store.path: ${storePath} is in use by another mimtrust${who}; stop that instance, or give this one a store.path of its own`);
    this.name = 'StoreLockedError';
    this.storePath = storePath;
    this.pid = holder?.pid;
  }
}

interface Holder {
  pid: number;
  host: string;
}

/** A reader waits this long for a holder that is writing its pid, and the holder for such a reader. */
const BUSY_TIMEOUT_MS = 1000;

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

function holderOf(db: Database.Database): Holder | undefined {
  try {
    return db.prepare('SELECT pid, host FROM holder').get() as Holder | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the store's lock or throws StoreLockedError naming the holder. Errors opening the
 * lock file (a folder that cannot be written) are thrown as they are.
 */
export function acquireStoreLock(storePath: string): StoreLock {
  const path = `${storePath}.lock`;
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, host TEXT NOT NULL, since TEXT NOT NULL)');
    db.exec('BEGIN IMMEDIATE');
    db.prepare('DELETE FROM holder').run();
    db.prepare('INSERT INTO holder (pid, host, since) VALUES (?, ?, ?)').run(process.pid, hostname(), new Date().toISOString());
    db.exec('COMMIT');
    // Another start may take the lock between the commit and here; then it holds the lock
    // and its pid is the one written, and this start is refused naming it.
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    const holder = isBusy(err) ? holderOf(db) : undefined;
    db.close();
    if (isBusy(err)) throw new StoreLockedError(storePath, holder);
    throw err;
  }
  return {
    path,
    // Closing ends the open transaction, and with it the lock.
    release: () => { if (db.open) db.close(); },
  };
}
