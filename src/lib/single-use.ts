/**
 * Secrets handed out once and taken back once: random keys for values, each with an expiry,
 * in memory, bounded overall and per owner. The interface is only issue and take, so the
 * same callers can be served by a store shared between instances.
 *
 * Beyond either bound the oldest entry gives way (of the whole store, or of that owner):
 * handing out more can only forget earlier ones, never grow the map.
 */
import { randomBytes } from 'node:crypto';

export interface SingleUseStore<V> {
  /** A fresh random key for `value`, good until `expiresAt` (epoch ms); `owner` counts against the owner's bound. */
  issue(value: V, expiresAt: number, owner?: string): string;
  /** The value of an open key, which is then used up; undefined for a key unknown, used, expired or forgotten. */
  take(key: string): V | undefined;
}

export interface MemorySingleUseOptions {
  max: number;
  /** Open keys one owner may have; default: `max`. */
  maxPerOwner?: number;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
  owner: string | undefined;
}

export class MemorySingleUse<V> implements SingleUseStore<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #byOwner = new Map<string, string[]>();
  readonly #max: number;
  readonly #maxPerOwner: number;
  readonly #now: () => number;

  constructor(o: MemorySingleUseOptions) {
    this.#max = Math.max(1, o.max);
    this.#maxPerOwner = Math.max(1, o.maxPerOwner ?? o.max);
    this.#now = o.now ?? Date.now;
  }

  issue(value: V, expiresAt: number, owner?: string): string {
    const key = randomBytes(32).toString('base64url');
    if (owner !== undefined) {
      const keys = (this.#byOwner.get(owner) ?? []).filter((k) => this.#entries.has(k));
      while (keys.length >= this.#maxPerOwner) this.#drop(keys.shift() as string);
      keys.push(key);
      this.#byOwner.set(owner, keys);
    }
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#drop(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt, owner });
    return key;
  }

  take(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#drop(key);
    return entry.expiresAt > this.#now() ? entry.value : undefined;
  }

  /** Open keys (expired ones included until taken or pushed out). */
  get size(): number {
    return this.#entries.size;
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    if (entry?.owner === undefined) return;
    const keys = this.#byOwner.get(entry.owner)?.filter((k) => k !== key) ?? [];
    if (keys.length === 0) this.#byOwner.delete(entry.owner);
    else this.#byOwner.set(entry.owner, keys);
  }
}
