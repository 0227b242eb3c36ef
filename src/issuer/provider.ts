/**
 * The oidc-provider instance: the city's own issuer. Authorization code with PKCE (S256
 * only) and pushed authorization requests for apps acting for a citizen; client_credentials
 * for organisations; refresh tokens rotated on every use. Access tokens are RFC 9068 JWTs
 * for one resource, the gateway, and carry the client's organisation and roles, the
 * purpose, and the consents the citizen gave on the consent screen. A token requested with a
 * DPoP proof is bound to its key (`cnf.jkt`); a client configured for it gets tokens bound
 * to the client certificate of its connection (`cnf.x5t#S256`).
 */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import Provider, { errors, type Adapter, type Configuration, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import type { JWK } from 'jose';
import type { Accounts } from '../accounts/index.js';
import { clientPurpose, type IssuerClient } from './clients.js';
import { GrantTermsStore } from './grant-terms.js';
import { GATEWAY_RESOURCE, ISSUER_CLAIMS, OID4VCI_RESOURCE, OIDC_PREFIX, PRE_AUTHORIZED_ANONYMOUS_ACCESS } from './constants.js';
import { contentSecurityPolicy, errorPage, stringsFor } from './views/index.js';
import { registerVpGrant, vpTokenClaims, vpTokenSubject } from './vp-grant.js';
import type { VpLogin } from './vp-login-client.js';
import type { ModelAdapter } from './model-store.js';
import { preAuthorizedClaims, preAuthorizedSubject, registerPreAuthorizedGrant } from './pre-authorized-grant.js';
import type { PreAuthorizedCodes } from './pre-authorized-client.js';


export interface ProviderOptions {
  issuer: string;
  audience: string;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  /** Private signing keys, the one that signs first. */
  keys: JWK[];
  cookieKeys: string[];
  clients: ReadonlyMap<string, IssuerClient>;
  accounts: Accounts;
  adapter: (model: string) => ModelAdapter;
  trustProxy: boolean;
  /** Proof algorithms accepted at the token endpoint: the gateway's own list, so a proof good here is good there. */
  dpopAlgorithms: readonly string[];
  /** The listener asks for client certificates: tokens can be bound to them (RFC 8705). */
  clientCertificates: boolean;
  /** Organisations logging in with a Verifiable Presentation (vp-grant.ts); its client is among `clients`. */
  vpLogin?: VpLogin;
  /** Wallets redeeming credential offers (pre-authorized-grant.ts); its client is among `clients`. */
  preAuthorized?: PreAuthorizedSettings;
}

export interface PreAuthorizedSettings {
  codes: PreAuthorizedCodes;
  /** Lifetime of the access tokens for the credential endpoint. */
  accessTokenTtlSec: number;
}

export interface IssuerProvider {
  provider: Provider;
  terms: GrantTermsStore;
  clients: ReadonlyMap<string, IssuerClient>;
  vpLogin?: VpLogin;
  /** The pre-authorized code grant is registered. */
  preAuthorized?: true;
}

const INTERACTION_TTL_SEC = 600;

/**
 * The client certificate of the request's own TLS connection, when the listener verified
 * it against tls.clientCa; never one named by a header, which anyone could set.
 */
function verifiedClientCertificate(ctx: KoaContextWithOIDC): X509Certificate | undefined {
  const socket = ctx.req.socket as Partial<TLSSocket>;
  if (socket.authorized !== true || typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate(false);
  return peer?.raw ? new X509Certificate(peer.raw) : undefined;
}

/**
 * The store's adapter as oidc-provider takes it: a consume that finds the row consumed
 * already (another instance redeemed it first) refuses, as oidc-provider refuses a
 * redemption it sees consumed.
 */
function redeemedOnce(model: string, store: ModelAdapter): Adapter {
  return {
    ...store,
    consume: async (id) => {
      if (await store.consume(id)) return;
      if (model === 'PushedAuthorizationRequest') throw new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
      throw new errors.InvalidGrant('grant already used');
    },
  };
}

export function createProvider(o: ProviderOptions): IssuerProvider {
  const adapter = (model: string): Adapter => redeemedOnce(model, o.adapter(model));
  const terms = new GrantTermsStore(adapter('GrantTerms'));
  const scopes = new Set(['openid', 'offline_access']);
  for (const c of o.clients.values()) for (const s of c.scopes) scopes.add(s);

  const gatewayResource = (clientId: string): ResourceServer => ({
    scope: (o.clients.get(clientId)?.scopes ?? []).join(' '),
    audience: o.audience,
    accessTokenTTL: o.accessTokenTtlSec,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'ES256' } },
  });

  const configuration: Configuration = {
    adapter,
    clients: [...o.clients.values()].map((c) => c.metadata),
    jwks: { keys: o.keys },
    cookies: { keys: o.cookieKeys, long: { signed: true, httpOnly: true, sameSite: 'lax' }, short: { signed: true, httpOnly: true, sameSite: 'lax' } },
    scopes: [...scopes],
    claims: { openid: ['sub'] },
    extraParams: ['purpose'],
    // `none` only for the presentation login's client: configured clients always get one of the others.
    clientAuthMethods: ['private_key_jwt', 'client_secret_basic', 'none'],
    // A presentation login's token is about the organisation it proved to be; a redeemed offer's about the citizen.
    formats: { customizers: { jwt: (_ctx, token, jwt) => { const sub = vpTokenSubject(token) ?? preAuthorizedSubject(token); if (sub !== undefined) jwt.payload.sub = sub; } } },
    // The issuer's own keys are ES256; clients sign their assertions with any of these.
    enabledJWA: {
      clientAuthSigningAlgValues: ['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'],
      idTokenSigningAlgValues: ['ES256'],
      dPoPSigningAlgValues: [...o.dpopAlgorithms] as NonNullable<NonNullable<Configuration['enabledJWA']>['dPoPSigningAlgValues']>,
    },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    pkce: { required: () => true },
    // OID4VCI 1.0 §12.3: wallets redeem a pre-authorized code without a client_id.
    ...(o.preAuthorized !== undefined ? { discovery: { [PRE_AUTHORIZED_ANONYMOUS_ACCESS]: true } } : {}),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      revocation: { enabled: true },
      // Proofs are checked on iat and jti (no server nonce); replays are caught by the adapter's ReplayDetection.
      dPoP: { enabled: true },
      mTLS: {
        enabled: o.clientCertificates,
        certificateBoundAccessTokens: o.clientCertificates,
        getCertificate: verifiedClientCertificate,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => GATEWAY_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource, client) => {
          if (resource !== GATEWAY_RESOURCE) throw new errors.InvalidTarget();
          return gatewayResource(client.clientId);
        },
      },
    },
    // A refresh token for every client allowed to refresh, not only for offline_access.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: o.accessTokenTtlSec,
      ClientCredentials: o.accessTokenTtlSec,
      AuthorizationCode: 60,
      PushedAuthorizationRequest: 60,
      Interaction: INTERACTION_TTL_SEC,
      Session: 3600,
      Grant: o.refreshTokenTtlSec,
      RefreshToken: o.refreshTokenTtlSec,
      IdToken: 3600,
    },
    interactions: { url: (_ctx, interaction) => `${OIDC_PREFIX}/interaction/${interaction.uid}` },
    // The city's own pages (the wallet) ask for the citizen's identity only: no consent screen.
    loadExistingGrant: async (ctx) => {
      const clientId = ctx.oidc.client?.clientId ?? '';
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const accountId = ctx.oidc.session?.accountId;
      if (o.clients.get(clientId)?.firstParty !== true || accountId === undefined) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope('openid');
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx, id) => {
      // A disabled account gets no new token, refreshed ones included.
      if (await o.accounts.active(id) === undefined) return undefined;
      return { accountId: id, claims: async () => ({ sub: id }) };
    },
    extraTokenClaims: async (ctx: KoaContextWithOIDC, token) => {
      const presented = vpTokenClaims(token) ?? preAuthorizedClaims(token);
      if (presented !== undefined) return presented;
      const client = o.clients.get(token.clientId ?? '');
      if (client === undefined) throw new errors.InvalidClient();
      const claims: Record<string, unknown> = { [ISSUER_CLAIMS.roles]: client.roles };
      if (client.organisation !== undefined) claims[ISSUER_CLAIMS.organisation] = client.organisation;
      if (token.kind === 'ClientCredentials') {
        // oidc-provider keeps only the parameters it knows in ctx.oidc.params; the body has all.
        const asked = (ctx.oidc.body)?.purpose;
        const purpose = clientPurpose(client, asked);
        if (purpose === undefined && asked !== undefined) throw new errors.InvalidRequest('this client may not ask for this purpose');
        if (purpose !== undefined) claims[ISSUER_CLAIMS.purpose] = purpose;
        return claims;
      }
      const granted = token.grantId === undefined ? undefined : await terms.get(token.grantId);
      if (granted !== undefined) {
        claims[ISSUER_CLAIMS.purpose] = granted.purpose;
        if (granted.consents.length > 0) claims[ISSUER_CLAIMS.consents] = granted.consents;
      }
      return claims;
    },
    // A browser sees the issuer's own page, which neither quotes the request nor the error's details.
    renderError: (ctx) => {
      ctx.type = 'html';
      ctx.set('content-security-policy', contentSecurityPolicy([]));
      ctx.set('cache-control', 'no-store');
      ctx.body = errorPage(stringsFor(ctx.get('accept-language')));
    },
  };
  const provider = new Provider(o.issuer, configuration);
  provider.proxy = o.trustProxy;
  if (o.vpLogin !== undefined) registerVpGrant(provider, o.vpLogin, (clientId) => new provider.ResourceServer(GATEWAY_RESOURCE, gatewayResource(clientId)));
  if (o.preAuthorized !== undefined) {
    const { accessTokenTtlSec } = o.preAuthorized;
    // Its own audience: a credential endpoint token opens nothing at the gateway, and no other token opens the credential endpoint.
    const credentialEndpoint = () => new provider.ResourceServer(OID4VCI_RESOURCE, {
      scope: '', audience: OID4VCI_RESOURCE, accessTokenTTL: accessTokenTtlSec, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } },
    });
    registerPreAuthorizedGrant(provider, o.preAuthorized.codes, credentialEndpoint, accessTokenTtlSec);
  }
  return { provider, terms, clients: o.clients, ...(o.vpLogin ? { vpLogin: o.vpLogin } : {}), ...(o.preAuthorized ? { preAuthorized: true as const } : {}) };
}
