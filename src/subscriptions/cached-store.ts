/**
 * The subscription store with the records the relay looks up kept in memory: every
 * notification finds its subscription by relay hash, and reading the store for each one
 * costs a query (a round trip on PostgreSQL) per notification. Bounded: when full, the
 * oldest entry goes. A change made here forgets the records it touches at once; a change
 * made on another instance arrives through the change feed (the store publishes every relay
 * hash whose row it changes or removes); while the feed is down the store is read every
 * time, and when it comes back everything kept is forgotten.
 */
import type { ChangeFeed } from '../changes/index.js';
import type { SubscriptionOwner, SubscriptionRecord, SubscriptionStore } from './types.js';

export class CachedSubscriptionStore implements SubscriptionStore {
  readonly #byHash = new Map<string, SubscriptionRecord>();
  /** Tenant and subscription id -> relay hash of the kept record: a put replacing another row by id forgets it too. */
  readonly #hashById = new Map<string, string>();
  readonly #limit: number;
  /** Counts forgettings: a read that started before one must not keep what it read. */
  #generation = 0;

  constructor(private readonly store: SubscriptionStore, private readonly changes: ChangeFeed, limit = 10_000) {
    this.#limit = Math.max(1, limit);
    changes.subscribe({
      change: (e) => { if (e.kind === 'subscription') this.#forget(e.relayHash); },
      resync: () => { this.#forgetAll(); },
    });
  }

  async byRelayHash(relayHash: string): Promise<SubscriptionRecord | undefined> {
    if (!this.changes.live) return this.store.byRelayHash(relayHash);
    const hit = this.#byHash.get(relayHash);
    if (hit !== undefined) return hit;
    const generation = this.#generation;
    const record = await this.store.byRelayHash(relayHash);
    // Misses are not kept: anyone can make up relay tokens, and they must not push out real ones.
    if (record !== undefined && generation === this.#generation && this.changes.live) this.#keep(record);
    return record;
  }

  byId(tenant: string, subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    return this.store.byId(tenant, subscriptionId);
  }

  ownedBy(tenant: string, owner: SubscriptionOwner): Promise<SubscriptionRecord[]> {
    return this.store.ownedBy(tenant, owner);
  }

  async put(record: SubscriptionRecord): Promise<void> {
    try {
      await this.store.put(record);
    } finally {
      this.#forgetWritten(record);
    }
  }

  async replace(oldRelayHash: string, record: SubscriptionRecord): Promise<void> {
    try {
      await this.store.replace(oldRelayHash, record);
    } finally {
      this.#forget(oldRelayHash);
      this.#forgetWritten(record);
    }
  }

  async delete(relayHash: string): Promise<void> {
    try {
      await this.store.delete(relayHash);
    } finally {
      this.#forget(relayHash);
    }
  }

  /** Records kept now (for tests and metrics). */
  get size(): number {
    return this.#byHash.size;
  }

  #keep(record: SubscriptionRecord): void {
    if (this.#byHash.size >= this.#limit) {
      const oldest = this.#byHash.keys().next();
      if (oldest.done !== true) this.#forget(oldest.value);
    }
    this.#byHash.set(record.relayHash, record);
    if (record.subscriptionId !== undefined) this.#hashById.set(idKey(record.tenant, record.subscriptionId), record.relayHash);
  }

  /** The written record's hash and whatever record it replaced by tenant and subscription id. */
  #forgetWritten(record: SubscriptionRecord): void {
    this.#forget(record.relayHash);
    if (record.subscriptionId === undefined) return;
    const other = this.#hashById.get(idKey(record.tenant, record.subscriptionId));
    if (other !== undefined) this.#forget(other);
  }

  #forget(relayHash: string): void {
    this.#generation++;
    const kept = this.#byHash.get(relayHash);
    if (kept === undefined) return;
    this.#byHash.delete(relayHash);
    if (kept.subscriptionId === undefined) return;
    const key = idKey(kept.tenant, kept.subscriptionId);
    if (this.#hashById.get(key) === relayHash) this.#hashById.delete(key);
  }

  #forgetAll(): void {
    this.#generation++;
    this.#byHash.clear();
    this.#hashById.clear();
  }
}

function idKey(tenant: string, subscriptionId: string): string {
  return `${tenant}\u0000${subscriptionId}`;
}
