/**
 * A bounded cache with per-entry expiry. Least recently used entries go first when full;
 * a Map keeps insertion order, so a hit re-inserts its entry at the young end, unless it is
 * there already (a key asked for again and again, such as one caller's token, costs one
 * look-up instead of a delete and an insert each time).
 */
export class TtlCache<K, V> {
  readonly #entries = new Map<K, { value: V; expiresAt: number }>();
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** The key last inserted, which is at the young end while it is in the cache. */
  #youngest: K | undefined;

  constructor(maxEntries: number, now: () => number) {
    this.#maxEntries = Math.max(1, maxEntries);
    this.#now = now;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.delete(key);
      return undefined;
    }
    if (key !== this.#youngest) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#youngest = key;
    }
    return entry.value;
  }

  set(key: K, value: V, expiresAt: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt });
    this.#youngest = key;
  }

  delete(key: K): void {
    this.#entries.delete(key);
    if (key === this.#youngest) this.#youngest = undefined;
  }

  get size(): number {
    return this.#entries.size;
  }
}
