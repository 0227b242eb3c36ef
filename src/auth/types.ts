/**
 * Shapes shared by the access-token checks: how an issuer is configured, and what a
 * verified token tells the rest of the gateway.
 */
import type { JWK, JWTPayload } from 'jose';
import type { JwksFetchOutcome } from './jwks-fetch.js';
import type { ExpiringKeys } from '../lib/index.js';

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
  /** Refuse this issuer's tokens unless bound to a DPoP key or a client certificate. Default false. */
  requireSenderConstrained?: boolean;
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
  /** Confirmation claim of a sender-constrained token: DPoP `jkt` and mTLS `x5t#S256` are the members accepted. */
  cnf?: Record<string, unknown>;
  /** The issuer accepts only sender-constrained use of its tokens (`requireSenderConstrained`). */
  senderConstrained?: 'required';
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
  /** DPoP proofs (RFC 9449). */
  dpop?: DpopOptions;
  /** Where proofs used are also recorded when other processes share the store, so a replay to any of them is caught. */
  sharedReplay?: ExpiringKeys;
}

export interface DpopOptions {
  /** Proof signature algorithms accepted; asymmetric only. Default ES256, ES384, EdDSA, Ed25519, PS256, RS256. */
  algorithms?: readonly string[];
  /** How long after its `iat` a proof is accepted, in seconds. Default 60. */
  maxAgeSec?: number;
  /** Clock difference allowed on `iat`, in seconds. Default 5. */
  clockSkewSec?: number;
  /** Proofs remembered against replay at most. Default 200 000. */
  replayCacheSize?: number;
}

/** A request as far as its token and the token's binding are concerned. */
export interface PresentedRequest {
  /** The one `Authorization` header. */
  authorization: string | undefined;
  /** The `DPoP` header(s) as received. */
  dpop: string | string[] | undefined;
  method: string;
  /** The request's URL as the client used it (the listener's public origin and the path); undefined where unknown. */
  url: string | undefined;
  /** RFC 8705 x5t#S256 of the connection's verified client certificate. */
  certThumbprint: string | undefined;
}

/** A token accepted for a request, and how it was bound to the one presenting it. */
export interface AuthenticatedToken {
  token: VerifiedToken;
  binding: 'bearer' | 'dpop' | 'mtls';
}

export interface TokenVerifier {
  /**
   * Checks the `Authorization` header. Resolves with the token's facts, or rejects with a
   * MimtrustError (UNAUTHENTICATED or INVALID_TOKEN); it never resolves for a bad token.
   */
  verify(authorizationHeader: string | undefined): Promise<VerifiedToken>;
  /**
   * Checks the token of a request (`Bearer` or `DPoP` scheme) and its binding to the one
   * presenting it: DPoP proof, client certificate. Rejects with a MimtrustError.
   */
  verifyRequest(request: PresentedRequest): Promise<AuthenticatedToken>;
  /**
   * For a token used without a request of its own to prove possession on (a session's
   * token): refuses DPoP-bound tokens and checks a certificate binding.
   */
  checkBearerUse(token: VerifiedToken, certThumbprint: string | undefined): AuthenticatedToken['binding'];
}
