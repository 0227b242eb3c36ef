/**
 * Access-token verification, with the token's binding to its holder checked after
 * (sender-binding.ts): the cache holds what the token says, never that a request proved
 * possession, so every request brings its own proof. The hot path is a cache hit: one SHA-256 of the
 * token, one Map look-up, one expiry comparison. A miss picks the issuer from the
 * unverified `iss` (an unknown issuer is refused before any key work), refuses a wrong
 * algorithm or type from the header alone, and only then lets jose check signature and
 * claims. Every failure, expected or not, rejects: nothing here resolves for a bad token.
 */
import { performance } from 'node:perf_hooks';
import { decodeJwt, decodeProtectedHeader, jwtVerify, type ProtectedHeaderParameters } from 'jose';
import { extractBearerToken, readAuthorization } from './bearer.js';
import { checkBearerUse, checkUnbound, createSenderBindingCheck } from './sender-binding.js';
import { DpopReplayCache } from './dpop-replay.js';
import { localReplay, sharedReplay } from './dpop-shared-replay.js';
import { dpopLimits } from './dpop-settings.js';
import { toVerifiedToken } from './claims.js';
import { compileIssuers, type CompiledIssuer } from './issuers.js';
import { VerifiedTokenCache, tokenDigest } from './token-cache.js';
import { critUnsupported, invalidToken, toInvalidToken } from './token-errors.js';
import { checkTokenTimes } from './token-times.js';
import type { AuthenticatedToken, IssuerConfig, PresentedRequest, TokenVerifier, TokenVerifierOptions, VerifiedToken } from './types.js';

/** Compact JWS: three base64url parts; an empty signature is let through to be refused as `alg: none`. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Far above any real access token; keeps decoding cost bounded for garbage. */
const MAX_TOKEN_LENGTH = 16 * 1024;

const DEFAULTS = {
  cacheSize: 10_000,
  jwksCooldownMs: 30_000,
  jwksCacheMaxAgeMs: 600_000,
  jwksTimeoutMs: 5_000,
  jwksMaxBytes: 256 * 1024,
  replayCacheSize: 200_000,
} as const;

/** `typ` compared as jose does (RFC 7515 §4.1.9): `at+jwt` and `application/at+jwt` are the same. */
function isAccessTokenType(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const lower = typ.toLowerCase();
  return lower === 'at+jwt' || lower === 'application/at+jwt';
}

function selectIssuer(token: string, issuers: ReadonlyMap<string, CompiledIssuer>): CompiledIssuer {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) throw invalidToken('token_malformed');
  let header: ProtectedHeaderParameters;
  let iss: unknown;
  try {
    header = decodeProtectedHeader(token);
    iss = decodeJwt(token).iss;
  } catch {
    throw invalidToken('token_malformed');
  }
  const issuer = typeof iss === 'string' ? issuers.get(iss) : undefined;
  if (issuer === undefined) throw invalidToken('token_issuer_unknown');
  if (typeof header.alg !== 'string' || !issuer.algorithms.has(header.alg)) throw invalidToken('token_algorithm_refused');
  if (issuer.requireAccessTokenType && !isAccessTokenType(header.typ)) throw invalidToken('token_type_refused');
  // No extension is understood here, so any critical one refuses the token (RFC 7515 §4.1.11).
  if (header.crit !== undefined) {
    if (!Array.isArray(header.crit) || header.crit.length === 0) throw invalidToken('token_malformed');
    throw critUnsupported(header.crit);
  }
  return issuer;
}

async function verifyWithIssuer(token: string, issuer: CompiledIssuer, now: () => number): Promise<VerifiedToken> {
  try {
    const at = now();
    const { payload } = await jwtVerify(token, issuer.key, { ...issuer.verifyOptions, currentDate: new Date(at) });
    checkTokenTimes(payload, Math.floor(at / 1000), issuer.timeLimits);
    return toVerifiedToken(payload, issuer.issuer, issuer.readers);
  } catch (err) {
    throw toInvalidToken(err);
  }
}

export interface TokenVerifierWithKeys extends TokenVerifier {
  /**
   * Fetches every remote key set now (e.g. at start-up, so the first request does not
   * wait on the network). Reports per issuer; never throws.
   */
  warmUp(): Promise<Array<{ issuer: string; ok: boolean }>>;
}

export function createTokenVerifier(issuers: readonly IssuerConfig[], opts: TokenVerifierOptions = {}): TokenVerifierWithKeys {
  const now = opts.now ?? Date.now;
  const registry = compileIssuers(issuers, {
    cooldownMs: opts.jwksCooldownMs ?? DEFAULTS.jwksCooldownMs,
    cacheMaxAgeMs: opts.jwksCacheMaxAgeMs ?? DEFAULTS.jwksCacheMaxAgeMs,
    timeoutMs: opts.jwksTimeoutMs ?? DEFAULTS.jwksTimeoutMs,
    maxBytes: opts.jwksMaxBytes ?? DEFAULTS.jwksMaxBytes,
    now: opts.monotonicNow ?? (() => performance.now()),
    onJwksFetch: opts.onJwksFetch,
  });
  const cache = new VerifiedTokenCache(opts.cacheSize ?? DEFAULTS.cacheSize, now);

  const limits = dpopLimits(opts.dpop);
  const replaySize = opts.dpop?.replayCacheSize ?? DEFAULTS.replayCacheSize;
  const replayCache = new DpopReplayCache(replaySize);
  const replay = opts.sharedReplay === undefined ? localReplay(replayCache) : sharedReplay(replayCache, opts.sharedReplay, replaySize);
  const checkBinding = createSenderBindingCheck({ dpop: limits, replay, now });

  async function verify(authorizationHeader: string | undefined): Promise<VerifiedToken> {
    return verifyToken(extractBearerToken(authorizationHeader));
  }

  async function verifyRequest(request: PresentedRequest): Promise<AuthenticatedToken> {
    const presented = readAuthorization(request.authorization);
    const token = await verifyToken(presented.token);
    // A token bound to no key needs no proof: its binding is settled without a wait.
    const binding = token.cnf?.['jkt'] === undefined ? checkUnbound(token, presented, request.certThumbprint, limits.algorithms) : await checkBinding(token, presented, request);
    return { token, binding };
  }

  /** A token seen before and not expired is returned as is, not wrapped in a promise: one wait less on the hot path. */
  function verifyToken(token: string): VerifiedToken | Promise<VerifiedToken> {
    const digest = tokenDigest(token);
    return cache.get(digest) ?? verifyFresh(token, digest);
  }

  async function verifyFresh(token: string, digest: string): Promise<VerifiedToken> {
    const issuer = selectIssuer(token, registry);
    const verified = await verifyWithIssuer(token, issuer, now);
    cache.set(digest, verified);
    return verified;
  }

  async function warmUp(): Promise<Array<{ issuer: string; ok: boolean }>> {
    const remote = [...registry.values()].filter((i) => i.reload !== undefined);
    return Promise.all(
      remote.map(async (i) => {
        try {
          await i.reload?.();
          return { issuer: i.issuer, ok: true };
        } catch {
          return { issuer: i.issuer, ok: false };
        }
      }),
    );
  }

  return { verify, verifyRequest, checkBearerUse: (token, cert) => checkBearerUse(token, cert, limits.algorithms), warmUp };
}
