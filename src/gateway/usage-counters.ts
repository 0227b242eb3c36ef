/**
 * Counters behind `count` constraints: how many permitted requests each (contract, rule,
 * caller, window) has had. decide() reads them and names the keys to increment; this
 * holds them. They live in memory: a restart starts every window afresh (shared, durable
 * counters come with the PostgreSQL store). Bounded: the oldest keys go first, and window
 * keys are by construction never needed again once their window has passed.
 */
export class UsageCounters {
  private readonly counts = new Map<string, number>();
  constructor(private readonly maxKeys = 200_000) {}

  get values(): ReadonlyMap<string, number> {
    return this.counts;
  }

  increment(keys: readonly string[]): void {
    for (const key of keys) {
      const n = this.counts.get(key);
      if (n === undefined) {
        if (this.counts.size >= this.maxKeys) {
          const oldest = this.counts.keys().next().value;
          if (oldest !== undefined) this.counts.delete(oldest);
        }
        this.counts.set(key, 1);
      } else this.counts.set(key, n + 1);
    }
  }
}
