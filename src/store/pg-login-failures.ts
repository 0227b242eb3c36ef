/**
 * Failed logins at the OIDC issuer on PostgreSQL (migration 16), counted across every
 * gateway instance on the database, so a guesser cannot multiply the tries by spreading
 * them over the instances. Each failure is a row under a hash of what it counts against
 * (never the username or address itself); a key keeps only its newest `maxFailures` rows,
 * the only ones a wait depends on, and every row expires with its window, swept in
 * batches. The count is bounded by the work a failure costs the guesser: each one is a
 * password hashed at the issuer.
 */
import type { AttemptLimit } from '../lib/index.js';
import type { FailureCounter } from '../issuer/login-throttle.js';
import { inTransaction, type PgPool } from './pg.js';
import { loginFailureKey } from './login-failure-key.js';

const NEWEST = 'SELECT failed_at FROM login_failures WHERE key = $1 AND failed_at > $2 ORDER BY failed_at DESC, id DESC OFFSET $3 LIMIT 1';
const INSERT = 'INSERT INTO login_failures (key, failed_at, expires_at) VALUES ($1, $2, $3)';
const TRIM = `DELETE FROM login_failures WHERE key = $1 AND id NOT IN (
  SELECT id FROM login_failures WHERE key = $1 ORDER BY failed_at DESC, id DESC LIMIT $2)`;
const FORGIVE = 'DELETE FROM login_failures WHERE id = (SELECT id FROM login_failures WHERE key = $1 AND failed_at = $2 ORDER BY id DESC LIMIT 1)';
// Held to the end of the transaction: the instances' attempts at one key are counted one after another.
const LOCK_KEY = 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))';
const SWEEP = `DELETE FROM login_failures WHERE id IN (
  SELECT id FROM login_failures WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`;

export class PgLoginFailures {
  constructor(private readonly pool: PgPool) {}

  /** The counter of one kind of key (`name`) under its limit, as the login throttle asks for it. */
  counter(name: string, limit: AttemptLimit): FailureCounter {
    const keyOf = (key: string): string => loginFailureKey(name, key);
    type Querier = Pick<PgPool, 'query'>;
    const waitMs = async (on: Querier, key: string, now: number): Promise<number> => {
      const r = await on.query<{ failed_at: number }>(NEWEST, [keyOf(key), now - limit.windowMs, limit.maxFailures - 1]);
      const oldest = r.rows[0]?.failed_at;
      return oldest === undefined ? 0 : Math.max(0, oldest + limit.windowMs - now);
    };
    const fail = async (on: Querier, key: string, now: number): Promise<void> => {
      const k = keyOf(key);
      await on.query(INSERT, [k, now, now + limit.windowMs]);
      await on.query(TRIM, [k, limit.maxFailures]);
    };
    return {
      waitMs: (key, now) => waitMs(this.pool, key, now),
      fail: (key, now) => fail(this.pool, key, now),
      attempt: (key, now) => inTransaction(this.pool, async (client) => {
        await client.query(LOCK_KEY, [keyOf(key)]);
        const wait = await waitMs(client, key, now);
        if (wait === 0) await fail(client, key, now);
        return wait;
      }),
      forgive: async (key, at) => {
        await this.pool.query(FORGIVE, [keyOf(key), at]);
      },
      succeed: async (key) => {
        await this.pool.query('DELETE FROM login_failures WHERE key = $1', [keyOf(key)]);
      },
    };
  }

  /** Removes at most `limit` failures whose window has passed; resolves how many. */
  async sweep(now: number, limit: number): Promise<number> {
    return (await this.pool.query(SWEEP, [now, limit])).rowCount ?? 0;
  }
}
