/** Subscriptions made through the gateway, on PostgreSQL: the same rows as on SQLite. */
import { inTransaction, NO_PUBLISHER, type ChangePublisher, type PgPool } from './pg.js';
import type { SubscriptionOwner, SubscriptionRecord, SubscriptionStore } from '../subscriptions/index.js';
import { ownerKey, SUBSCRIPTION_COLUMNS as COLUMNS, toSubscription as toRecord, type SubscriptionRow as Row } from './rows.js';

const UPSERT = `INSERT INTO subscriptions (relay_hash, tenant, subscription_id, issuer, sub, client_id, subscriber, endpoint, decided, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
  ON CONFLICT (relay_hash) DO UPDATE SET tenant = excluded.tenant, subscription_id = excluded.subscription_id,
    issuer = excluded.issuer, sub = excluded.sub, client_id = excluded.client_id, subscriber = excluded.subscriber,
    endpoint = excluded.endpoint, decided = excluded.decided, updated_at = excluded.updated_at`;

export class PgSubscriptionStore implements SubscriptionStore {
  /**
   * Every relay hash whose row a write changes or removes is published to the other
   * instances with the transaction that makes the change, so what they keep is forgotten.
   */
  constructor(private readonly pool: PgPool, private readonly changes: ChangePublisher = NO_PUBLISHER) {}

  private async one(sql: string, params: unknown[]): Promise<SubscriptionRecord | undefined> {
    const r = await this.pool.query<Row>(sql, params);
    const row = r.rows[0];
    return row ? toRecord(row) : undefined;
  }

  byId(tenant: string, subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    return this.one(`SELECT ${COLUMNS} FROM subscriptions WHERE tenant = $1 AND subscription_id = $2`, [tenant, subscriptionId]);
  }

  byRelayHash(relayHash: string): Promise<SubscriptionRecord | undefined> {
    return this.one(`SELECT ${COLUMNS} FROM subscriptions WHERE relay_hash = $1`, [relayHash]);
  }

  async ownedBy(tenant: string, owner: SubscriptionOwner): Promise<SubscriptionRecord[]> {
    const r = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM subscriptions WHERE tenant = $1 AND issuer = $2 AND sub = $3 AND client_id = $4 AND subscription_id IS NOT NULL
       ORDER BY created_at COLLATE "C", subscription_id COLLATE "C"`,
      [tenant, ...ownerKey(owner)],
    );
    return r.rows.map(toRecord);
  }

  put(record: SubscriptionRecord): Promise<void> {
    return this.write(record, undefined);
  }

  replace(oldRelayHash: string, record: SubscriptionRecord): Promise<void> {
    return this.write(record, oldRelayHash);
  }

  async delete(relayHash: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const r = await client.query('DELETE FROM subscriptions WHERE relay_hash = $1', [relayHash]);
      if ((r.rowCount ?? 0) > 0) await this.changes.publishIn(client, { kind: 'subscription', relayHash });
    });
  }

  private async write(record: SubscriptionRecord, oldHash: string | undefined): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const gone: string[] = [];
      if (oldHash !== undefined && oldHash !== record.relayHash) {
        const r = await client.query<{ relay_hash: string }>('DELETE FROM subscriptions WHERE relay_hash = $1 RETURNING relay_hash', [oldHash]);
        gone.push(...r.rows.map((x) => x.relay_hash));
      }
      // The broker reuses an id once its subscription is gone; the newer record wins.
      if (record.subscriptionId !== undefined) {
        const r = await client.query<{ relay_hash: string }>(
          'DELETE FROM subscriptions WHERE tenant = $1 AND subscription_id = $2 AND relay_hash <> $3 RETURNING relay_hash',
          [record.tenant, record.subscriptionId, record.relayHash],
        );
        gone.push(...r.rows.map((x) => x.relay_hash));
      }
      for (const relayHash of [...gone, record.relayHash]) await this.changes.publishIn(client, { kind: 'subscription', relayHash });
      await client.query(UPSERT, [
        record.relayHash, record.tenant, record.subscriptionId ?? null, ...ownerKey(record.subscriber),
        JSON.stringify(record.subscriber), JSON.stringify(record.endpoint), JSON.stringify(record.decided),
        record.createdAt, record.updatedAt,
      ]);
    });
  }
}
