import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite.js';
import type { ContractStore, StoredContract } from '../contracts/index.js';
import { announceCommitted, type ChangeFeed } from '../changes/index.js';
import { providerColumn as column, toContract, type ContractRow as Row } from './rows.js';

export class SqliteContractStore implements ContractStore {
  private readonly all: Statement<[], Row>;
  private readonly one: Statement<[string, string], Row>;
  private readonly upsert: Statement<[string, string, string, string]>;
  private readonly remove: Statement<[string, string]>;

  /** With `changes`, each change is announced to the other workers once it has committed. */
  constructor(db: SqliteDatabase, private readonly changes?: Pick<ChangeFeed, 'publish'>) {
    this.all = db.prepare('SELECT provider, uid, document, updated_at FROM contracts ORDER BY provider, uid');
    this.one = db.prepare('SELECT provider, uid, document, updated_at FROM contracts WHERE provider = ? AND uid = ?');
    this.upsert = db.prepare(
      'INSERT INTO contracts (provider, uid, document, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(provider, uid) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at',
    );
    this.remove = db.prepare('DELETE FROM contracts WHERE provider = ? AND uid = ?');
  }

  async list(): Promise<StoredContract[]> {
    return this.all.all().map(toContract);
  }

  async get(provider: string | null, uid: string): Promise<StoredContract | undefined> {
    const r = this.one.get(column(provider), uid);
    return r ? toContract(r) : undefined;
  }

  async put(provider: string | null, uid: string, document: unknown, updatedAt: string): Promise<void> {
    this.upsert.run(column(provider), uid, JSON.stringify(document), updatedAt);
    announceCommitted(this.changes, { kind: 'contract', provider, uid });
  }

  async delete(provider: string | null, uid: string): Promise<boolean> {
    const deleted = this.remove.run(column(provider), uid).changes > 0;
    if (deleted) announceCommitted(this.changes, { kind: 'contract', provider, uid });
    return deleted;
  }
}
