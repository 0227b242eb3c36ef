/**
 * Secrets handed out once and taken back once, kept in the expiring keys every process of
 * a deployment shares (expiring-keys.ts): a secret one process hands out, any process can
 * take, and only one of them does. The store holds a hash of each secret, never the secret
 * itself, and its value as JSON.
 *
 * Bounds, kept however many processes hand secrets out:
 * - `max` open secrets of the kind: beyond it a new one is refused (503 shared_state_full);
 *   an open secret is never dropped to make room for a stranger's.
 * - `maxPerOwner` open secrets of one owner: each secret holds one of its owner's slots
 *   (keys `<owner hash>.<i>`, claimed in one atomic step each), so no two processes hand
 *   out secrets on one slot. With every slot held, the owner's oldest secret gives way:
 *   whoever takes its slot removes it. A slot stays held until its secret would have
 *   expired, taken or not; the oldest giving way then costs the owner nothing open.
 *
 * With `rememberUsed`, a taken secret is kept as used until it would have expired, so a
 * second use is told apart from an unknown secret (a code used twice has leaked). Two
 * takers at the same moment: one gets it open, the other unknown or used.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sharedStateFull } from '../errors/index.js';
import type { ExpiringKeys, KeyKind } from './expiring-keys.js';

/** What taking a secret found. */
export type Taken<V> =
  | { state: 'open'; value: V }
  /** Taken before (only with `rememberUsed`): its value, for telling whose it was. */
  | { state: 'used'; value: V }
  /** Never handed out, expired, given way, or (without `rememberUsed`) taken before. */
  | { state: 'unknown' };

export interface SingleUseStore<V> {
  /** A fresh random secret for `value`, good until `expiresAt` (epoch ms); `owner` counts against the owner's bound. */
  issue(value: V, expiresAt: number, owner?: string): Promise<string>;
  /** Uses the secret up: open the first time (once, across every process), never again. */
  take(secret: string): Promise<Taken<V>>;
}

export interface StoredSingleUseOptions {
  keys: ExpiringKeys;
  /** Names the secrets' kinds in the store (`<name>`, `<name>-slot`, `<name>-used`). */
  name: string;
  /** Open secrets at most. */
  max: number;
  /** Open secrets of one owner at most; default: no bound of its own. */
  maxPerOwner?: number;
  /** Keep taken secrets as used until they would have expired. */
  rememberUsed?: boolean;
}

/** The stored value: the secret's value and when it expires. */
interface Entry<V> {
  v: V;
  until: number;
}

/** A slot's value: the hash of the secret holding it and when that expires. */
interface Slot {
  key: string;
  until: number;
}

/** Rounds of claiming a slot against other processes before giving up (503). */
const SLOT_ATTEMPTS = 4;

const digest = (text: string): string => createHash('sha256').update(text).digest('base64url');

function parsed<T>(raw: string | undefined): T | undefined {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

export class StoredSingleUse<V> implements SingleUseStore<V> {
  readonly #keys: ExpiringKeys;
  readonly #open: KeyKind;
  readonly #slots: KeyKind;
  readonly #used: KeyKind | undefined;
  readonly #maxPerOwner: number | undefined;

  constructor(o: StoredSingleUseOptions) {
    this.#keys = o.keys;
    const max = Math.max(1, o.max);
    this.#open = { name: o.name, max };
    this.#slots = { name: `${o.name}-slot`, max };
    this.#used = o.rememberUsed === true ? { name: `${o.name}-used`, max } : undefined;
    this.#maxPerOwner = o.maxPerOwner === undefined ? undefined : Math.max(1, o.maxPerOwner);
  }

  async issue(value: V, expiresAt: number, owner?: string): Promise<string> {
    const entry = JSON.stringify({ v: value, until: expiresAt } satisfies Entry<V>);
    for (let attempt = 0; attempt < SLOT_ATTEMPTS; attempt++) {
      const secret = randomBytes(32).toString('base64url');
      const key = digest(secret);
      const slot = owner === undefined || this.#maxPerOwner === undefined ? undefined : await this.#claimSlot(owner, this.#maxPerOwner, key, expiresAt);
      if (!await this.#keys.put(this.#open, key, entry, expiresAt)) throw sharedStateFull();
      if (slot === undefined) return secret;
      // Another process may have taken the slot for a newer secret between the claim and the put,
      // removing this secret before it was there: then it must not stay open without a slot.
      if (parsed<Slot>(await this.#keys.get(this.#slots, slot))?.key === key) return secret;
      await this.#keys.delete(this.#open, key);
    }
    throw sharedStateFull();
  }

  async take(secret: string): Promise<Taken<V>> {
    const key = digest(secret);
    const raw = await this.#keys.take(this.#open, key);
    const entry = parsed<Entry<V>>(raw);
    if (raw !== undefined && entry !== undefined) {
      // Taken is taken: a used secret not remembered (the kind full, the store gone since) is
      // refused all the same when it comes again, only not named as used.
      if (this.#used !== undefined) await this.#keys.put(this.#used, key, raw, entry.until).catch(() => false);
      return { state: 'open', value: entry.v };
    }
    if (this.#used === undefined) return { state: 'unknown' };
    const used = parsed<Entry<V>>(await this.#keys.get(this.#used, key));
    return used === undefined ? { state: 'unknown' } : { state: 'used', value: used.v };
  }

  /** Claims a free slot of the owner for the secret `key`, the owner's oldest giving way when none is free; the slot's key. */
  async #claimSlot(owner: string, maxPerOwner: number, key: string, until: number): Promise<string> {
    const base = digest(`owner ${owner}`);
    const slots = Array.from({ length: maxPerOwner }, (_, i) => `${base}.${i}`);
    const value = JSON.stringify({ key, until } satisfies Slot);
    let order = slots;
    for (let attempt = 0; attempt < SLOT_ATTEMPTS; attempt++) {
      for (const slot of order) {
        const claimed = await this.#keys.takeOnce(this.#slots, slot, until, value);
        if (claimed === 'fresh') return slot;
        if (claimed === 'full') throw sharedStateFull();
      }
      // The slot just freed first: unless another process claims it meanwhile, it is this secret's.
      const freed = await this.#giveWayOldest(slots);
      order = [freed, ...slots.filter((s) => s !== freed)];
    }
    throw sharedStateFull();
  }

  /** Frees the slot whose secret expires first, removing that secret, and names it; or names a slot found free meanwhile. */
  async #giveWayOldest(slots: string[]): Promise<string> {
    const held = await Promise.all(slots.map(async (slot) => ({ slot, holder: parsed<Slot>(await this.#keys.get(this.#slots, slot)) })));
    // A slot freed since it was claimed (taken by another process, or expired) is free now.
    const free = held.find((h) => h.holder === undefined);
    if (free !== undefined) return free.slot;
    const oldest = held.reduce((a, b) => ((b.holder?.until ?? 0) < (a.holder?.until ?? 0) ? b : a));
    const holder = parsed<Slot>(await this.#keys.take(this.#slots, oldest.slot));
    if (holder !== undefined) await this.#keys.delete(this.#open, holder.key);
    return oldest.slot;
  }
}
