import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, SQLITE_MIGRATIONS, SqliteContractStore } from '../../src/store/index.js';
import { tempDir } from './audit-fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('contract store', () => {
  it('keeps contracts made before providers in the operator\'s namespace', async () => {
    const path = join(dir, 'c.db');
    const before = openSqlite(path, { migrations: SQLITE_MIGRATIONS.slice(0, 4) });
    before.prepare('INSERT INTO contracts (uid, document, updated_at) VALUES (?, ?, ?)').run('urn:old', '{"uid":"urn:old"}', '2026-01-01T00:00:00Z');
    before.close();
    const db = openSqlite(path);
    try {
      const store = new SqliteContractStore(db);
      expect(await store.list()).toEqual([{ provider: null, uid: 'urn:old', document: { uid: 'urn:old' }, updatedAt: '2026-01-01T00:00:00Z' }]);
    } finally {
      db.close();
    }
  });

  it('keeps one uid apart in each namespace', async () => {
    const db = openSqlite(join(dir, 'c.db'));
    try {
      const store = new SqliteContractStore(db);
      await store.put(null, 'urn:same', { n: 0 }, 't0');
      await store.put('parking', 'urn:same', { n: 1 }, 't1');
      await store.put('transit', 'urn:same', { n: 2 }, 't2');
      await store.put('parking', 'urn:same', { n: 3 }, 't3');
      expect((await store.list()).map((c) => [c.provider, c.document])).toEqual([[null, { n: 0 }], ['parking', { n: 3 }], ['transit', { n: 2 }]]);
      expect(await store.delete('transit', 'urn:same')).toBe(true);
      expect(await store.delete('transit', 'urn:same')).toBe(false);
      expect((await store.get('parking', 'urn:same'))?.document).toEqual({ n: 3 });
      expect(await store.get('transit', 'urn:same')).toBeUndefined();
      expect((await store.get(null, 'urn:same'))?.document).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
