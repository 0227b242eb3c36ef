/**
 * How many rows of one kind a table may hold when several processes add to it, without
 * counting the table on every insert. Each process counts the live rows now and then and
 * adds its own inserts since, and those under way; it counts again after `recountEvery`
 * reservations, or as soon as its estimate would pass the limit. So the table holds at
 * most `max` plus what the other processes added since their last count (fewer than
 * `recountEvery` each) and have under way. The arithmetic is pure; the store gives the
 * counting and the clean-up to roomFor().
 */
export interface CountStart {
  since: number;
  reserved: number;
}

export class RowBudget {
  private counted = 0;
  /** Rows this process added since the count began that `counted` holds. */
  private since = 0;
  /** Rows reserved by inserts not yet answered: held until they are, whatever a count says meanwhile. */
  private pending = 0;
  /** Rows reserved since the last count, answered or not. */
  private reservedSince = 0;
  /** Until the first count, the estimate is unknown: a count is due. */
  private due = true;
  private counting: Promise<void> | undefined;
  readonly recountEvery: number;

  constructor(readonly max: number) {
    // Small enough that several processes overshoot by little, large enough that a count is rare.
    this.recountEvery = Math.max(1, Math.floor(max / 64));
  }

  private get estimate(): number {
    return this.counted + this.since + this.pending;
  }

  /** Whether the last count is too old to add to: none yet, or `recountEvery` rows reserved since. */
  stale(): boolean {
    return this.due || this.reservedSince >= this.recountEvery;
  }

  /** Whether the caller must count the live rows before adding `n` more. */
  needsCount(n = 1): boolean {
    return this.stale() || this.estimate + n > this.max;
  }

  /** Marks the start of a count, for recount(). */
  beginCount(): CountStart {
    return { since: this.since, reserved: this.reservedSince };
  }

  /**
   * The live rows counted from `start` on. What was added while the count ran may be in it
   * or not: it stays added (the estimate errs high, never low).
   */
  recount(live: number, start: CountStart = { since: this.since, reserved: this.reservedSince }): void {
    this.counted = live;
    this.since -= start.since;
    this.reservedSince -= start.reserved;
    this.due = false;
  }

  /** Whether `n` more rows fit, as last counted. */
  fits(n = 1): boolean {
    return !this.due && this.estimate + n <= this.max;
  }

  /** Holds room for `n` rows about to be inserted: check with fits() and reserve without waiting in between. */
  reserve(n = 1): void {
    this.pending += n;
    this.reservedSince += n;
  }

  /** The insert of `reserved` rows is answered: `added` of them are new. */
  settle(reserved: number, added: number): void {
    this.pending -= reserved;
    this.since += added;
  }

  /** Rows taken away by this process (a session closed, a challenge used). */
  removed(n = 1): void {
    this.since -= n;
  }

  /**
   * Reserves room for `n` rows, counting with `count` when due (one count at a time) and,
   * when full, once more after `prune` removed a batch of expired rows; false when full.
   * Settle the reservation once the insert is answered.
   */
  async roomFor(n: number, count: () => Promise<number>, prune: () => Promise<unknown>): Promise<boolean> {
    // Others waiting on the same count may reserve first: the check is made again after it.
    while (this.needsCount(n)) {
      await this.countWith(count);
      if (!this.fits(n)) {
        await prune();
        await this.countWith(count);
        if (!this.fits(n)) return false;
      }
      if (!this.stale()) break;
    }
    if (!this.fits(n)) return false;
    this.reserve(n);
    return true;
  }

  private countWith(count: () => Promise<number>): Promise<void> {
    if (this.counting === undefined) {
      const start = this.beginCount();
      this.counting = count().then((live) => this.recount(live, start)).finally(() => { this.counting = undefined; });
    }
    return this.counting;
  }
}
