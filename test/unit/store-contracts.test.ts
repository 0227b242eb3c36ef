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
});
