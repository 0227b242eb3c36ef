import { inTransaction, NO_PUBLISHER, type ChangePublisher, type PgPool } from './pg.js';
import type { TrustedIssuerSettings } from '../config/index.js';
import type { TrustedIssuerStore } from '../credentials/trusted-list.js';

/**
 * The trusted issuers the operator put through the admin API, on PostgreSQL (migration 15).
 * Each change is announced to the other instances with the transaction that makes it, so
 * they read the list again once it is committed.
 */
export class PgTrustedIssuerStore implements TrustedIssuerStore {
  constructor(private readonly pool: PgPool, private readonly changes: ChangePublisher = NO_PUBLISHER) {}

  async all(): Promise<TrustedIssuerSettings[]> {
    const rows = (await this.pool.query<{ entry: string }>('SELECT entry FROM trusted_issuers ORDER BY did')).rows;
    return rows.map((r) => JSON.parse(r.entry) as TrustedIssuerSettings);
  }

  async put(entry: TrustedIssuerSettings, at: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(`INSERT INTO trusted_issuers (did, entry, updated_at) VALUES ($1, $2, $3)
        ON CONFLICT (did) DO UPDATE SET entry = excluded.entry, updated_at = excluded.updated_at`, [entry.did, JSON.stringify(entry), at]);
      await this.changes.publishIn(client, { kind: 'trusted-issuer', did: entry.did });
    });
  }

  async remove(did: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const removed = ((await client.query('DELETE FROM trusted_issuers WHERE did = $1', [did])).rowCount ?? 0) > 0;
      if (removed) await this.changes.publishIn(client, { kind: 'trusted-issuer', did });
      return removed;
    });
  }
}
