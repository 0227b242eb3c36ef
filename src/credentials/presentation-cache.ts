/**
 * Presentations verified before, remembered by what cannot change: what the signatures of
 * the exact presentation came to for the challenge and domain asked for (whether one key
 * of its holder signed it, whether that proof holds, and each credential's proof). The
 * key is the digest of the presentation's canonical JSON with the challenge and domain,
 * so any other byte is another key. Status bits, validity windows and trust are not in
 * here: they change, and are checked on every call.
 *
 * A failure is remembered too (for its own, shorter time), so the same bad presentation
 * costs one proof check, not one per request; a failure that says something about the
 * moment (a busy or failed worker, a DID that could not be read) is not. A remembered
 * entry never outlives the earliest `expires` of the proofs it covers. Bounded in entries
 * (the least recently used go first) and in time.
 */
import { canonicalDigest, isObject, TtlCache } from '../lib/index.js';
import type { VerificationProblem } from './verify.js';

/** What a presentation's signatures came to. */
export interface SignatureVerdict {
  /** Why the presentation itself does not hold; undefined when it does. */
  failure: VerificationProblem | undefined;
  /** For each credential in it (when the presentation holds): why its proof does not hold, undefined when it does. */
  credentials: Array<VerificationProblem | undefined>;
}

export interface PresentationCacheOptions {
  /** Presentations remembered at most; 0 remembers none. */
  size: number;
  ttlMs: number;
  /** How long a verdict with a failure in it is remembered. */
  failureTtlMs: number;
  now: () => number;
}

/** Failures of the moment rather than of the document: checked again next time. */
const OF_THE_MOMENT = new Set(['verification_busy', 'verification_unavailable', 'did_unresolved', 'credentials_not_ready']);

/** The cache key of a presentation verified for a challenge and domain. */
export function presentationKey(presentation: Record<string, unknown>, options: { challenge: string; domain?: string }): string {
  return canonicalDigest({ presentation, challenge: options.challenge, domain: options.domain ?? null });
}

/** The earliest `expires` of the presentation's proofs and its credentials' proofs; Infinity when none expires. */
export function proofsExpireAt(presentation: Record<string, unknown>): number {
  let earliest = Infinity;
  const visit = (doc: unknown): void => {
    if (!isObject(doc)) return;
    for (const proof of [doc['proof']].flat()) {
      if (!isObject(proof) || proof['expires'] === undefined) continue;
      const at = typeof proof['expires'] === 'string' ? Date.parse(proof['expires']) : NaN;
      // An expiry that cannot be read is not remembered past now.
      earliest = Math.min(earliest, Number.isNaN(at) ? -Infinity : at);
    }
  };
  visit(presentation);
  for (const credential of [presentation['verifiableCredential']].flat()) visit(credential);
  return earliest;
}

function problems(v: SignatureVerdict): VerificationProblem[] {
  return [v.failure, ...v.credentials].filter((p): p is VerificationProblem => p !== undefined);
}

export class PresentationCache {
  private readonly verdicts: TtlCache<string, SignatureVerdict>;

  constructor(private readonly opts: PresentationCacheOptions) {
    this.verdicts = new TtlCache(Math.max(1, opts.size), opts.now);
  }

  get(key: string): SignatureVerdict | undefined {
    return this.opts.size > 0 ? this.verdicts.get(key) : undefined;
  }

  /** Remembers the verdict on `presentation` under `key`, unless it is of the moment or its proofs have expired. */
  remember(key: string, presentation: Record<string, unknown>, verdict: SignatureVerdict): void {
    if (this.opts.size === 0) return;
    const found = problems(verdict);
    if (found.some((p) => OF_THE_MOMENT.has(p.code))) return;
    const now = this.opts.now();
    const until = Math.min(now + (found.length === 0 ? this.opts.ttlMs : this.opts.failureTtlMs), proofsExpireAt(presentation));
    if (until > now) this.verdicts.set(key, verdict, until);
  }

  get size(): number {
    return this.verdicts.size;
  }
}
