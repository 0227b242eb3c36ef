/**
 * The issuer's clients as the configuration declares them, turned into oidc-provider's
 * client metadata, and what the issuer adds to their tokens: organisation, roles and the
 * purposes they may ask for. A client proves itself with a signed assertion
 * (private_key_jwt); a secret only where one is configured for that client. A client may
 * be held to DPoP-bound or certificate-bound access tokens.
 */
import type { ClientMetadata } from 'oidc-provider';
import { ConfigError, type OidcClientSettings } from '../config/index.js';
import { purposeIri } from '../contracts/purposes.js';

export interface IssuerClient {
  clientId: string;
  /** Shown to citizens: the client's name, else its organisation, else its id. */
  displayName: string;
  organisation?: string;
  roles: string[];
  /** DPV purpose IRIs, the default first. */
  purposes: string[];
  scopes: string[];
  metadata: ClientMetadata;
  /** One of the city's own pages (the wallet): signed in to without a consent screen, given no data. */
  firstParty?: true;
}

/** A page of the city's own served by the gateway, signing citizens in through the issuer. */
export interface FirstPartyClient {
  clientId: string;
  name: string;
  redirectUri: string;
  /** Authenticates it at the token endpoint (client_secret_basic); at least 32 characters. */
  secret: string;
}

/**
 * A first-party client: the authorization code flow with PKCE for an ID token, nothing
 * else; no roles, purposes or scopes, so its tokens read no data at the gateway.
 */
export function firstPartyClient(c: FirstPartyClient): IssuerClient {
  return {
    clientId: c.clientId,
    displayName: c.name,
    roles: [],
    purposes: [],
    scopes: [],
    firstParty: true,
    metadata: {
      client_id: c.clientId,
      client_secret: c.secret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [c.redirectUri],
      scope: 'openid',
    },
  };
}

export function issuerClients(settings: readonly OidcClientSettings[], env: NodeJS.ProcessEnv = process.env): Map<string, IssuerClient> {
  const out = new Map<string, IssuerClient>();
  settings.forEach((c, i) => {
    const purposes = c.purposes.map((p, j) => {
      const iri = purposeIri(p);
      if (iri === undefined) throw new ConfigError(`oidc.clients.${i}.purposes.${j}`, 'is not a DPV purpose');
      return iri;
    });
    const metadata: ClientMetadata = {
      client_id: c.clientId,
      grant_types: [...c.grantTypes],
      redirect_uris: [...c.redirectUris],
      response_types: c.grantTypes.includes('authorization_code') ? ['code'] : [],
      scope: [...new Set(['openid', ...(c.grantTypes.includes('refresh_token') ? ['offline_access'] : []), ...c.scopes])].join(' '),
    };
    if (c.dpopBound) metadata.dpop_bound_access_tokens = true;
    if (c.certificateBound) metadata.tls_client_certificate_bound_access_tokens = true;
    if (c.clientSecretEnv !== undefined) {
      const secret = env[c.clientSecretEnv];
      if (secret === undefined || secret.length < 32) throw new ConfigError(`oidc.clients.${i}.clientSecretEnv`, 'names an environment variable that is not set or holds fewer than 32 characters');
      metadata.client_secret = secret;
      metadata.token_endpoint_auth_method = 'client_secret_basic';
    } else {
      metadata.token_endpoint_auth_method = 'private_key_jwt';
      if (c.jwks !== undefined) metadata.jwks = c.jwks;
      if (c.jwksUri !== undefined) metadata.jwks_uri = c.jwksUri;
    }
    out.set(c.clientId, {
      clientId: c.clientId,
      displayName: c.name ?? c.organisation ?? c.clientId,
      ...(c.organisation !== undefined ? { organisation: c.organisation } : {}),
      roles: [...c.roles],
      purposes,
      scopes: [...c.scopes],
      metadata,
    });
  });
  return out;
}

/** The purpose a client asks for (or its default), as an IRI, or undefined when it may not ask for it. */
export function clientPurpose(client: IssuerClient, asked: unknown): string | undefined {
  if (asked === undefined || asked === null || asked === '') return client.purposes[0];
  if (typeof asked !== 'string') return undefined;
  const iri = purposeIri(asked);
  return iri !== undefined && client.purposes.includes(iri) ? iri : undefined;
}
