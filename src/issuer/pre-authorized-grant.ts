/**
 * The pre-authorized code grant of OpenID for Verifiable Credential Issuance:
 * `grant_type` PRE_AUTHORIZED_GRANT with `pre-authorized_code` and `tx_code`, made by the
 * public client OID4VCI_CLIENT_ID. The credentials module checks the code (handed out,
 * not used, not expired, its transaction code) and uses it up; the access token is then
 * for the credential endpoint alone (resource and audience OID4VCI_RESOURCE), short-lived,
 * about the citizen (`sub`) and naming the one consent (`consents`) whose receipt it
 * fetches. Every refusal is an OAuth `invalid_grant` naming the reason's code, and is
 * kept for the audit log (audit-issuance.ts) with whose code it was when that is known.
 * Codes are kept in the store every instance shares: one that cannot be reached or is
 * full answers 503 `temporarily_unavailable` naming the reason's code, and the code is
 * not used up by that.
 *
 * A request with a DPoP proof gets a token bound to the proof's key (`cnf.jkt`, token type
 * DPoP), which the credential endpoint then takes only with a proof by that key. The proof
 * is checked, and its replay caught, before the code is touched: a bad or replayed proof
 * does not use up the citizen's code.
 */
import { errors, type Provider, type ResourceServerInstance, type TokenEndpointGrantContext } from 'oidc-provider';
import { checkDpopReplay, checkDpopRequired, validateDpop } from 'oidc-provider/lib/helpers/grants.js';
import { ISSUER_CLAIMS, PRE_AUTHORIZED_GRANT } from './constants.js';
import type { PreAuthorizedCodes, RedeemedOffer } from './pre-authorized-client.js';
import { refuseRedemption } from './pre-authorized-refusals.js';
import { grantUnavailable } from './grant-unavailable.js';

/** The citizen and consent of each token made by this grant, read back when its claims are written. */
const redeemed = new WeakMap<object, RedeemedOffer>();

/** The claims of a token made by this grant; undefined for any other token. */
export function preAuthorizedClaims(token: object): Record<string, unknown> | undefined {
  const offer = redeemed.get(token);
  return offer === undefined ? undefined : { [ISSUER_CLAIMS.consents]: [offer.consentId] };
}

/** The `sub` of a token made by this grant: the citizen's account. */
export function preAuthorizedSubject(token: object): string | undefined {
  return redeemed.get(token)?.sub;
}

const param = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function registerPreAuthorizedGrant(provider: Provider, codes: PreAuthorizedCodes, resourceServer: () => ResourceServerInstance, ttlSec: number): void {
  provider.registerGrantType(PRE_AUTHORIZED_GRANT, async (ctx: TokenEndpointGrantContext<{ 'pre-authorized_code'?: unknown; tx_code?: unknown }>) => {
    const client = ctx.oidc.client;
    const code = param(ctx.oidc.params['pre-authorized_code']);
    if (code === undefined || code === '') throw new errors.InvalidRequest('pre-authorized_code is missing');
    const dPoP = await validateDpop(provider, ctx);
    if (dPoP !== undefined) await checkDpopReplay(provider, ctx, dPoP, client.clientId);
    checkDpopRequired(provider, ctx, dPoP);
    let offer: RedeemedOffer;
    try {
      offer = await codes.redeem(code, param(ctx.oidc.params.tx_code));
    } catch (err) {
      const unavailable = grantUnavailable(ctx, err);
      if (unavailable !== undefined) throw unavailable;
      const { error, reason, of } = err as { error?: unknown; reason?: unknown; of?: RedeemedOffer };
      if (error !== 'invalid_grant' || typeof reason !== 'string') throw err;
      refuseRedemption(ctx, { reason, ...(of === undefined ? {} : { of }) });
      throw new errors.CustomOIDCProviderError('invalid_grant', `${reason}: ${(err as Error).message}`);
    }
    const token = new ctx.oidc.provider.ClientCredentials({ client, expiresIn: ttlSec });
    token.resourceServer = resourceServer();
    if (dPoP !== undefined) token.setThumbprint('jkt', dPoP.thumbprint);
    redeemed.set(token, offer);
    ctx.oidc.entity('ClientCredentials', token);
    const value = await token.save();
    ctx.body = { access_token: value, expires_in: token.expiration, token_type: token.tokenType };
  }, ['pre-authorized_code', 'tx_code']);
}
