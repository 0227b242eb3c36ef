/**
 * Organisations logging in with a Verifiable Presentation. The issuer hands out a
 * challenge (random, single use, short-lived, held in memory); the organisation signs a
 * presentation of one credential about itself for that challenge and for the issuer as
 * domain. The login holds when the challenge is one handed out and not yet used (it is
 * used up by the attempt, whatever its outcome), the presentation verifies (its proof for
 * that challenge and domain, its holder the signer and the credential's subject, the
 * credential's proof, validity and status bit), and the trusted issuers list gives the
 * credential roles. Any other outcome is a CredentialError.
 */
import { randomBytes } from 'node:crypto';
import type { TrustedIssuerSettings } from '../config/index.js';
import { isObject, TtlCache } from '../lib/index.js';
import { CredentialError } from './errors.js';
import { trustedClaims, type TrustedClaims } from './trusted-issuers.js';
import type { Verification } from './verify.js';

export interface PresentationLoginOptions {
  verify: (presentation: unknown, options: { challenge: string; domain: string }) => Promise<Verification>;
  trusted: () => readonly TrustedIssuerSettings[];
  /** The domain a presentation is signed for: the issuer's identifier. */
  domain: string;
  challengeTtlMs: number;
  maxChallenges: number;
  now?: () => number;
}

export interface Challenge {
  challenge: string;
  domain: string;
  expiresIn: number;
}

export class PresentationLogin {
  private readonly challenges: TtlCache<string, true>;
  private readonly now: () => number;

  constructor(private readonly opts: PresentationLoginOptions) {
    this.now = opts.now ?? Date.now;
    this.challenges = new TtlCache(opts.maxChallenges, this.now);
  }

  /** A fresh challenge for one login. */
  challenge(): Challenge {
    const challenge = randomBytes(24).toString('base64url');
    this.challenges.set(challenge, true, this.now() + this.opts.challengeTtlMs);
    return { challenge, domain: this.opts.domain, expiresIn: Math.floor(this.opts.challengeTtlMs / 1000) };
  }

  /** Uses up the challenge the presentation was signed for; true when it was handed out here and still open. */
  private take(challenge: string): boolean {
    const open = this.challenges.get(challenge) === true;
    this.challenges.delete(challenge);
    return open;
  }

  /** Who the presentation proves the organisation is, and its roles. */
  async login(presentation: unknown): Promise<TrustedClaims> {
    if (!isObject(presentation)) throw new CredentialError('presentation_malformed', 'The presentation is not a JSON object.');
    const proof = presentation['proof'];
    const challenge = isObject(proof) ? proof['challenge'] : undefined;
    if (typeof challenge !== 'string' || !this.take(challenge)) {
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
