/**
 * Turns the issuer configuration into what verification needs, once, at load time:
 * validated options, the key set, the allowed algorithms and compiled claim readers.
 * A configuration that would weaken the check (no key, `none`, HMAC, plain http to a
 * remote host, a private key in the set) is refused here rather than at request time.
 */
import { createLocalJWKSet, type JWK, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { MimtrustError } from '../errors/index.js';
import { compileClaimPath, type ClaimReaders } from './claims.js';
import { createJwksFetch, type JwksFetchOutcome } from './jwks-fetch.js';
import { createRemoteKeySet } from './remote-key-set.js';
import type { TokenTimeLimits } from './token-times.js';
import type { IssuerConfig } from './types.js';

export const DEFAULT_ALGORITHMS: readonly string[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];
export const DEFAULT_CLOCK_TOLERANCE_SEC = 30;
export const DEFAULT_MAX_TOKEN_LIFETIME_SEC = 24 * 3600;

/** Public-key JWS algorithms jose verifies. Everything else (none, HS*) is refused. */
const ASYMMETRIC_ALGORITHMS: ReadonlySet<string> = new Set([
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512',
  'EdDSA', 'Ed25519', 'ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87',
]);

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Members that only private or symmetric JWKs carry. */
const SECRET_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'priv'] as const;

export interface CompiledIssuer {
  issuer: string;
  algorithms: ReadonlySet<string>;
  /** RFC 9068 `typ: at+jwt` required. */
  requireAccessTokenType: boolean;
  key: JWTVerifyGetKey;
  /** Refetches a remote key set; undefined for a local one. */
  reload?: () => Promise<void>;
  /** jwtVerify options without the clock, which is read per call. */
  verifyOptions: Readonly<JWTVerifyOptions>;
  readers: ClaimReaders;
  timeLimits: Readonly<TokenTimeLimits>;
}

export interface KeySetOptions {
  cooldownMs: number;
  cacheMaxAgeMs: number;
  timeoutMs: number;
  maxBytes: number;
  /** Monotonic clock (ms) for refresh, cooldown and back-off. */
  now: () => number;
  /** Told of every key set fetch per issuer (metrics); must not throw. */
  onJwksFetch?: ((issuer: string, outcome: JwksFetchOutcome) => void) | undefined;
}

function configError(issuer: string, problem: string): MimtrustError {
  return new MimtrustError('INTERNAL', `Token issuer "${issuer}": ${problem}.`, { reason: 'issuer_config_invalid' });
}

function checkAlgorithms(issuer: string, algorithms: readonly string[]): ReadonlySet<string> {
  if (algorithms.length === 0) throw configError(issuer, 'algorithms must not be empty');
  for (const alg of algorithms) {
    if (alg.toLowerCase() === 'none') throw configError(issuer, 'algorithm "none" is never accepted');
    if (/^HS\d+$/i.test(alg)) throw configError(issuer, `HMAC algorithm "${alg}" cannot be used with a public key set`);
    if (!ASYMMETRIC_ALGORITHMS.has(alg)) throw configError(issuer, `algorithm "${alg}" is not supported`);
  }
  return new Set(algorithms);
}

function checkAudience(issuer: string, audience: unknown): string | string[] {
  if (typeof audience === 'string' && audience !== '') return audience;
  if (Array.isArray(audience) && audience.length > 0 && audience.every((a) => typeof a === 'string' && a !== '')) {
    return [...(audience as string[])];
  }
  throw configError(issuer, 'audience must be a non-empty string or list of strings');
}

function checkJwksUri(issuer: string, uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw configError(issuer, 'jwksUri is not a URL');
  }
  if (fetchableUrl(url)) return url;
  throw configError(issuer, 'jwksUri must use https (plain http only on a loopback host)');
}

/** Keys and identities are fetched over https; plain http only where nothing crosses a network. */
export function fetchableUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

function checkLocalKeys(issuer: string, jwks: { keys: JWK[] }): void {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
    throw configError(issuer, 'jwks must hold at least one key');
  }
  for (const jwk of jwks.keys) {
    if (typeof jwk !== 'object' || jwk === null) throw configError(issuer, 'jwks holds a member that is not a key');
    if (jwk.kty === 'oct' || SECRET_JWK_MEMBERS.some((m) => Object.hasOwn(jwk, m))) {
      throw configError(issuer, 'jwks must hold public keys only');
    }
  }
}

function createKeySet(cfg: IssuerConfig, opts: KeySetOptions): Pick<CompiledIssuer, 'key' | 'reload'> {
  const hasUri = cfg.jwksUri !== undefined;
  const hasSet = cfg.jwks !== undefined;
  if (hasUri === hasSet) throw configError(cfg.issuer, 'exactly one of jwksUri and jwks is required');
  if (cfg.jwks !== undefined) {
    checkLocalKeys(cfg.issuer, cfg.jwks);
    try {
      return { key: createLocalJWKSet(cfg.jwks) };
    } catch {
      throw configError(cfg.issuer, 'jwks is not a valid key set');
    }
  }
  const remote = createRemoteKeySet(checkJwksUri(cfg.issuer, cfg.jwksUri as string), {
    cooldownMs: opts.cooldownMs,
    cacheMaxAgeMs: opts.cacheMaxAgeMs,
    timeoutMs: opts.timeoutMs,
    now: opts.now,
    fetch: createJwksFetch({
      cooldownMs: opts.cooldownMs,
      maxBytes: opts.maxBytes,
      now: opts.now,
      ...(opts.onJwksFetch ? { onFetch: (outcome: JwksFetchOutcome) => opts.onJwksFetch?.(cfg.issuer, outcome) } : {}),
    }),
  });
  return { key: remote.key, reload: () => remote.reload() };
}

function compileReader(issuer: string, field: string, path: string) {
  try {
    return compileClaimPath(path);
  } catch {
    throw configError(issuer, `${field} is not a valid claim path`);
  }
}

export function compileIssuer(cfg: IssuerConfig, opts: KeySetOptions): CompiledIssuer {
  if (typeof cfg.issuer !== 'string' || cfg.issuer === '') throw configError(String(cfg.issuer), 'issuer must be a non-empty string');
  const algorithms = checkAlgorithms(cfg.issuer, cfg.algorithms ?? DEFAULT_ALGORITHMS);
  const audience = checkAudience(cfg.issuer, cfg.audience);
  const clockTolerance = cfg.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0) throw configError(cfg.issuer, 'clockToleranceSec must be a non-negative number');
  if (typeof cfg.rolesClaim !== 'string') throw configError(cfg.issuer, 'rolesClaim is required');
  const maxLifetimeSec = cfg.maxTokenLifetimeSec ?? DEFAULT_MAX_TOKEN_LIFETIME_SEC;
  if (!Number.isFinite(maxLifetimeSec) || maxLifetimeSec < 1) throw configError(cfg.issuer, 'maxTokenLifetimeSec must be a positive number');

  const requireAccessTokenType = cfg.allowPlainJwt !== true;
  const verifyOptions: JWTVerifyOptions = {
    issuer: cfg.issuer,
    audience,
    algorithms: [...algorithms],
    clockTolerance,
    requiredClaims: ['exp'],
  };
  if (requireAccessTokenType) verifyOptions.typ = 'at+jwt';

  const readers: ClaimReaders = {
    roles: compileReader(cfg.issuer, 'rolesClaim', cfg.rolesClaim),
    purpose: compileReader(cfg.issuer, 'purposeClaim', cfg.purposeClaim ?? 'purpose'),
    consents: compileReader(cfg.issuer, 'consentClaim', cfg.consentClaim ?? 'consents'),
  };
  if (cfg.acceptRoles !== undefined) readers.acceptRoles = new Set(cfg.acceptRoles);
  if (cfg.tenantsClaim !== undefined) readers.tenants = compileReader(cfg.issuer, 'tenantsClaim', cfg.tenantsClaim);
  if (cfg.organisationClaim !== undefined) readers.organisation = compileReader(cfg.issuer, 'organisationClaim', cfg.organisationClaim);
  if (cfg.recipientClaim !== undefined) readers.recipient = compileReader(cfg.issuer, 'recipientClaim', cfg.recipientClaim);
  if (cfg.allowRecipientHeader === true) readers.recipientHeader = true;
  if (cfg.requireSenderConstrained === true) readers.requireSenderConstrained = true;

  return {
    issuer: cfg.issuer,
    algorithms,
    requireAccessTokenType,
    ...createKeySet(cfg, opts),
    verifyOptions: Object.freeze(verifyOptions),
    readers,
    timeLimits: Object.freeze({ clockToleranceSec: clockTolerance, maxLifetimeSec }),
  };
}

/** Indexes the issuers by their exact `iss`; a duplicate is a configuration error. */
export function compileIssuers(configs: readonly IssuerConfig[], opts: KeySetOptions): ReadonlyMap<string, CompiledIssuer> {
  const byIssuer = new Map<string, CompiledIssuer>();
  for (const cfg of configs) {
    const compiled = compileIssuer(cfg, opts);
    if (byIssuer.has(compiled.issuer)) throw configError(compiled.issuer, 'configured more than once');
    byIssuer.set(compiled.issuer, compiled);
  }
  return byIssuer;
}
