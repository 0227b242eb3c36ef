/**
 * A memo for a pure function of a string-like key, bounded in size. When full it starts
 * over instead of evicting one entry at a time: a hit stays one Map look-up (the memos
 * sit on the per-request path), and a flood of distinct keys costs memory up to the
 * limit and no more. Values never expire; anything with a lifetime belongs in TtlCache.
 */
export class BoundedMemo<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  set(key: K, value: V): void {
    if (this.#entries.size >= this.#limit) this.#entries.clear();
    this.#entries.set(key, value);
  }

  /** The remembered value, or `compute()` remembered. */
  remember(key: K, compute: () => V): V {
    const hit = this.#entries.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    this.set(key, value);
    return value;
  }

  get size(): number {
    return this.#entries.size;
  }
}
