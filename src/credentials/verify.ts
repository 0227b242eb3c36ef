/**
 * Verification as the VC-API answers it: `{ verified, checks, warnings, errors }`. A
 * credential holds when its Data Integrity proof verifies against its issuer's DID
 * document (eddsa-rdfc-2022 only), it is valid now (validFrom, validUntil, no clock
 * skew), and its status bit is not set. A presentation holds when its own proof verifies
 * for the challenge and domain asked for, its holder controls the key that signed it,
 * every credential in it holds, and each is about the holder. Anything that throws on
 * the way is an error in the answer, never a `verified: true`.
 *
 * Proofs are the costly part (RDF canonicalisation, a signature check): a proof that
 * verified is remembered by the digest of the exact document (and challenge and domain)
 * for a bounded time, while validity and status are checked on every call.
 */
import type { DocumentLoader } from '@digitalbazaar/vc';
import { canonicalDigest, isObject, TtlCache } from '../lib/index.js';
import { CredentialError } from './errors.js';
import { checkCredentialProof, checkPresentationProof, type PresentationProof } from './proof-checks.js';
import { boundSubject } from './receipt.js';

export interface VerificationProblem {
  /** A stable code (docs/credentials.md). */
  code: string;
  message: string;
  /** For a presentation: which of its credentials (0-based); absent for the presentation itself. */
  credentialIndex?: number;
}

export interface Verification {
  verified: boolean;
  checks: string[];
  warnings: VerificationProblem[];
  errors: VerificationProblem[];
}

export interface VerifierOptions {
  loader: DocumentLoader;
  /** Whether a `credentialStatus` entry's bit is set; throws a CredentialError when it cannot tell. */
  isSet: (entry: unknown) => Promise<boolean>;
  /** Proofs remembered; 0 remembers none. */
  cacheSize: number;
  cacheTtlMs: number;
  now?: () => number;
  /** Credentials one presentation may carry. */
  maxCredentials: number;
  /** Where proofs are checked (with the worker pool); undefined: in this thread, with `loader`. */
  proofs?: ProofChecker;
}

/** Checks proofs (proof-checks.ts), in this thread or elsewhere. */
export interface ProofChecker {
  credential(credential: Record<string, unknown>, now: number): Promise<CredentialError | undefined>;
  /** `known[i]`: credential i's proof held on this exact credential a moment ago, and is not checked again. */
  presentation(presentation: Record<string, unknown>, options: { challenge: string; domain?: string }, now: number, known: readonly boolean[]): Promise<PresentationProof>;
}

/** Proofs checked in this thread with `loader`. */
export function localProofs(loader: DocumentLoader): ProofChecker {
  return {
    credential: (credential, now) => checkCredentialProof(credential, loader, now),
    presentation: (presentation, options, now, known) => checkPresentationProof(presentation, options, loader, now, known),
  };
}

function problem(code: string, message: string, credentialIndex?: number): VerificationProblem {
  return credentialIndex === undefined ? { code, message } : { code, message, credentialIndex };
}

function dateOf(v: unknown): number | undefined {
  return typeof v === 'string' ? Date.parse(v) : undefined;
}

export class Verifier {
  private readonly proofs: TtlCache<string, true>;
  private readonly now: () => number;
  private readonly proofChecks: ProofChecker;

  constructor(private readonly opts: VerifierOptions) {
    this.now = opts.now ?? Date.now;
    this.proofChecks = opts.proofs ?? localProofs(opts.loader);
    this.proofs = new TtlCache(Math.max(1, opts.cacheSize), this.now);
  }

  async credential(credential: unknown): Promise<Verification> {
    const checks = ['proof', 'validity', 'status'];
    const errors = await this.credentialErrors(credential, this.now());
    return { verified: errors.length === 0, checks, warnings: [], errors };
  }

  async presentation(presentation: unknown, options: { challenge?: string; domain?: string }): Promise<Verification> {
    const checks = ['proof', 'challenge', 'domain', 'holder', 'credentials'];
    const errors = await this.presentationErrors(presentation, options, this.now());
    return { verified: errors.length === 0, checks, warnings: [], errors };
  }

  private remembered(key: string): boolean {
    return this.opts.cacheSize > 0 && this.proofs.get(key) === true;
  }

  private remember(key: string, now: number): void {
    if (this.opts.cacheSize > 0) this.proofs.set(key, true, now + this.opts.cacheTtlMs);
  }

  /** `proofHeld`: its proof was checked a moment ago, with the presentation carrying it. */
  private async credentialErrors(credential: unknown, now: number, index?: number, proofHeld = false): Promise<VerificationProblem[]> {
    if (!isObject(credential)) return [problem('credential_malformed', 'The credential is not a JSON object.', index)];
    const errors: VerificationProblem[] = [];
    const key = `c:${canonicalDigest(credential)}`;
    if (!proofHeld && !this.remembered(key)) {
      const e = await this.proofChecks.credential(credential, now);
      if (e !== undefined) return [problem(e.reason, e.message, index)];
      this.remember(key, now);
    }
    const from = dateOf(credential['validFrom']);
    const until = dateOf(credential['validUntil']);
    if (from !== undefined && !(from <= now)) errors.push(problem('credential_not_yet_valid', 'The credential is not valid yet.', index));
    if (until !== undefined && !(now < until)) errors.push(problem('credential_expired', 'The credential has expired.', index));
    const statuses = credential['credentialStatus'] === undefined ? [] : [credential['credentialStatus']].flat();
    for (const entry of statuses) {
      try {
        if (await this.opts.isSet(entry)) errors.push(problem('credential_revoked', 'The credential has been revoked.', index));
      } catch (err) {
        const e = err instanceof CredentialError ? err : new CredentialError('status_unavailable', 'The credential\'s status could not be read.');
        errors.push(problem(e.reason, e.message, index));
      }
    }
    return errors;
  }

  private async presentationErrors(presentation: unknown, options: { challenge?: string; domain?: string }, now: number): Promise<VerificationProblem[]> {
    if (!isObject(presentation)) return [problem('presentation_malformed', 'The presentation is not a JSON object.')];
    if (typeof options.challenge !== 'string' || options.challenge === '') return [problem('challenge_missing', 'A presentation is verified for a challenge, and none was given.')];
    const holder = presentation['holder'];
    const holderId = typeof holder === 'string' ? holder : isObject(holder) && typeof holder['id'] === 'string' ? holder['id'] : undefined;
    if (holderId === undefined) return [problem('holder_missing', 'The presentation names no holder.')];
    const credentials = presentation['verifiableCredential'] === undefined ? [] : [presentation['verifiableCredential']].flat();
    if (credentials.length > this.opts.maxCredentials) return [problem('presentation_too_large', `A presentation carries at most ${this.opts.maxCredentials} credentials.`)];
    const errors: VerificationProblem[] = [];
    const key = `p:${canonicalDigest({ presentation, challenge: options.challenge, domain: options.domain ?? null })}`;
    let held: boolean[] = [];
    if (!this.remembered(key)) {
      const proofs = [presentation['proof']].flat();
      const signer = proofs.map((p) => (isObject(p) ? p['verificationMethod'] : undefined));
      if (proofs.length !== 1 || typeof signer[0] !== 'string' || !signer[0].startsWith(`${holderId}#`)) {
        return [problem('holder_not_signer', 'The presentation is not signed by one key of its holder.')];
      }
      const known = credentials.map((c) => isObject(c) && this.remembered(`c:${canonicalDigest(c)}`));
      const checked = await this.proofChecks.presentation(presentation, { challenge: options.challenge, ...(options.domain === undefined ? {} : { domain: options.domain }) }, now, known);
      if (checked.failure !== undefined) return [problem(checked.failure.reason, checked.failure.message)];
      // Each credential's proof was checked with the presentation's (or known to hold), just as a credential's alone (no status, no dates): one that held is not checked again.
      held = checked.credentialProofs;
      for (const [i, ok] of held.entries()) if (ok && isObject(credentials[i])) this.remember(`c:${canonicalDigest(credentials[i])}`, now);
      this.remember(key, now);
    }
    for (const [i, credential] of credentials.entries()) {
      errors.push(...await this.credentialErrors(credential, now, i, held[i] === true));
      if (isObject(credential) && boundSubject(credential) !== holderId) {
        errors.push(problem('holder_not_subject', 'The holder of the presentation is not the person the credential is about.', i));
      }
    }
    return errors;
  }
}
