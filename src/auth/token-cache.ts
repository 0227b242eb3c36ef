/**
 * Remembers verified tokens so a repeated token costs one hash and one Map look-up.
 * Keys are SHA-256 digests: the raw token is never kept. Only successes are stored, and an
 * entry is served only while its `exp` is in the future (no clock tolerance here: the
 * full check, with its tolerance, decides after that).
 */
import { hash } from 'node:crypto';
import { TtlCache } from '../lib/index.js';
import type { VerifiedToken } from './types.js';

// One-shot: for a string this small a Hash object costs as much as the digest (1.8 µs against 0.85 µs).
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'base64url');
}

export class VerifiedTokenCache {
  /** Undefined when caching is switched off (size 0). */
  readonly #entries: TtlCache<string, VerifiedToken> | undefined;
  readonly #now: () => number;

  constructor(maxSize: number, now: () => number) {
    if (!Number.isInteger(maxSize) || maxSize < 0) throw new TypeError('cache size must be a non-negative integer');
    this.#entries = maxSize === 0 ? undefined : new TtlCache(maxSize, now);
    this.#now = now;
  }

  get size(): number {
    return this.#entries?.size ?? 0;
  }

  get(digest: string): VerifiedToken | undefined {
    return this.#entries?.get(digest);
  }

  set(digest: string, token: VerifiedToken): void {
    const expiresAtMs = token.exp * 1000;
    // Accepted only thanks to clock tolerance: not worth keeping.
    if (!(expiresAtMs > this.#now())) return;
    this.#entries?.set(digest, token, expiresAtMs);
  }
}
