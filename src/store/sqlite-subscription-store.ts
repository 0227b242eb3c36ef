import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite.js';
import type { SubscriptionOwner, SubscriptionRecord, SubscriptionStore } from '../subscriptions/index.js';
import { announceCommitted, type ChangeFeed } from '../changes/index.js';
import { ownerKey, SUBSCRIPTION_COLUMNS as COLUMNS, toSubscription as toRecord, type SubscriptionRow as Row } from './rows.js';

export class SqliteSubscriptionStore implements SubscriptionStore {
  private readonly one: Statement<[string, string], Row>;
  private readonly byHash: Statement<[string], Row>;
  private readonly owned: Statement<[string, string, string, string], Row>;
  private readonly removeById: Statement<[string, string, string]>;
  private readonly upsert: Statement<[string, string, string | null, string, string, string, string, string, string, string, string]>;
  private readonly remove: Statement<[string]>;
  private readonly putTx: (record: SubscriptionRecord, oldHash: string | undefined) => void;

  /** With `changes`, a deletion is announced to the other workers once it has committed. */
  constructor(db: SqliteDatabase, private readonly changes?: Pick<ChangeFeed, 'publish'>) {
    this.one = db.prepare(`SELECT ${COLUMNS} FROM subscriptions WHERE tenant = ? AND subscription_id = ?`);
    this.byHash = db.prepare(`SELECT ${COLUMNS} FROM subscriptions WHERE relay_hash = ?`);
    this.owned = db.prepare(`SELECT ${COLUMNS} FROM subscriptions WHERE tenant = ? AND issuer = ? AND sub = ? AND client_id = ? AND subscription_id IS NOT NULL ORDER BY created_at, subscription_id`);
    this.removeById = db.prepare('DELETE FROM subscriptions WHERE tenant = ? AND subscription_id = ? AND relay_hash <> ?');
    this.upsert = db.prepare(
      `INSERT INTO subscriptions (relay_hash, tenant, subscription_id, issuer, sub, client_id, subscriber, endpoint, decided, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(relay_hash) DO UPDATE SET tenant = excluded.tenant, subscription_id = excluded.subscription_id,
         issuer = excluded.issuer, sub = excluded.sub, client_id = excluded.client_id, subscriber = excluded.subscriber,
         endpoint = excluded.endpoint, decided = excluded.decided, updated_at = excluded.updated_at`,
    );
    this.remove = db.prepare('DELETE FROM subscriptions WHERE relay_hash = ?');
    const putTx = db.transaction((record: SubscriptionRecord, oldHash: string | undefined) => {
      if (oldHash !== undefined && oldHash !== record.relayHash) this.remove.run(oldHash);
      // The broker reuses an id once its subscription is gone; the newer record wins.
      if (record.subscriptionId !== undefined) this.removeById.run(record.tenant, record.subscriptionId, record.relayHash);
      this.upsert.run(
        record.relayHash, record.tenant, record.subscriptionId ?? null, ...ownerKey(record.subscriber),
        JSON.stringify(record.subscriber), JSON.stringify(record.endpoint), JSON.stringify(record.decided),
        record.createdAt, record.updatedAt,
      );
    });
    // IMMEDIATE: the write lock first, so a write by another process is waited for.
    this.putTx = (record, oldHash) => putTx.immediate(record, oldHash);
  }

  async byId(tenant: string, subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    const r = this.one.get(tenant, subscriptionId);
    return r ? toRecord(r) : undefined;
  }

  async byRelayHash(relayHash: string): Promise<SubscriptionRecord | undefined> {
    const r = this.byHash.get(relayHash);
    return r ? toRecord(r) : undefined;
  }

  async ownedBy(tenant: string, owner: SubscriptionOwner): Promise<SubscriptionRecord[]> {
    return this.owned.all(tenant, ...ownerKey(owner)).map(toRecord);
  }

  async put(record: SubscriptionRecord): Promise<void> {
    this.putTx(record, undefined);
  }

  async replace(oldRelayHash: string, record: SubscriptionRecord): Promise<void> {
    this.putTx(record, oldRelayHash);
  }

  async delete(relayHash: string): Promise<void> {
    if (this.remove.run(relayHash).changes > 0) announceCommitted(this.changes, { kind: 'subscription', relayHash });
  }
}
