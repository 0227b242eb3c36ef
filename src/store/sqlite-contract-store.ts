import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite.js';
import type { ContractStore, StoredContract } from '../contracts/index.js';

interface Row { uid: string; document: string; updated_at: string }

const toContract = (r: Row): StoredContract => ({ uid: r.uid, document: JSON.parse(r.document) as unknown, updatedAt: r.updated_at });

export class SqliteContractStore implements ContractStore {
  private readonly all: Statement<[], Row>;
  private readonly one: Statement<[string], Row>;
  private readonly upsert: Statement<[string, string, string]>;
  private readonly remove: Statement<[string]>;

  constructor(db: SqliteDatabase) {
    this.all = db.prepare('SELECT uid, document, updated_at FROM contracts ORDER BY uid');
    this.one = db.prepare('SELECT uid, document, updated_at FROM contracts WHERE uid = ?');
    this.upsert = db.prepare('INSERT INTO contracts (uid, document, updated_at) VALUES (?, ?, ?) ON CONFLICT(uid) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at');
    this.remove = db.prepare('DELETE FROM contracts WHERE uid = ?');
  }

  async list(): Promise<StoredContract[]> {
    return this.all.all().map(toContract);
  }

  async get(uid: string): Promise<StoredContract | undefined> {
    const r = this.one.get(uid);
    return r ? toContract(r) : undefined;
  }

  async put(uid: string, document: unknown, updatedAt: string): Promise<void> {
    this.upsert.run(uid, JSON.stringify(document), updatedAt);
  }

  async delete(uid: string): Promise<boolean> {
    return this.remove.run(uid).changes > 0;
  }
}
