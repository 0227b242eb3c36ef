/**
 * Counters behind `count` constraints: how many permitted requests each (contract, rule,
 * caller, window) has had. decide() reads them and names the keys to increment; this
 * holds them. On SQLite they live in memory: a restart starts every window afresh; with
 * several workers they live in the primary (app/worker-counters.ts), which counts a key
 * only while it is below its limit. On PostgreSQL every process counts in the database
 * (store/pg-usage-counters.ts), so a limit holds across instances; each keeps a CountCopy.
 *
 * Bounded without ever forgetting a live count: a key is dropped only once its window
 * has closed. When the table is full of live windows, a request that needs a new key is
 * refused (503 `usage_counters_full`) rather than letting it evict, and so reset, someone's
 * count.
 */
import { MimtrustError } from '../errors/index.js';
import { counterWindowEnd } from '../policy/index.js';

export interface UsageCountersOptions {
  /** Most keys held at once. Default 200 000. */
  maxKeys?: number;
  /** Clock, epoch ms. Default Date.now. */
  now?: () => number;
}

interface Entry {
  count: number;
  /** Epoch ms at which the window closes (Infinity for lifetime counts). */
  until: number;
}

/** What the request path counts with: in this process (UsageCounters) or in the primary of several workers. */
export interface UsageCounting {
  /** Current counts by key, for decide(). */
  readonly values: ReadonlyMap<string, number>;
  /**
   * Counts a permitted request against each key, all or none. `limits` (the decision's
   * Obligations.limits) is for counts kept apart from the decision: a key already at its
   * limit refuses the request (403 `count_exceeded`) rather than being counted past it.
   */
  increment(keys: readonly string[], limits?: readonly number[]): void | Promise<void>;
}

/** The refusal of a request whose count, kept apart from its decision, reached the limit meanwhile. */
export function countExceeded(): MimtrustError {
  return new MimtrustError('FORBIDDEN', 'A usage limit of the contract this request rests on has been reached.', { reason: 'count_exceeded' });
}

/** The refusal of a request needing a new key when the counters hold as many as they can. */
export function countersFull(retryAfterSec?: string): MimtrustError {
  return new MimtrustError('SERVICE_UNAVAILABLE', 'The gateway is tracking as many usage limits as it can hold; try again later.', {
    reason: 'usage_counters_full', ...(retryAfterSec === undefined ? {} : { headers: { 'retry-after': retryAfterSec } }),
  });
}

/** The outcome of counting a request where the counts are kept for several processes. */
export type CountOutcome = 'counted' | 'exceeded' | 'full';

/** Most keys a process copies from counts kept elsewhere; past it the copy starts empty again. */
const MAX_COPIED_KEYS = 200_000;

/**
 * A process's copy of counts kept elsewhere (in the primary of several workers, in the
 * shared store), refreshed by the answers to its own counting; decide() reads it. It is
 * never ahead of the kept counts (within a window counts only grow), so a decision on it
 * may permit what the keeper then refuses, never the other way round.
 */
export class CountCopy {
  private readonly copy = new Map<string, number>();

  get values(): ReadonlyMap<string, number> {
    return this.copy;
  }

  /** Takes in the keeper's answer; throws the refusal it means. */
  answered(keys: readonly string[], counts: readonly number[], outcome: CountOutcome): void {
    if (this.copy.size + keys.length > MAX_COPIED_KEYS) this.copy.clear();
    keys.forEach((k, i) => this.copy.set(k, counts[i] ?? 0));
    if (outcome === 'exceeded') throw countExceeded();
    if (outcome === 'full') throw countersFull();
  }
}

export class UsageCounters implements UsageCounting {
  private readonly entries = new Map<string, Entry>();
  private readonly counts = new Map<string, number>();
  private readonly maxKeys: number;
  private readonly now: () => number;
  /** Earliest window end among the held keys: nothing can be swept before it. */
  private nextExpiry = Number.POSITIVE_INFINITY;

  constructor(options: UsageCountersOptions = {}) {
    this.maxKeys = options.maxKeys ?? 200_000;
    this.now = options.now ?? Date.now;
  }

  /** Current counts by key, for decide(). */
  get values(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /**
   * Adds one to each key, all or none: throws (503) when the new keys do not fit even
   * after closed windows are dropped.
   */
  increment(keys: readonly string[]): void {
    let fresh = 0;
    for (const key of keys) if (!this.entries.has(key)) fresh++;
    if (fresh > 0 && this.entries.size + fresh > this.maxKeys) {
      this.sweep();
      if (this.entries.size + fresh > this.maxKeys) {
        throw countersFull(this.retryAfterSec());
      }
    }
    for (const key of keys) {
      let entry = this.entries.get(key);
      if (entry === undefined) {
        entry = { count: 0, until: counterWindowEnd(key) };
        this.entries.set(key, entry);
        if (entry.until < this.nextExpiry) this.nextExpiry = entry.until;
      }
      entry.count += 1;
      this.counts.set(key, entry.count);
    }
  }

  /**
   * Counts only when every key is below its limit: true when counted. Where counts are
   * kept for several processes, this is the check decide() made on a copy that may be behind.
   */
  reserve(keys: readonly string[], limits: readonly number[]): boolean {
    if (keys.some((key, i) => (this.counts.get(key) ?? 0) >= (limits[i] ?? 0))) return false;
    this.increment(keys);
    return true;
  }

  /** Drops keys whose window has closed; a no-op until the earliest one has. */
  private sweep(): void {
    const now = this.now();
    if (now < this.nextExpiry) return;
    let next = Number.POSITIVE_INFINITY;
    for (const [key, entry] of this.entries) {
      if (entry.until <= now) {
        this.entries.delete(key);
        this.counts.delete(key);
      } else if (entry.until < next) next = entry.until;
    }
    this.nextExpiry = next;
  }

  private retryAfterSec(): string {
    const wait = this.nextExpiry - this.now();
    return Number.isFinite(wait) ? String(Math.max(1, Math.ceil(wait / 1000))) : '3600';
  }
}
