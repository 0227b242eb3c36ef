/**
 * Remembers the DPoP proofs accepted while they could still be accepted again, so each is
 * good once (RFC 9449 §11.1). Keyed by key thumbprint and `jti`; an entry is dropped once
 * its proof is past its window. Bounded: when full of proofs still inside their window, a
 * new one is refused rather than an old one forgotten, which would let it be replayed.
 * In memory, per process: where other processes share the store, each proof is also taken
 * once there (dpop-shared-replay.ts), so a replay to another instance or worker is caught.
 */
import { hash } from 'node:crypto';

/**
 * A proof's key in this process's cache and in the shared store: a hash of the key
 * thumbprint and `jti`, of fixed length whatever the `jti`, and naming neither. Kept in a
 * Map, such a key costs about 100 bytes an entry where the joined thumbprint and `jti`
 * cost about 550 (a joined string, then its flat copy), and a client's long `jti` no more.
 * The thumbprint is base64url, which has no '.', so the first '.' is where the `jti` begins.
 */
export function proofKey(jkt: string, jti: string): string {
  return hash('sha256', `${jkt}.${jti}`, 'base64url');
}

export class DpopReplayCache {
  /** proofKey -> end of the proof's window, seconds since the epoch. Insertion order is roughly window order. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries: number) {}

  /**
   * Records the proof; 'fresh' the first time, 'replayed' when seen within its window,
   * 'full' when it cannot be recorded.
   */
  use(jkt: string, jti: string, acceptedUntilSec: number, nowSec: number): 'fresh' | 'replayed' | 'full' {
    return this.useKey(proofKey(jkt, jti), acceptedUntilSec, nowSec);
  }

  /** `use` for a proof whose key (proofKey) is already at hand. */
  useKey(key: string, acceptedUntilSec: number, nowSec: number): 'fresh' | 'replayed' | 'full' {
    const until = this.seen.get(key);
    if (until !== undefined && until >= nowSec) return 'replayed';
    if (until !== undefined) this.seen.delete(key);
    if (this.seen.size >= this.maxEntries) this.dropExpired(nowSec);
    if (this.seen.size >= this.maxEntries) return 'full';
    this.seen.set(key, acceptedUntilSec);
    return 'fresh';
  }

  get size(): number {
    return this.seen.size;
  }

  /** Drops expired entries from the oldest on; stops at the first one still in its window. */
  private dropExpired(nowSec: number): void {
    for (const [key, until] of this.seen) {
      if (until >= nowSec) return;
      this.seen.delete(key);
    }
  }
}
