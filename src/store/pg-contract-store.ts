/** API contracts on PostgreSQL; the same rows as SQLite's (the operator's namespace is ''). */
import { inTransaction, NO_PUBLISHER, type ChangePublisher, type PgPool } from './pg.js';
import type { ContractStore, StoredContract } from '../contracts/index.js';
import { providerColumn as column, toContract, type ContractRow as Row } from './rows.js';

export class PgContractStore implements ContractStore {
  /** Each change is published to the other instances with the transaction that makes it. */
  constructor(private readonly pool: PgPool, private readonly changes: ChangePublisher = NO_PUBLISHER) {}

  async list(): Promise<StoredContract[]> {
    // COLLATE "C": the byte order SQLite sorts by, whatever the database's locale.
    const r = await this.pool.query<Row>('SELECT provider, uid, document, updated_at FROM contracts ORDER BY provider COLLATE "C", uid COLLATE "C"');
    return r.rows.map(toContract);
  }

  async get(provider: string | null, uid: string): Promise<StoredContract | undefined> {
    const r = await this.pool.query<Row>('SELECT provider, uid, document, updated_at FROM contracts WHERE provider = $1 AND uid = $2', [column(provider), uid]);
    const row = r.rows[0];
    return row ? toContract(row) : undefined;
  }

  async put(provider: string | null, uid: string, document: unknown, updatedAt: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO contracts (provider, uid, document, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (provider, uid) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`,
        [column(provider), uid, JSON.stringify(document), updatedAt],
      );
      await this.changes.publishIn(client, { kind: 'contract', provider, uid });
    });
  }

  async delete(provider: string | null, uid: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const r = await client.query('DELETE FROM contracts WHERE provider = $1 AND uid = $2', [column(provider), uid]);
      const deleted = (r.rowCount ?? 0) > 0;
      if (deleted) await this.changes.publishIn(client, { kind: 'contract', provider, uid });
      return deleted;
    });
  }
}
