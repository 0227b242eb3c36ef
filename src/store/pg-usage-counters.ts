/**
 * Usage counters on PostgreSQL, shared by every instance and worker on the database: a
 * `count` limit of N permits N requests in all, whichever processes serve them at once.
 * A request is counted in one round trip (mimtrust_count, migration 16): its keys are
 * locked in one order, and counted all together only while each is below its limit.
 * decide() reads this process's copy of the counts (CountCopy), refreshed by every answer.
 *
 * Bounded like the in-memory counters: at most `maxKeys` live keys (RowBudget: counted
 * now and then, not on every request), closed windows removed in batches from a timer; a
 * request needing a new key when full is refused (503 `usage_counters_full`), and so is
 * one the database does not answer (503 `usage_counters_unavailable`).
 */
import { MimtrustError } from '../errors/index.js';
import { CountCopy, countersFull, type UsageCounting } from '../gateway/usage-counters.js';
import { counterWindowEnd } from '../policy/counter-key.js';
import type { PgPool } from './pg.js';
import { RowBudget } from './row-budget.js';

/** A lifetime count's window never closes: the largest time a BIGINT column and a number agree on. */
const NEVER = Number.MAX_SAFE_INTEGER;
const PRUNE_BATCH = 1000;
const PRUNE_EVERY_MS = 10_000;

export interface PgUsageCountersOptions {
  /** Most live keys. Default 200 000, as in memory. */
  maxKeys?: number;
  now?: () => number;
}

function unavailable(cause: unknown): MimtrustError {
  return new MimtrustError('SERVICE_UNAVAILABLE', 'The usage limits of this request could not be counted; try again later.', { reason: 'usage_counters_unavailable', cause });
}

export class PgUsageCounters implements UsageCounting {
  private readonly copy = new CountCopy();
  private readonly budget: RowBudget;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pool: PgPool, o: PgUsageCountersOptions = {}) {
    this.budget = new RowBudget(o.maxKeys ?? 200_000);
    this.now = o.now ?? Date.now;
    this.timer = setInterval(() => { void this.prune().catch(() => undefined); }, PRUNE_EVERY_MS);
    this.timer.unref();
  }

  get values(): ReadonlyMap<string, number> {
    return this.copy.values;
  }

  async increment(keys: readonly string[], limits: readonly number[] = []): Promise<void> {
    if (keys.length === 0) return;
    // Sorted, so two requests sharing keys lock them in the same order.
    const order = keys.map((_, i) => i).sort((x, y) => (keys[x]! < keys[y]! ? -1 : keys[x]! > keys[y]! ? 1 : 0));
    const sorted = order.map((i) => keys[i]!);
    // A key missing from the copy may be new: room is needed for it.
    const unknown = sorted.filter((k) => !this.copy.values.has(k)).length;
    const now = this.now();
    let answer: { counted: boolean; counts: number[]; fresh: number };
    try {
      if (unknown > 0 && !await this.room(unknown, now)) throw countersFull();
      let fresh = 0;
      try {
        const r = await this.pool.query<{ counted: boolean; counts: Array<string | number>; fresh: number }>(
          'SELECT counted, counts, fresh FROM mimtrust_count($1::text[], $2::bigint[], $3::bigint[], $4)',
          [sorted, order.map((i) => limits[i] ?? 0), sorted.map((k) => Math.min(counterWindowEnd(k), NEVER)), now],
        );
        const row = r.rows[0];
        if (row === undefined) throw new Error('mimtrust_count answered nothing');
        fresh = row.fresh;
        answer = { counted: row.counted, counts: row.counts.map(Number), fresh };
      } finally {
        this.budget.settle(unknown, fresh);
      }
    } catch (err) {
      if (err instanceof MimtrustError) throw err;
      throw unavailable(err);
    }
    this.copy.answered(sorted, answer.counts, answer.counted ? 'counted' : 'exceeded');
  }

  /** Removes a batch of closed windows; how many. */
  async prune(): Promise<number> {
    const r = await this.pool.query(
      'DELETE FROM usage_counts WHERE key IN (SELECT key FROM usage_counts WHERE until <= $1 LIMIT $2)', [this.now(), PRUNE_BATCH],
    );
    return r.rowCount ?? 0;
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Room for `n` new keys, reserved when there is (settled once counted). */
  private room(n: number, now: number): Promise<boolean> {
    const live = async (): Promise<number> => Number((await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM usage_counts WHERE until > $1', [now])).rows[0]?.n ?? 0);
    return this.budget.roomFor(n, live, () => this.prune());
  }
}
