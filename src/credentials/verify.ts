/**
 * Verification as the VC-API answers it: `{ verified, checks, warnings, errors }`. A
 * credential holds when its Data Integrity proof verifies against its issuer's DID
 * document (eddsa-rdfc-2022 only), it is valid now (validFrom, validUntil, no clock
 * skew), and its status bit is not set. A presentation holds when its own proof verifies
 * for the challenge and domain asked for, its holder controls the key that signed it,
 * every credential in it holds, and each is about the holder. Anything that throws on
 * the way is an error in the answer, never a `verified: true`.
 *
 * Proofs are the costly part (RDF canonicalisation, a signature check): a credential's
 * proof that verified is remembered by the digest of the exact document, and what a whole
 * presentation's signatures came to, failures included, by the digest of the presentation
 * with its challenge and domain (presentation-cache.ts), each for a bounded time; validity
 * and status are checked on every call.
 */
import type { DocumentLoader } from '@digitalbazaar/vc';
import { canonicalDigest, isObject, TtlCache } from '../lib/index.js';
import { CredentialError } from './errors.js';
import { checkCredentialProof, checkPresentationProof, type PresentationProof } from './proof-checks.js';
import { PresentationCache, presentationKey, type SignatureVerdict } from './presentation-cache.js';
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
  /** Credential proofs remembered; 0 remembers none. */
  cacheSize: number;
  cacheTtlMs: number;
  /** Presentations' signature verdicts remembered (presentation-cache.ts). */
  presentationCache: { size: number; ttlMs: number; failureTtlMs: number };
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
  private readonly presentations: PresentationCache;

  constructor(private readonly opts: VerifierOptions) {
    this.now = opts.now ?? Date.now;
    this.proofChecks = opts.proofs ?? localProofs(opts.loader);
    this.proofs = new TtlCache(Math.max(1, opts.cacheSize), this.now);
    this.presentations = new PresentationCache({ ...opts.presentationCache, now: this.now });
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

  /** Why the credential's proof does not hold, checked or remembered; undefined when it holds. */
  private async credentialProof(credential: Record<string, unknown>, now: number, index?: number): Promise<VerificationProblem | undefined> {
    const key = `c:${canonicalDigest(credential)}`;
    if (this.remembered(key)) return undefined;
    const e = await this.proofChecks.credential(credential, now);
    if (e !== undefined) return problem(e.reason, e.message, index);
    this.remember(key, now);
    return undefined;
  }

  /** The proof (unless `proofHeld`), then validity now and the status bits: what changes, checked on every call. */
  private async credentialErrors(credential: unknown, now: number, index?: number, proofHeld = false): Promise<VerificationProblem[]> {
    if (!isObject(credential)) return [problem('credential_malformed', 'The credential is not a JSON object.', index)];
    if (!proofHeld) {
      const failed = await this.credentialProof(credential, now, index);
      if (failed !== undefined) return [failed];
    }
    const errors: VerificationProblem[] = [];
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

  /**
   * What the presentation's signatures come to: one proof by a key of its holder, that
   * proof for the challenge and domain, and each credential's proof (checked with the
   * presentation's unless it held on this exact credential a moment ago; one that did not
   * hold there is checked alone, for its reason). Nothing here depends on the time or the
   * store.
   */
  private async signatures(presentation: Record<string, unknown>, holderId: string, credentials: unknown[], options: { challenge: string; domain?: string }, now: number): Promise<SignatureVerdict> {
    const proofs = [presentation['proof']].flat();
    const signer = proofs.map((p) => (isObject(p) ? p['verificationMethod'] : undefined));
    if (proofs.length !== 1 || typeof signer[0] !== 'string' || !signer[0].startsWith(`${holderId}#`)) {
      return { failure: problem('holder_not_signer', 'The presentation is not signed by one key of its holder.'), credentials: [] };
    }
    const known = credentials.map((c) => isObject(c) && this.remembered(`c:${canonicalDigest(c)}`));
    const checked = await this.proofChecks.presentation(presentation, options, now, known);
    if (checked.failure !== undefined) return { failure: problem(checked.failure.reason, checked.failure.message), credentials: [] };
    const verdicts: Array<VerificationProblem | undefined> = [];
    for (const [i, credential] of credentials.entries()) {
      if (!isObject(credential)) verdicts.push(problem('credential_malformed', 'The credential is not a JSON object.', i));
      else if (checked.credentialProofs[i] === true) {
        // Held with the presentation (just as alone: no status, no dates): a verification of the credential alone need not check it again.
        this.remember(`c:${canonicalDigest(credential)}`, now);
        verdicts.push(undefined);
      } else verdicts.push(await this.credentialProof(credential, now, i));
    }
    return { failure: undefined, credentials: verdicts };
  }

  private async presentationErrors(presentation: unknown, options: { challenge?: string; domain?: string }, now: number): Promise<VerificationProblem[]> {
    if (!isObject(presentation)) return [problem('presentation_malformed', 'The presentation is not a JSON object.')];
    if (typeof options.challenge !== 'string' || options.challenge === '') return [problem('challenge_missing', 'A presentation is verified for a challenge, and none was given.')];
    const holder = presentation['holder'];
    const holderId = typeof holder === 'string' ? holder : isObject(holder) && typeof holder['id'] === 'string' ? holder['id'] : undefined;
    if (holderId === undefined) return [problem('holder_missing', 'The presentation names no holder.')];
    const credentials = presentation['verifiableCredential'] === undefined ? [] : [presentation['verifiableCredential']].flat();
    if (credentials.length > this.opts.maxCredentials) return [problem('presentation_too_large', `A presentation carries at most ${this.opts.maxCredentials} credentials.`)];
    const asked = { challenge: options.challenge, ...(options.domain === undefined ? {} : { domain: options.domain }) };
    const key = presentationKey(presentation, asked);
    let verdict = this.presentations.get(key);
    if (verdict === undefined) {
      verdict = await this.signatures(presentation, holderId, credentials, asked, now);
      this.presentations.remember(key, presentation, verdict);
    }
    if (verdict.failure !== undefined) return [verdict.failure];
    const errors: VerificationProblem[] = [];
    for (const [i, credential] of credentials.entries()) {
      const proofFailure = verdict.credentials[i];
      if (proofFailure !== undefined) errors.push(proofFailure);
      else errors.push(...await this.credentialErrors(credential, now, i, true));
      if (isObject(credential) && boundSubject(credential) !== holderId) {
        errors.push(problem('holder_not_subject', 'The holder of the presentation is not the person the credential is about.', i));
      }
    }
    return errors;
  }
}
