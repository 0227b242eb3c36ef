/**
 * Shapes shared by the access-token checks: how an issuer is configured, and what a
 * verified token tells the rest of the gateway.
 */
import type { JWK, JWTPayload } from 'jose';
import type { JwksFetchOutcome } from './jwks-fetch.js';

/** One trusted token issuer, as the configuration loader produces it. */
export interface IssuerConfig {
  /** Exact `iss` value. */
  issuer: string;
  /** Remote JWKS: https, or http only for a loopback host. Exactly one of jwksUri / jwks. */
  jwksUri?: string;
  /** Local key set (public keys only). */
  jwks?: { keys: JWK[] };
  /** Accepted `aud` value(s); a token must name at least one. */
  audience: string | string[];
  /** Allowed signature algorithms; never `none`, never HMAC. Default RS256, PS256, ES256, EdDSA. */
  algorithms?: string[];
  /** Claim holding the roles; a dotted path walks into objects (`realm_access.roles`). */
  rolesClaim: string;
  /**
   * The roles this issuer may grant; any other role in its tokens is dropped. Undefined:
   * every role. An issuer outside the city's control must not mint an administrator.
   */
  acceptRoles?: readonly string[];
  /** Claim holding the declared DPV purpose (dotted path allowed). Default `purpose`. */
  purposeClaim?: string;
  /** Claim listing the ids of the consent records the token rests on (dotted path allowed). Default `consents`. */
  consentClaim?: string;
  /** Claim holding the caller's organisation (dotted path allowed). Default: none is read. */
  organisationClaim?: string;
  /** Claim holding the recipient the issuer declares for the token (dotted path allowed). Default: none is read. */
  recipientClaim?: string;
  /**
   * Callers may declare a recipient on their own, per request (`Mimtrust-Recipient`).
   * Default false: such a request is refused, since only what the issuer signed is its word.
   */
  allowRecipientHeader?: boolean;
  /** Accept tokens without `typ: at+jwt` (Keycloak, Keyrock). Default false. */
  allowPlainJwt?: boolean;
  /** Clock skew allowed on `exp` and `nbf`, in seconds. Default 30. */
  clockToleranceSec?: number;
  /** Longest accepted lifetime, `exp` - `iat` (or `exp` - now without `iat`), in seconds. Default 24 h. */
  maxTokenLifetimeSec?: number;
  /** Claim listing the tenants the caller may use (dotted path allowed). */
  tenantsClaim?: string;
}

/** What a successfully verified access token says. Frozen: shared between requests by the cache. */
export interface VerifiedToken {
  sub?: string;
  /** `client_id`, or `azp` when there is no `client_id`. */
  clientId?: string;
  issuer: string;
  roles: string[];
  /** Present only when the issuer configures `tenantsClaim` and the token carries it: the tenants it is restricted to. */
  tenants?: string[];
  /** `scope` (space separated, RFC 9068) or `scp`. */
  scope?: string[];
  /** The declared purpose (the issuer's `purposeClaim`), when present. */
  purpose?: string;
  /** The caller's organisation (the issuer's `organisationClaim`), when the issuer names one. */
  organisation?: string;
  /** Ids of the consent records the token rests on (the issuer's `consentClaim`), when it names any. */
  consents?: string[];
  /**
   * The declared recipient, a party of this issuer: from the issuer's `recipientClaim`, or
   * from the request's `Mimtrust-Recipient` header where the issuer allows it.
   */
  recipient?: string;
  /** The issuer lets its callers declare a recipient per request (`allowRecipientHeader`). */
  recipientHeader?: true;
  /** Expiry, seconds since the epoch. */
  exp: number;
  claims: JWTPayload;
  /** Confirmation claim of a sender-constrained token: only mTLS `x5t#S256` is accepted. */
  cnf?: Record<string, unknown>;
}

export interface TokenVerifierOptions {
  /** Verified tokens kept in memory. Default 10 000. */
  cacheSize?: number;
  /** Least time between two JWKS fetches of one issuer (unknown `kid`, or after a failure). Default 30 s. */
  jwksCooldownMs?: number;
  /** Age after which a remote JWKS is fetched again. Default 10 min. */
  jwksCacheMaxAgeMs?: number;
  /** Time allowed for one JWKS fetch. Default 5 s. */
  jwksTimeoutMs?: number;
  /** Largest JWKS response body accepted, in bytes. Default 256 KiB. */
  jwksMaxBytes?: number;
  /** Clock, milliseconds since the epoch. Default Date.now. */
  now?: () => number;
  /** Monotonic clock in milliseconds for JWKS refresh, cooldown and back-off. Default performance.now. */
  monotonicNow?: () => number;
  /** Told of every remote key set fetch, per issuer (metrics); must not throw. */
  onJwksFetch?: (issuer: string, outcome: JwksFetchOutcome) => void;
}

export interface TokenVerifier {
  /**
   * Checks the `Authorization` header. Resolves with the token's facts, or rejects with a
   * MimtrustError (UNAUTHENTICATED or INVALID_TOKEN); it never resolves for a bad token.
   */
  verify(authorizationHeader: string | undefined): Promise<VerifiedToken>;
}
