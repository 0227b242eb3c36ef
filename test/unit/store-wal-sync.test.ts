import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AuditLog, verifyAudit } from '../../src/audit/index.js';
import { openSqlite, SqliteAuditStore, WalSync } from '../../src/store/index.js';
import { tempDir, ed25519, event } from './audit-fixtures.js';

describe('audit durability through WalSync', () => {
  it('resolves appends only after the WAL flush, chains batches committed while a flush runs, and verifies', async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'a.db');
    const db = openSqlite(path, { synchronous: 'NORMAL' });
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    const wal = new WalSync(path);
    let syncs = 0;
    const realSync = wal.sync.bind(wal);
    wal.sync = () => { syncs++; return realSync(); };
    const keys = ed25519();
    const log = await AuditLog.open({ store: new SqliteAuditStore(db, { walSync: wal }), signingKey: keys.privateKey, checkpointEvery: 50 });
    // Appends in several event-loop turns, without waiting: later batches commit while earlier flushes run.
    const pending: Promise<void>[] = [];
    for (let turn = 0; turn < 20; turn++) {
      for (let i = 0; i < 10; i++) pending.push(log.append(event(turn * 10 + i + 1)));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(pending);
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThanOrEqual(21);
    await log.close();
    await wal.close();
    db.close();
    const check = new Database(path, { readonly: true });
    expect((check.prepare('SELECT count(*) AS n FROM audit_records').get() as { n: number }).n).toBe(200);
    check.close();
    const verifyDb = openSqlite(path, { readonly: true });
    expect(await verifyAudit(new SqliteAuditStore(verifyDb), keys.publicKey)).toMatchObject({ ok: true, records: 200 });
    verifyDb.close();
    cleanup();
  });

  it('rejects the appends whose flush fails, so no caller answers 2xx for them', async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'b.db');
    const db = openSqlite(path, { synchronous: 'NORMAL' });
    // A WalSync pointed at a file that does not exist cannot flush anything.
    const broken = new WalSync(join(dir, 'missing', 'x.db'));
    const log = await AuditLog.open({ store: new SqliteAuditStore(db, { walSync: broken }), signingKey: ed25519().privateKey });
    await expect(log.append(event(1))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'audit_write_failed' });
    db.close();
    rmSync(dir, { recursive: true, force: true });
    cleanup();
  });
});
