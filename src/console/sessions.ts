/**
 * Console sessions, kept in memory only: a random id (the cookie's value) maps to the
 * verified access token pasted at sign-in, its expiry and the session's CSRF token. The
 * token itself never leaves the server. Grants are not kept: they are worked out from the
 * token's roles on every request, so a changed role policy counts at once.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { VerifiedToken } from '../auth/index.js';

export interface Session {
  id: string;
  token: VerifiedToken;
  /** Epoch ms: the token's own expiry, or the longest session, whichever comes first. */
  expiresAt: number;
  /** Every form of the session carries it back. */
  csrf: string;
}

/** A session lasts at most this long, however long its token would. */
const MAX_SESSION_MS = 8 * 60 * 60 * 1000;

export function randomId(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time equality of two secrets; false for anything missing or empty (a cleared cookie). */
export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || a === '' || b === '') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Sessions {
  readonly #byId = new Map<string, Session>();

  /** `max` bounds the memory sign-ins can take: the oldest session gives way. */
  constructor(private readonly max = 1000, private readonly now: () => number = Date.now) {}

  open(token: VerifiedToken): Session {
    const now = this.now();
    for (const [id, s] of this.#byId) if (s.expiresAt <= now) this.#byId.delete(id);
    if (this.#byId.size >= this.max) {
      const oldest = this.#byId.keys().next().value;
      if (oldest !== undefined) this.#byId.delete(oldest);
    }
    const s: Session = { id: randomId(), token, expiresAt: Math.min(token.exp * 1000, now + MAX_SESSION_MS), csrf: randomId() };
    this.#byId.set(s.id, s);
    return s;
  }

  /** The live session of this id; an expired one is forgotten. */
  find(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const s = this.#byId.get(id);
    if (s === undefined) return undefined;
    if (s.expiresAt > this.now()) return s;
    this.#byId.delete(id);
    return undefined;
  }

  close(id: string): void {
    this.#byId.delete(id);
  }
}
