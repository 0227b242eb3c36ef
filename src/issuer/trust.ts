/**
 * How the gateway trusts its own issuer: a city-own issuer whose keys it already holds,
 * so tokens are verified in process without fetching its JWKS over HTTP.
 */
import type { JWK } from 'jose';
import type { IssuerConfig } from '../auth/index.js';
import { ISSUER_CLAIMS } from './constants.js';

export function ownIssuerTrust(o: { issuer: string; audience: string; publicKeys: JWK[]; maxTokenLifetimeSec: number; requireSenderConstrained?: boolean }): IssuerConfig {
  return {
    issuer: o.issuer,
    jwks: { keys: o.publicKeys },
    audience: o.audience,
    algorithms: ['ES256'],
    rolesClaim: ISSUER_CLAIMS.roles,
    purposeClaim: ISSUER_CLAIMS.purpose,
    consentClaim: ISSUER_CLAIMS.consents,
    organisationClaim: ISSUER_CLAIMS.organisation,
    maxTokenLifetimeSec: o.maxTokenLifetimeSec,
    requireSenderConstrained: o.requireSenderConstrained === true,
  };
}
