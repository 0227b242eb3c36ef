/**
 * Logging in through an upstream OpenID Provider (a city's Keycloak, its eID gateway). The
 * issuer is a confidential client of it: authorization code flow with PKCE S256, `state`
 * and `nonce`, the client secret in an environment variable. The upstream's metadata comes
 * from its discovery document, its keys from its JWKS (refreshed as for trusted issuers),
 * and its ID token is checked for signature, issuer, audience, expiry and nonce before
 * the subject counts. A pending login is bound to one interaction of the issuer and used
 * at most once, so a code from another browser's login cannot finish this one; pending
 * logins are kept in memory or, with instances sharing a store, there (pending-logins.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { jwtVerify, type JWTPayload } from 'jose';
import { createJwksFetch, createRemoteKeySet, fetchableUrl, type RemoteKeySet } from '../auth/index.js';
import { ConfigError, type Config } from '../config/index.js';
import { isObject, readBounded } from '../lib/index.js';
import { pendingInMemory, type PendingLogin as Pending, type PendingLogins } from './pending-logins.js';

export interface UpstreamSettings {
  /** Shown on the login button. */
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
  /** ID token claim that suggests a username for a new account. */
  usernameClaim: string;
}

export interface UpstreamIdentity {
  issuer: string;
  subject: string;
  suggestedName?: string;
}

/** Why an upstream login failed, for the log; the citizen sees one message for all. */
export class UpstreamLoginError extends Error {
  constructor(readonly reason: 'upstream_unreachable' | 'upstream_metadata_invalid' | 'upstream_state_unknown' | 'upstream_token_refused' | 'upstream_id_token_invalid', cause?: unknown) {
    super(reason, cause === undefined ? undefined : { cause });
  }
}

interface Metadata {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint?: string;
  keys: RemoteKeySet;
}

const PENDING_TTL_MS = 10 * 60_000;
const MAX_RESPONSE_BYTES = 256 * 1024;
const ID_TOKEN_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

const random = (): string => randomBytes(32).toString('base64url');

function fetchable(field: string, value: unknown): string {
  if (typeof value !== 'string' || !URL.canParse(value) || !fetchableUrl(new URL(value))) throw new UpstreamLoginError('upstream_metadata_invalid', new Error(`${field} is missing or not https`));
  return value;
}

export class UpstreamLogin {
  #metadata: Promise<Metadata> | undefined;

  constructor(
    readonly settings: UpstreamSettings,
    readonly redirectUri: string,
    private readonly timeoutMs = 5000,
    private readonly pending: PendingLogins = pendingInMemory(),
  ) {
    if (!URL.canParse(settings.issuer) || !fetchableUrl(new URL(settings.issuer))) {
      throw new ConfigError('oidc.upstream.issuer', 'must be an https URL (plain http only on a loopback host)');
    }
    if (!settings.scopes.includes('openid')) throw new ConfigError('oidc.upstream.scopes', 'must include openid');
  }

  /** Where the browser goes to log in upstream, for the interaction `uid`. */
  async start(uid: string): Promise<string> {
    const m = await this.#meta();
    const state = random();
    const p: Pending = { uid, verifier: random(), nonce: random() };
    await this.pending.put(state, p, PENDING_TTL_MS);
    const url = new URL(m.authorizationEndpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.settings.clientId,
      redirect_uri: this.redirectUri,
      scope: this.settings.scopes.join(' '),
      state,
      nonce: p.nonce,
      code_challenge: createHash('sha256').update(p.verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    return url.href;
  }

  /** The origin of the upstream's authorization endpoint, once known: the login form may send the browser there. */
  async authorizationOrigin(): Promise<string | undefined> {
    try {
      return new URL((await this.#meta()).authorizationEndpoint).origin;
    } catch {
      return undefined;
    }
  }

  /** The interaction a login with this `state` belongs to, without using it up. */
  async interactionOf(state: string): Promise<string | undefined> {
    return (await this.pending.get(state))?.uid;
  }

  /** Exchanges the code of the login `state` started for interaction `uid`, and checks the ID token. */
  async finish(uid: string, state: string, code: string): Promise<UpstreamIdentity> {
    const known = await this.pending.get(state);
    if (known === undefined || known.uid !== uid) throw new UpstreamLoginError('upstream_state_unknown');
    const p = await this.pending.take(state);
    if (p === undefined) throw new UpstreamLoginError('upstream_state_unknown');
    const m = await this.#meta();
    const { clientId, clientSecret, issuer } = this.settings;
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
    const body = await this.#json(m.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: this.redirectUri, code_verifier: p.verifier }).toString(),
    }, 'upstream_token_refused');
    if (typeof body.id_token !== 'string') throw new UpstreamLoginError('upstream_token_refused', new Error('no id_token in the token response'));
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(body.id_token, m.keys.key, { issuer, audience: clientId, algorithms: ID_TOKEN_ALGORITHMS, requiredClaims: ['sub', 'exp', 'iat'] }));
    } catch (err) {
      throw new UpstreamLoginError('upstream_id_token_invalid', err);
    }
    // Several audiences: the token must say it was issued to this client (OIDC Core 3.1.3.7).
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.nonce !== p.nonce || (audiences.length > 1 && claims.azp !== clientId) || typeof claims.sub !== 'string' || claims.sub === '') {
      throw new UpstreamLoginError('upstream_id_token_invalid', new Error('nonce, azp or sub does not match'));
    }
    const name = claims[this.settings.usernameClaim] ?? await this.#fromUserinfo(m, body.access_token, claims.sub);
    return { issuer, subject: claims.sub, ...(typeof name === 'string' ? { suggestedName: name } : {}) };
  }

  /**
   * Providers may keep profile claims out of the ID token (OIDC Core 5.4): the username
   * claim is then read from userinfo, for the same subject only (5.3.2). It only names a
   * new account, so a failure here leaves the name to the default instead of failing.
   */
  async #fromUserinfo(m: Metadata, accessToken: unknown, sub: string): Promise<unknown> {
    if (m.userinfoEndpoint === undefined || typeof accessToken !== 'string') return undefined;
    try {
      const info = await this.#json(m.userinfoEndpoint, { method: 'GET', headers: { accept: 'application/json', authorization: `Bearer ${accessToken}` } }, 'upstream_unreachable');
      return info.sub === sub ? info[this.settings.usernameClaim] : undefined;
    } catch {
      return undefined;
    }
  }

  /** Discovery once; a failure is not kept, so the next login tries again. */
  #meta(): Promise<Metadata> {
    this.#metadata ??= this.#discover().catch((err: unknown) => {
      this.#metadata = undefined;
      throw err;
    });
    return this.#metadata;
  }

  async #discover(): Promise<Metadata> {
    const doc = await this.#json(`${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { method: 'GET', headers: { accept: 'application/json' } }, 'upstream_unreachable');
    if (doc.issuer !== this.settings.issuer) throw new UpstreamLoginError('upstream_metadata_invalid', new Error('the discovery document names another issuer'));
    const jwksUri = fetchable('jwks_uri', doc.jwks_uri);
    const now = () => performance.now();
    return {
      ...(doc.userinfo_endpoint !== undefined ? { userinfoEndpoint: fetchable('userinfo_endpoint', doc.userinfo_endpoint) } : {}),
      authorizationEndpoint: fetchable('authorization_endpoint', doc.authorization_endpoint),
      tokenEndpoint: fetchable('token_endpoint', doc.token_endpoint),
      keys: createRemoteKeySet(new URL(jwksUri), {
        cooldownMs: 30_000, cacheMaxAgeMs: 600_000, timeoutMs: this.timeoutMs, now,
        fetch: createJwksFetch({ cooldownMs: 30_000, maxBytes: MAX_RESPONSE_BYTES, now }),
      }),
    };
  }

  async #json(url: string, init: RequestInit, reason: UpstreamLoginError['reason']): Promise<Record<string, unknown>> {
    try {
      const res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs) });
      const raw = res.body === null ? undefined : await readBounded(res.body, MAX_RESPONSE_BYTES);
      const value: unknown = raw === undefined ? undefined : JSON.parse(raw.toString('utf8'));
      if (!res.ok || !isObject(value)) throw new Error(`HTTP ${res.status}`);
      return value;
    } catch (err) {
      throw err instanceof UpstreamLoginError ? err : new UpstreamLoginError(reason, err);
    }
  }
}

/** The upstream login `oidc.upstream` configures, if any; its secret is read from the environment now. */
export function upstreamFromConfig(oidc: Config['oidc'], env: NodeJS.ProcessEnv, pending?: PendingLogins): UpstreamLogin | undefined {
  const u = oidc.upstream;
  if (u === null || u === undefined) return undefined;
  const clientSecret = env[u.clientSecretEnv];
  if (clientSecret === undefined || clientSecret === '') throw new ConfigError('oidc.upstream.clientSecretEnv', 'names an environment variable that is not set');
  return new UpstreamLogin({ name: u.name, issuer: u.issuer, clientId: u.clientId, clientSecret, scopes: u.scopes, usernameClaim: u.usernameClaim }, `${oidc.issuer as string}/upstream/callback`, undefined, pending);
}
