/** The expiring keys' statements on SQLite (see expiring-keys.ts). */
import type { SqliteDatabase } from './sqlite.js';
import type { KeyTable } from './expiring-keys.js';

export function sqliteKeyTable(db: SqliteDatabase): KeyTable {
  const insert = db.prepare(`INSERT INTO expiring_keys (kind, key, value, until) VALUES (?, ?, ?, ?)
    ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, until = excluded.until WHERE expiring_keys.until <= ?
    RETURNING 1 AS fresh`);
  const upsert = db.prepare(`INSERT INTO expiring_keys (kind, key, value, until) VALUES (?, ?, ?, ?)
    ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, until = excluded.until`);
  const get = db.prepare('SELECT value FROM expiring_keys WHERE kind = ? AND key = ? AND until > ?').pluck();
  const remove = db.prepare('DELETE FROM expiring_keys WHERE kind = ? AND key = ? RETURNING value, until');
  const count = db.prepare('SELECT count(*) FROM expiring_keys WHERE kind = ? AND until > ?').pluck();
  const prune = db.prepare(`DELETE FROM expiring_keys WHERE kind = ? AND key IN
    (SELECT key FROM expiring_keys WHERE kind = ? AND until <= ? LIMIT ?)`);
  return {
    insertIfAbsent: async (kind, key, value, until, now) => insert.get(kind, key, value, until, now) !== undefined,
    upsert: async (kind, key, value, until) => { upsert.run(kind, key, value, until); },
    get: async (kind, key, now) => (get.get(kind, key, now) as string | null | undefined) ?? undefined,
    remove: async (kind, key) => remove.get(kind, key) as { value: string | null; until: number } | undefined,
    countLive: async (kind, now) => count.get(kind, now) as number,
    prune: async (kind, now, limit) => prune.run(kind, kind, now, limit).changes,
  };
}
