/**
 * Server-side sessions of the server-rendered pages, kept in memory only: a random id
 * (the cookie's value) maps to what the session holds (the console's verified token, the
 * wallet's citizen), its expiry and its CSRF token. What it holds never leaves the server.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

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
  /** Bounds the memory sign-ins can take: the oldest session gives way. Default 1000. */
  max?: number;
  /** The longest a session lasts. Default eight hours. */
  maxAgeMs?: number;
  now?: () => number;
}

export class Sessions<T extends object> {
  readonly #byId = new Map<string, Session<T>>();
  readonly #max: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(o: SessionsOptions = {}) {
    this.#max = o.max ?? 1000;
    this.#maxAgeMs = o.maxAgeMs ?? MAX_SESSION_MS;
    this.#now = o.now ?? Date.now;
  }

  /** A new session holding `fields`, ending at `until` (epoch ms) or at the longest, whichever is first. */
  open(fields: T, until = Number.POSITIVE_INFINITY): Session<T> {
    const now = this.#now();
    for (const [id, s] of this.#byId) if (s.expiresAt <= now) this.#byId.delete(id);
    if (this.#byId.size >= this.#max) {
      const oldest = this.#byId.keys().next().value;
      if (oldest !== undefined) this.#byId.delete(oldest);
    }
    const s = { ...fields, id: randomId(), expiresAt: Math.min(until, now + this.#maxAgeMs), csrf: randomId() } as Session<T>;
    this.#byId.set(s.id, s);
    return s;
  }

  /** The live session of this id; an expired one is forgotten. */
  find(id: string | undefined): Session<T> | undefined {
    if (id === undefined) return undefined;
    const s = this.#byId.get(id);
    if (s === undefined) return undefined;
    if (s.expiresAt > this.#now()) return s;
    this.#byId.delete(id);
    return undefined;
  }

  /** Finds and forgets the session at once: for what may be used only once. */
  take(id: string | undefined): Session<T> | undefined {
    const s = this.find(id);
    if (s !== undefined) this.#byId.delete(s.id);
    return s;
  }

  close(id: string): void {
    this.#byId.delete(id);
  }
}
