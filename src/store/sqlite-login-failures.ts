/**
 * Failed logins at the OIDC issuer on SQLite (migration 19), for the workers of one
 * gateway (`workers` above 1): each worker runs the issuer, and counting in each one's
 * memory would let a guesser try N times as often with N workers. The same rows as on
 * PostgreSQL (src/store/pg-login-failures.ts): a hash per key, the newest `maxFailures`
 * kept, expired rows swept in batches. A single gateway keeps counting in memory.
 */
import type { Statement } from 'better-sqlite3';
import type { AttemptLimit } from '../lib/index.js';
import type { FailureCounter } from '../issuer/login-throttle.js';
import type { SqliteDatabase } from './sqlite.js';
import { loginFailureKey } from './login-failure-key.js';

export class SqliteLoginFailures {
  private readonly newest: Statement<[string, number, number], { failed_at: number }>;
  private readonly insert: Statement<[string, number, number]>;
  private readonly trim: Statement<[string, string, number]>;
  private readonly clear: Statement<[string]>;
  private readonly forgiveOne: Statement<[string, number]>;
  private readonly db: SqliteDatabase;
  private readonly sweepBatch: Statement<[number, number]>;

  constructor(db: SqliteDatabase) {
    this.newest = db.prepare('SELECT failed_at FROM login_failures WHERE key = ? AND failed_at > ? ORDER BY failed_at DESC, id DESC LIMIT 1 OFFSET ?');
    this.insert = db.prepare('INSERT INTO login_failures (key, failed_at, expires_at) VALUES (?, ?, ?)');
    this.trim = db.prepare(`DELETE FROM login_failures WHERE key = ? AND id NOT IN (
      SELECT id FROM login_failures WHERE key = ? ORDER BY failed_at DESC, id DESC LIMIT ?)`);
    this.clear = db.prepare('DELETE FROM login_failures WHERE key = ?');
    this.forgiveOne = db.prepare('DELETE FROM login_failures WHERE id = (SELECT id FROM login_failures WHERE key = ? AND failed_at = ? ORDER BY id DESC LIMIT 1)');
    this.db = db;
    this.sweepBatch = db.prepare('DELETE FROM login_failures WHERE id IN (SELECT id FROM login_failures WHERE expires_at <= ? LIMIT ?)');
  }

  /** The counter of one kind of key (`name`) under its limit, as the login throttle asks for it. */
  counter(name: string, limit: AttemptLimit): FailureCounter {
    const waitMs = (key: string, now: number): number => {
      const oldest = this.newest.get(loginFailureKey(name, key), now - limit.windowMs, limit.maxFailures - 1)?.failed_at;
      return oldest === undefined ? 0 : Math.max(0, oldest + limit.windowMs - now);
    };
    const fail = (key: string, now: number): void => {
      const k = loginFailureKey(name, key);
      this.insert.run(k, now, now + limit.windowMs);
      this.trim.run(k, k, limit.maxFailures);
    };
    // IMMEDIATE: the write lock is taken before the count is read, so the workers' attempts
    // at one key are counted one after another.
    const attempt = this.db.transaction((key: string, now: number): number => {
      const wait = waitMs(key, now);
      if (wait === 0) fail(key, now);
      return wait;
    });
    return {
      waitMs,
      fail,
      attempt: (key, now) => attempt.immediate(key, now),
      forgive: (key, at) => {
        this.forgiveOne.run(loginFailureKey(name, key), at);
      },
      succeed: (key) => {
        this.clear.run(loginFailureKey(name, key));
      },
    };
  }

  /** Removes at most `limit` failures whose window has passed; resolves how many. */
  async sweep(now: number, limit: number): Promise<number> {
    return this.sweepBatch.run(now, limit).changes;
  }
}
