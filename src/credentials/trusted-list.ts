/**
 * The trusted issuers list as the gateway holds it: the configured entries
 * (`credentials.trustedIssuers`), which only the configuration changes, and those the
 * operator puts through the admin API, kept in the store and in memory, so that a login
 * reads the list without waiting for the store. An issuer is on the list once: the admin
 * API neither replaces nor removes a configured one. With several instances on one store,
 * a change made through one is heard on the change feed by the others, which read the
 * operator's entries again (and again in full when the feed may have missed changes).
 */
import type { TrustedIssuerSettings } from '../config/index.js';
import type { ChangeFeed } from '../changes/index.js';
import { CredentialError } from './errors.js';

/** Where the operator's entries are kept (src/store). */
export interface TrustedIssuerStore {
  all(): Promise<TrustedIssuerSettings[]>;
  put(entry: TrustedIssuerSettings, at: string): Promise<void>;
  /** False when there was no such entry. */
  remove(did: string): Promise<boolean>;
}

export interface ListedIssuer {
  entry: TrustedIssuerSettings;
  /** `config`: from the configuration, read-only here; `admin`: put through the admin API. */
  source: 'config' | 'admin';
}

export class TrustedIssuers {
  private readonly configured: ReadonlyMap<string, TrustedIssuerSettings>;
  private stored = new Map<string, TrustedIssuerSettings>();
  private snapshot: readonly TrustedIssuerSettings[] = [];
  /** Changes and re-reads one after another, so a re-read never puts back an older list over a newer change. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(configured: readonly TrustedIssuerSettings[], private readonly store: TrustedIssuerStore) {
    this.configured = new Map(configured.map((e) => [e.did, e]));
  }

  static async open(configured: readonly TrustedIssuerSettings[], store: TrustedIssuerStore, changes?: ChangeFeed): Promise<TrustedIssuers> {
    const list = new TrustedIssuers(configured, store);
    await list.reload();
    // A failed re-read throws to the feed, which reports it; the list in force stays until the next change or resync.
    changes?.subscribe({
      change: (e) => (e.kind === 'trusted-issuer' ? list.serial(() => list.reload()) : undefined),
      resync: () => list.serial(() => list.reload()),
    });
    return list;
  }

  private async reload(): Promise<void> {
    const stored = new Map<string, TrustedIssuerSettings>();
    // An entry the configuration now holds too is the configuration's.
    for (const e of await this.store.all()) if (!this.configured.has(e.did)) stored.set(e.did, e);
    this.stored = stored;
    this.refresh();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private refresh(): void {
    this.snapshot = [...this.configured.values(), ...this.stored.values()];
  }

  /** Every entry in force, replaced whole on each change. */
  entries(): readonly TrustedIssuerSettings[] {
    return this.snapshot;
  }

  listed(): ListedIssuer[] {
    return [
      ...[...this.configured.values()].map((entry) => ({ entry, source: 'config' as const })),
      ...[...this.stored.values()].map((entry) => ({ entry, source: 'admin' as const })),
    ];
  }

  get(did: string): ListedIssuer | undefined {
    const c = this.configured.get(did);
    if (c !== undefined) return { entry: c, source: 'config' };
    const s = this.stored.get(did);
    return s === undefined ? undefined : { entry: s, source: 'admin' };
  }

  /** Puts the operator's entry; true when it is new. */
  async put(entry: TrustedIssuerSettings, now: number): Promise<boolean> {
    if (this.configured.has(entry.did)) throw new CredentialError('trusted_issuer_configured', 'This issuer is on the configured list; only the configuration changes its entry.');
    return this.serial(async () => {
      await this.store.put(entry, new Date(now).toISOString());
      const created = !this.stored.has(entry.did);
      this.stored.set(entry.did, entry);
      this.refresh();
      return created;
    });
  }

  /** Removes the operator's entry; false when there was none. */
  async remove(did: string): Promise<boolean> {
    if (this.configured.has(did)) throw new CredentialError('trusted_issuer_configured', 'This issuer is on the configured list; only the configuration removes it.');
    return this.serial(async () => {
      const removed = await this.store.remove(did);
      this.stored.delete(did);
      this.refresh();
      return removed;
    });
  }
}
