/**
 * Organisations logging in with a Verifiable Presentation. The issuer hands out a
 * challenge (random, single use, short-lived, held in the store, so whichever process
 * hands it out, any can take it, once); the organisation signs a
 * presentation of one credential about itself for that challenge and for the issuer as
 * domain. The login holds when the challenge is one handed out and not yet used (it is
 * used up by the attempt, whatever its outcome), the presentation verifies (its proof for
 * that challenge and domain, its holder the signer and the credential's subject, the
 * credential's proof, validity and status bit), and the trusted issuers list gives the
 * credential roles. Any other outcome is a CredentialError.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { TrustedIssuerSettings } from '../config/index.js';
import { sharedStateFull } from '../errors/index.js';
import { isObject, type ExpiringKeys, type KeyKind } from '../lib/index.js';
import { CredentialError } from './errors.js';
import { trustedClaims, type TrustedClaims } from './trusted-issuers.js';
import type { Verification } from './verify.js';

export interface PresentationLoginOptions {
  verify: (presentation: unknown, options: { challenge: string; domain: string }) => Promise<Verification>;
  trusted: () => readonly TrustedIssuerSettings[];
  /** The domain a presentation is signed for: the issuer's identifier. */
  domain: string;
  challengeTtlMs: number;
  /** Challenges outstanding at most; beyond, a new one is refused (503) until some are used or expire. */
  maxChallenges: number;
  /** Where challenges are kept. */
  keys: ExpiringKeys;
  now?: () => number;
}

export interface Challenge {
  challenge: string;
  domain: string;
  expiresIn: number;
}

/** The store keys a challenge by its hash: whoever reads the store finds none to sign for. */
const keyOf = (challenge: string): string => createHash('sha256').update(challenge).digest('base64url');

export class PresentationLogin {
  private readonly kind: KeyKind;
  private readonly now: () => number;

  constructor(private readonly opts: PresentationLoginOptions) {
    this.now = opts.now ?? Date.now;
    this.kind = { name: 'vp-challenge', max: opts.maxChallenges };
  }

  /** A fresh challenge for one login. */
  async challenge(): Promise<Challenge> {
    const challenge = randomBytes(24).toString('base64url');
    if (!await this.opts.keys.put(this.kind, keyOf(challenge), '', this.now() + this.opts.challengeTtlMs)) throw sharedStateFull();
    return { challenge, domain: this.opts.domain, expiresIn: Math.floor(this.opts.challengeTtlMs / 1000) };
  }

  /** Uses up the challenge the presentation was signed for; true when it was handed out and still open. */
  private async take(challenge: string): Promise<boolean> {
    return await this.opts.keys.take(this.kind, keyOf(challenge)) !== undefined;
  }

  /** Who the presentation proves the organisation is, and its roles. */
  async login(presentation: unknown): Promise<TrustedClaims> {
    if (!isObject(presentation)) throw new CredentialError('presentation_malformed', 'The presentation is not a JSON object.');
    const proof = presentation['proof'];
    const challenge = isObject(proof) ? proof['challenge'] : undefined;
    if (typeof challenge !== 'string' || !await this.take(challenge)) {
      throw new CredentialError('challenge_unknown', 'The presentation is not signed for a challenge this issuer handed out, or that challenge is used up or expired.');
    }
    const credentials = presentation['verifiableCredential'] === undefined ? [] : [presentation['verifiableCredential']].flat();
    if (credentials.length !== 1) throw new CredentialError('presentation_credentials', 'A login presentation carries exactly one credential.');
    const verification = await this.opts.verify(presentation, { challenge, domain: this.opts.domain });
    const first = verification.errors[0];
    if (!verification.verified || first !== undefined) {
      throw new CredentialError(first?.code ?? 'presentation_invalid', first?.message ?? 'The presentation does not verify.');
    }
    return trustedClaims(credentials[0], this.opts.trusted(), this.now());
  }
}
