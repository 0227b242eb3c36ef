/**
 * Remembers verified tokens so a repeated token costs one hash and one Map look-up.
 * Keys are SHA-256 digests: the raw token is never kept. Only successes are stored, and an
 * entry is served only while its `exp` is in the future (no clock tolerance here: the
 * full check, with its tolerance, decides after that).
 */
import { createHash } from 'node:crypto';
import type { VerifiedToken } from './types.js';

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

interface Entry {
  token: VerifiedToken;
  expiresAtMs: number;
}

export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxSize: number;
  readonly #now: () => number;

  constructor(maxSize: number, now: () => number) {
    if (!Number.isInteger(maxSize) || maxSize < 0) throw new TypeError('cache size must be a non-negative integer');
    this.#maxSize = maxSize;
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(digest: string): VerifiedToken | undefined {
    const entry = this.#entries.get(digest);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs > this.#now()) return entry.token;
    this.#entries.delete(digest);
    return undefined;
  }

  set(digest: string, token: VerifiedToken): void {
    if (this.#maxSize === 0) return;
    const expiresAtMs = token.exp * 1000;
    // Accepted only thanks to clock tolerance: not worth keeping.
    if (!(expiresAtMs > this.#now())) return;
    this.#entries.delete(digest);
    // Insertion order is age order: the first key is the oldest entry.
    while (this.#entries.size >= this.#maxSize) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(digest, { token, expiresAtMs });
  }
}
