/**
 * Server-side sessions of the server-rendered pages, kept in the store every process of the
 * deployment shares (lib/expiring-keys.ts): a random id (the cookie's value) maps to what
 * the session holds (the console's verified token, the wallet's citizen), its expiry and
 * its CSRF token, so a session opened on one instance or worker is good on all and ends on
 * all at once. What it holds never leaves the server; the store keys it by a hash of the
 * id, so whoever reads the store does not find cookies to present.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sharedStateFull } from '../errors/index.js';
import type { ExpiringKeys, KeyKind } from '../lib/index.js';

export type Session<T extends object> = T & {
  id: string;
  /** Epoch ms: the end asked for at opening, or the longest session, whichever comes first. */
  expiresAt: number;
  /** Every form of the session carries it back. */
  csrf: string;
};

/** A session lasts at most this long unless the owner sets another bound. */
const MAX_SESSION_MS = 8 * 60 * 60 * 1000;

export function randomId(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time equality of two secrets; false for anything missing or empty (a cleared cookie). */
export function sameSecret(a: string | undefined | null, b: string | undefined | null): boolean {
  if (a === undefined || b === undefined || a === null || b === null || a === '' || b === '') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface SessionsOptions {
  keys: ExpiringKeys;
  /** Names this kind of session in the store (console, wallet, a sign-in under way). */
  name: string;
  /** Live sessions of this kind at most; beyond, opening one is refused (503). Default 1000. */
  max?: number;
  /** The longest a session lasts. Default eight hours. */
  maxAgeMs?: number;
  now?: () => number;
}

const storeKey = (id: string): string => createHash('sha256').update(id).digest('base64url');

export class Sessions<T extends object> {
  readonly #keys: ExpiringKeys;
  readonly #kind: KeyKind;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(o: SessionsOptions) {
    this.#keys = o.keys;
    this.#kind = { name: `session:${o.name}`, max: o.max ?? 1000 };
    this.#maxAgeMs = o.maxAgeMs ?? MAX_SESSION_MS;
    this.#now = o.now ?? Date.now;
  }

  /** A new session holding `fields`, ending at `until` (epoch ms) or at the longest, whichever is first. */
  async open(fields: T, until = Number.POSITIVE_INFINITY): Promise<Session<T>> {
    const expiresAt = Math.min(until, this.#now() + this.#maxAgeMs);
    const s = { ...fields, id: randomId(), expiresAt, csrf: randomId() } as Session<T>;
    const { id: _id, ...kept } = s;
    if (!await this.#keys.put(this.#kind, storeKey(s.id), JSON.stringify(kept), expiresAt)) throw sharedStateFull();
    return s;
  }

  /** The live session of this id. */
  async find(id: string | undefined): Promise<Session<T> | undefined> {
    if (id === undefined || id === '') return undefined;
    return this.#read(id, await this.#keys.get(this.#kind, storeKey(id)));
  }

  /** Finds and forgets the session in one step: for what may be used only once, on whichever process. */
  async take(id: string | undefined): Promise<Session<T> | undefined> {
    if (id === undefined || id === '') return undefined;
    return this.#read(id, await this.#keys.take(this.#kind, storeKey(id)));
  }

  async close(id: string): Promise<void> {
    await this.#keys.delete(this.#kind, storeKey(id));
  }

  #read(id: string, value: string | undefined): Session<T> | undefined {
    if (value === undefined) return undefined;
    const s = { ...(JSON.parse(value) as Omit<Session<T>, 'id'>), id } as Session<T>;
    return s.expiresAt > this.#now() ? s : undefined;
  }
}
