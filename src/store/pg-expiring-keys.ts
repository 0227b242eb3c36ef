/** The expiring keys' statements on PostgreSQL (see expiring-keys.ts): each one statement, one round trip. */
import type { PgPool } from './pg.js';
import type { KeyTable } from './expiring-keys.js';

export function pgKeyTable(pool: PgPool): KeyTable {
  return {
    async insertIfAbsent(kind, key, value, until, now) {
      const r = await pool.query(`INSERT INTO expiring_keys AS k (kind, key, value, until) VALUES ($1, $2, $3, $4)
        ON CONFLICT (kind, key) DO UPDATE SET value = EXCLUDED.value, until = EXCLUDED.until WHERE k.until <= $5
        RETURNING 1`, [kind, key, value, until, now]);
      return r.rowCount === 1;
    },
    async upsert(kind, key, value, until) {
      await pool.query(`INSERT INTO expiring_keys (kind, key, value, until) VALUES ($1, $2, $3, $4)
        ON CONFLICT (kind, key) DO UPDATE SET value = EXCLUDED.value, until = EXCLUDED.until`, [kind, key, value, until]);
    },
    async get(kind, key, now) {
      const r = await pool.query<{ value: string | null }>('SELECT value FROM expiring_keys WHERE kind = $1 AND key = $2 AND until > $3', [kind, key, now]);
      return r.rows[0]?.value ?? undefined;
    },
    async remove(kind, key) {
      const r = await pool.query<{ value: string | null; until: number }>('DELETE FROM expiring_keys WHERE kind = $1 AND key = $2 RETURNING value, until', [kind, key]);
      return r.rows[0];
    },
    async countLive(kind, now) {
      const r = await pool.query<{ n: number }>('SELECT count(*) AS n FROM expiring_keys WHERE kind = $1 AND until > $2', [kind, now]);
      return Number(r.rows[0]?.n ?? 0);
    },
    async prune(kind, now, limit) {
      const r = await pool.query(`DELETE FROM expiring_keys WHERE kind = $1 AND key IN
        (SELECT key FROM expiring_keys WHERE kind = $1 AND until <= $2 LIMIT $3)`, [kind, now, limit]);
      return r.rowCount ?? 0;
    },
  };
}
