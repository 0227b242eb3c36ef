import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite.js';
import type { TrustedIssuerSettings } from '../config/index.js';
import type { TrustedIssuerStore } from '../credentials/trusted-list.js';
import { announceCommitted, type ChangeFeed } from '../changes/index.js';

/** The trusted issuers the operator put through the admin API (migration 14), one row per DID. */
export class SqliteTrustedIssuerStore implements TrustedIssuerStore {
  private readonly selectAll: Statement<[], { entry: string }>;
  private readonly upsert: Statement<[string, string, string]>;
  private readonly del: Statement<[string]>;

  /** With `changes`, each change is announced to the other workers once it has committed. */
  constructor(db: SqliteDatabase, private readonly changes?: Pick<ChangeFeed, 'publish'>) {
    this.selectAll = db.prepare('SELECT entry FROM trusted_issuers ORDER BY did');
    this.upsert = db.prepare(`INSERT INTO trusted_issuers (did, entry, updated_at) VALUES (?, ?, ?)
      ON CONFLICT(did) DO UPDATE SET entry = excluded.entry, updated_at = excluded.updated_at`);
    this.del = db.prepare('DELETE FROM trusted_issuers WHERE did = ?');
  }

  async all(): Promise<TrustedIssuerSettings[]> {
    return this.selectAll.all().map((r) => JSON.parse(r.entry) as TrustedIssuerSettings);
  }

  async put(entry: TrustedIssuerSettings, at: string): Promise<void> {
    this.upsert.run(entry.did, JSON.stringify(entry), at);
    announceCommitted(this.changes, { kind: 'trusted-issuer', did: entry.did });
  }

  async remove(did: string): Promise<boolean> {
    const removed = this.del.run(did).changes > 0;
    if (removed) announceCommitted(this.changes, { kind: 'trusted-issuer', did });
    return removed;
  }
}
