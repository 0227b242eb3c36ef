/**
 * The issuer as a fastify plugin, registered under /oidc: the login and consent screens
 * (interactions.ts) as routes of their own, everything else (discovery, JWKS, authorize,
 * PAR, token, revocation) handed to oidc-provider.
 */
import type { FastifyInstance } from 'fastify';
import { ConfigError, type Config } from '../config/index.js';
import type { IssuerClient } from './clients.js';
import type { Accounts } from '../accounts/index.js';
import type { KeySet } from '../keys/index.js';
import { firstPartyClient, issuerClients, type FirstPartyClient } from './clients.js';
import { keepBodiesRaw, mountMetadataAlias, mountProvider } from './mount.js';
import type { IssuerProvider, PreAuthorizedSettings } from './provider.js';
import type { ModelAdapter } from './model-store.js';
import { asPreAuthorizedClient, preAuthorizedClient } from './pre-authorized-client.js';
import { interactionRoutes, type InteractionDeps } from './interactions.js';
import { vpChallengeRoute, vpLoginClient, type VpLogin } from './vp-login-client.js';

export interface IssuerDeps {
  config: Config;
  accounts: Accounts;
  keys: KeySet;
  cookieSecret: string;
  adapter: (model: string) => ModelAdapter;
  /** The city's own pages signing citizens in (the wallet), registered next to the configured clients. */
  firstParty?: readonly FirstPartyClient[];
  /** Organisations logging in with a Verifiable Presentation: the grant, its client and its challenge route. */
  vpLogin?: VpLogin;
  /** Wallets redeeming credential offers: the grant and its client. */
  preAuthorized?: PreAuthorizedSettings;
}

/** Loads oidc-provider only here, so a gateway without the issuer never does. */
export async function createIssuer(deps: IssuerDeps): Promise<IssuerProvider> {
  const { oidc } = deps.config;
  const { createProvider } = await import('./provider.js');
  return createProvider({
    issuer: oidc.issuer as string,
    audience: oidc.audience,
    accessTokenTtlSec: Math.min(oidc.accessTokenTtlSec, deps.config.auth.maxTokenLifetimeSec),
    refreshTokenTtlSec: oidc.refreshTokenTtlSec,
    keys: deps.keys.keys,
    cookieKeys: [deps.cookieSecret],
    clients: withOwnClients(issuerClients(oidc.clients), [...(deps.firstParty ?? []).map(firstPartyClient), ...(deps.vpLogin ? [vpLoginClient()] : []), ...(deps.preAuthorized ? [preAuthorizedClient()] : [])]),
    accounts: deps.accounts,
    adapter: deps.adapter,
    trustProxy: deps.config.trustProxy,
    dpopAlgorithms: deps.config.auth.dpop.algorithms,
    clientCertificates: deps.config.tls.enabled && deps.config.tls.clientCa !== null,
    ...(deps.vpLogin ? { vpLogin: deps.vpLogin } : {}),
    ...(deps.preAuthorized ? { preAuthorized: deps.preAuthorized } : {}),
  });
}

function withOwnClients(clients: Map<string, IssuerClient>, own: readonly IssuerClient[]): Map<string, IssuerClient> {
  for (const c of own) {
    if (clients.has(c.clientId)) throw new ConfigError('oidc.clients', `names a client ${c.clientId}, which is the id of one of the gateway's own clients`);
    clients.set(c.clientId, c);
  }
  return clients;
}

/** `headers`: the gateway's security headers, for the responses oidc-provider makes itself. */
export function issuerPlugin(issuer: IssuerProvider, interactions: Omit<InteractionDeps, 'issuer'>, headers: Readonly<Record<string, string>> = {}) {
  return async (app: FastifyInstance): Promise<void> => {
    keepBodiesRaw(app);
    await app.register(interactionRoutes({ ...interactions, issuer }));
    if (issuer.vpLogin !== undefined) await app.register(vpChallengeRoute(issuer.vpLogin));
    const handler = issuer.provider.callback();
    mountProvider(app, () => handler, headers, issuer.preAuthorized ? asPreAuthorizedClient : undefined);
  };
}

/**
 * The issuer's authorization server metadata at the RFC 8414 well-known URI of its
 * identifier, registered at the root (mount.ts): where wallets and OAuth clients look first.
 */
export function authorizationServerMetadataPlugin(issuer: IssuerProvider, issuerId: string, headers: Readonly<Record<string, string>> = {}) {
  return async (app: FastifyInstance): Promise<void> => {
    const handler = issuer.provider.callback();
    mountMetadataAlias(app, () => handler, issuerId, headers);
  };
}
