/**
 * Counts failed attempts per key in a sliding window and says how long a key must wait once
 * it has failed too often. Memory is bounded: the least recently failed keys go first, so a
 * flood of new keys can only forget old failures, never grow the map.
 */
export interface AttemptLimit {
  /** Failures allowed within the window; the next attempt waits. */
  maxFailures: number;
  windowMs: number;
}

export class AttemptLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #limit: AttemptLimit;
  readonly #maxKeys: number;

  constructor(limit: AttemptLimit, maxKeys = 10_000) {
    this.#limit = limit;
    this.#maxKeys = Math.max(1, maxKeys);
  }

  /** Milliseconds until the key may try again; 0 when it may try now. */
  waitMs(key: string, now: number): number {
    const recent = this.#recent(key, now);
    if (recent.length < this.#limit.maxFailures) return 0;
    return recent[recent.length - this.#limit.maxFailures]! + this.#limit.windowMs - now;
  }

  fail(key: string, now: number): void {
    const recent = this.#recent(key, now);
    recent.push(now);
    // Only the newest maxFailures matter for waitMs.
    if (recent.length > this.#limit.maxFailures) recent.splice(0, recent.length - this.#limit.maxFailures);
    this.#failures.delete(key);
    if (this.#failures.size >= this.#maxKeys) {
      const oldest = this.#failures.keys().next();
      if (oldest.done !== true) this.#failures.delete(oldest.value);
    }
    this.#failures.set(key, recent);
  }

  /**
   * Counts an attempt as failed before its outcome is known, unless the key must wait (then
   * nothing is counted): in one step, so attempts in flight at once cannot all slip under
   * the limit. Returns the wait, 0 when the attempt may go ahead.
   */
  attempt(key: string, now: number): number {
    const wait = this.waitMs(key, now);
    if (wait === 0) this.fail(key, now);
    return wait;
  }

  /** Takes back one failure counted at `at`: the attempt turned out right. */
  forgive(key: string, at: number): void {
    const times = this.#failures.get(key);
    const i = times?.lastIndexOf(at) ?? -1;
    if (i >= 0) times!.splice(i, 1);
  }

  succeed(key: string): void {
    this.#failures.delete(key);
  }

  #recent(key: string, now: number): number[] {
    const times = this.#failures.get(key);
    if (times === undefined) return [];
    const recent = times.filter((t) => t > now - this.#limit.windowMs);
    if (recent.length === 0) this.#failures.delete(key);
    return recent;
  }
}
