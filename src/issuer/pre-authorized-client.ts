/**
 * What the gateway adds to the issuer for wallets redeeming a credential offer, apart from
 * the grant itself (pre-authorized-grant.ts, which needs oidc-provider): the interface the
 * credentials module answers it through, its public client, and the token request read
 * as that client. Wallets are not registered clients; OID4VCI lets them send no client_id
 * with a pre-authorized code, or one of their own, so every token request of this grant
 * is made the public client's before oidc-provider authenticates it.
 */
import type { IssuerClient } from './clients.js';
import { OID4VCI_CLIENT_ID, PRE_AUTHORIZED_GRANT } from './constants.js';

/** Whose consent a redeemed code was for. */
export interface RedeemedOffer {
  sub: string;
  consentId: string;
}

/** What the credentials module answers for a code (src/credentials/oid4vci/issuance.ts). */
export interface PreAuthorizedCodes {
  /**
   * Uses the code up; a refusal throws an error with `error: 'invalid_grant'`, a `reason`
   * and, when known, whose it was (`of`); a store that cannot answer throws a 503 error.
   */
  redeem(code: string, txCode: string | undefined): Promise<RedeemedOffer>;
}

/** The public client every redemption is made through: this grant only, no secret (the code is the proof). */
export function preAuthorizedClient(): IssuerClient {
  return {
    clientId: OID4VCI_CLIENT_ID,
    displayName: 'Credential wallet',
    roles: [],
    purposes: [],
    scopes: [],
    metadata: {
      client_id: OID4VCI_CLIENT_ID,
      token_endpoint_auth_method: 'none',
      grant_types: [PRE_AUTHORIZED_GRANT],
      response_types: [],
      redirect_uris: [],
    },
  };
}

/** Client authentication members of a token request, which a wallet's request loses. */
const CLIENT_AUTH = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'];

/**
 * A token request's form body as oidc-provider is to read it: for this grant, made by the
 * public client; any other request unchanged (undefined).
 */
export function asPreAuthorizedClient(body: string): string | undefined {
  const form = new URLSearchParams(body);
  if (form.getAll('grant_type').length !== 1 || form.get('grant_type') !== PRE_AUTHORIZED_GRANT) return undefined;
  for (const name of CLIENT_AUTH) form.delete(name);
  form.set('client_id', OID4VCI_CLIENT_ID);
  return form.toString();
}
