/**
 * ExpiringKeys (lib/expiring-keys.ts) over a table of the store, SQLite or PostgreSQL alike:
 * the dialect is a KeyTable; the bounds, the clean-up and the refusals are here, once.
 *
 * Bounds: each kind's live rows are counted now and then (RowBudget), never on every
 * insert. Clean-up: expired rows go in batches of at most PRUNE_BATCH per kind, from a
 * timer and when a kind looks full, never in one unbounded DELETE on a request's way; an
 * expired row still in the table counts for nothing (every read compares its expiry).
 * A table that cannot be reached rejects with 503 `shared_state_unavailable`.
 */
import { MimtrustError, sharedStateUnavailable } from '../errors/index.js';
import type { ExpiringKeys, KeyKind, TakeOnce } from '../lib/index.js';
import { RowBudget } from './row-budget.js';

/** The statements of one dialect. Times are epoch ms. */
export interface KeyTable {
  /** Inserts the row unless a live one holds the key (an expired one is replaced); true when inserted. */
  insertIfAbsent(kind: string, key: string, value: string | null, until: number, now: number): Promise<boolean>;
  upsert(kind: string, key: string, value: string, until: number): Promise<void>;
  get(kind: string, key: string, now: number): Promise<string | undefined>;
  /** Deletes the row, returning what it held. */
  remove(kind: string, key: string): Promise<{ value: string | null; until: number } | undefined>;
  countLive(kind: string, now: number): Promise<number>;
  /** Deletes at most `limit` expired rows of the kind; how many it deleted. */
  prune(kind: string, now: number, limit: number): Promise<number>;
}

export const PRUNE_BATCH = 1000;
const PRUNE_EVERY_MS = 10_000;

export interface StoredExpiringKeysOptions {
  now?: () => number;
  /** How often expired rows are cleaned up. Default 10 s. */
  pruneEveryMs?: number;
}

export class StoredExpiringKeys implements ExpiringKeys {
  private readonly budgets = new Map<string, RowBudget>();
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;
  private pruning = false;

  constructor(private readonly table: KeyTable, o: StoredExpiringKeysOptions = {}) {
    this.now = o.now ?? Date.now;
    this.timer = setInterval(() => { void this.pruneAll(); }, o.pruneEveryMs ?? PRUNE_EVERY_MS);
    this.timer.unref();
  }

  takeOnce(kind: KeyKind, key: string, untilMs: number, value?: string): Promise<TakeOnce> {
    return this.guard(async () => {
      const now = this.now();
      const b = await this.room(kind, now);
      if (b === undefined) return 'full';
      let fresh = false;
      try {
        fresh = await this.table.insertIfAbsent(kind.name, key, value ?? null, untilMs, now);
      } finally {
        b.settle(1, fresh ? 1 : 0);
      }
      return fresh ? 'fresh' : 'taken';
    });
  }

  put(kind: KeyKind, key: string, value: string, untilMs: number): Promise<boolean> {
    return this.guard(async () => {
      const b = await this.room(kind, this.now());
      if (b === undefined) return false;
      let stored = false;
      try {
        await this.table.upsert(kind.name, key, value, untilMs);
        stored = true;
      } finally {
        b.settle(1, stored ? 1 : 0);
      }
      return true;
    });
  }

  get(kind: KeyKind, key: string): Promise<string | undefined> {
    return this.guard(() => this.table.get(kind.name, key, this.now()));
  }

  take(kind: KeyKind, key: string): Promise<string | undefined> {
    return this.guard(async () => {
      const row = await this.table.remove(kind.name, key);
      if (row === undefined) return undefined;
      this.budget(kind).removed();
      return row.until > this.now() && row.value !== null ? row.value : undefined;
    });
  }

  delete(kind: KeyKind, key: string): Promise<void> {
    return this.guard(async () => {
      if (await this.table.remove(kind.name, key)) this.budget(kind).removed();
    });
  }

  /** Stops the clean-up timer; the table is the store's to close. */
  close(): void {
    clearInterval(this.timer);
  }

  /** Cleans up every kind used here, a batch each; a kind with more waiting gets another batch next time. */
  async pruneAll(): Promise<void> {
    if (this.pruning) return;
    this.pruning = true;
    try {
      for (const kind of this.budgets.keys()) await this.table.prune(kind, this.now(), PRUNE_BATCH);
    } catch {
      // The next tick tries again; requests meanwhile see the store's state themselves.
    } finally {
      this.pruning = false;
    }
  }

  private budget(kind: KeyKind): RowBudget {
    let b = this.budgets.get(kind.name);
    if (b === undefined || b.max !== kind.max) {
      b = new RowBudget(kind.max);
      this.budgets.set(kind.name, b);
    }
    return b;
  }

  /** Room for one more key of the kind, reserved (the budget, to settle), or undefined when full. */
  private async room(kind: KeyKind, now: number): Promise<RowBudget | undefined> {
    const b = this.budget(kind);
    const fits = await b.roomFor(1, () => this.table.countLive(kind.name, now), () => this.table.prune(kind.name, now, PRUNE_BATCH));
    return fits ? b : undefined;
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof MimtrustError) throw err;
      throw sharedStateUnavailable(err);
    }
  }
}
