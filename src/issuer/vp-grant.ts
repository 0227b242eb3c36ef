/**
 * The grant that takes a Verifiable Presentation from an organisation, in the simple form
 * of OpenID for Verifiable Presentations' token request: `grant_type` VP_TOKEN_GRANT,
 * `vp_token` (the presentation, JSON) and optionally `presentation_submission`, sent by
 * the gateway's public client VP_LOGIN_CLIENT_ID. The presentation is checked by the
 * credentials module (the challenge from `POST /oidc/vp-challenge`, the issuer as domain,
 * proofs, holder, status, validity, the trusted issuers list); the access token then
 * names the organisation's DID as `sub` and `org_id` and carries the roles its credential
 * gives. Every refusal is an OAuth `invalid_grant` naming the reason's code, but for a store
 * that cannot be reached (challenges are kept there): 503 `temporarily_unavailable`. A request with
 * a DPoP proof gets a token bound to the proof's key (`cnf.jkt`, token type DPoP), checked
 * and replay-guarded by oidc-provider's own steps, as its other grants do.
 */
import { errors, type Provider, type ResourceServerInstance, type TokenEndpointGrantContext } from 'oidc-provider';
import { checkDpopReplay, checkDpopRequired, validateDpop } from 'oidc-provider/lib/helpers/grants.js';
import { ISSUER_CLAIMS, VP_TOKEN_GRANT } from './constants.js';
import type { VpLogin } from './vp-login-client.js';
import { grantUnavailable } from './grant-unavailable.js';

/** The organisation each token made by this grant is for, read back when its claims are written. */
const loggedIn = new WeakMap<object, { organisation: string; roles: string[] }>();

/** The claims of a token made by this grant; undefined for any other token. */
export function vpTokenClaims(token: object): Record<string, unknown> | undefined {
  const who = loggedIn.get(token);
  return who === undefined ? undefined : { [ISSUER_CLAIMS.organisation]: who.organisation, [ISSUER_CLAIMS.roles]: who.roles };
}

/** The `sub` of a token made by this grant: the organisation's DID. */
export function vpTokenSubject(token: object): string | undefined {
  return loggedIn.get(token)?.organisation;
}

function presentationOf(raw: unknown): unknown {
  if (typeof raw !== 'string' || raw === '') throw new errors.InvalidRequest('vp_token is missing');
  try {
    return JSON.parse(raw);
  } catch {
    throw new errors.InvalidRequest('vp_token is not a JSON presentation');
  }
}

export function registerVpGrant(provider: Provider, login: VpLogin, resourceServer: (clientId: string) => ResourceServerInstance): void {
  provider.registerGrantType(VP_TOKEN_GRANT, async (ctx: TokenEndpointGrantContext<{ vp_token?: unknown }>) => {
    const client = ctx.oidc.client;
    // The proof before the presentation: a bad proof costs no signature checks.
    const dPoP = await validateDpop(provider, ctx);
    const presentation = presentationOf(ctx.oidc.params.vp_token);
    let who: { organisation: string; roles: string[] };
    try {
      who = await login.login(presentation);
    } catch (err) {
      const unavailable = grantUnavailable(ctx, err);
      if (unavailable !== undefined) throw unavailable;
      const reason = (err as { reason?: unknown }).reason;
      if (typeof reason !== 'string') throw err;
      // The reason's code and the module's own sentence: never the presentation's content.
      throw new errors.CustomOIDCProviderError('invalid_grant', `${reason}: ${(err as Error).message}`);
    }
    const token = new ctx.oidc.provider.ClientCredentials({ client });
    token.resourceServer = resourceServer(client.clientId);
    if (dPoP !== undefined) {
      await checkDpopReplay(provider, ctx, dPoP, client.clientId);
      token.setThumbprint('jkt', dPoP.thumbprint);
    }
    checkDpopRequired(provider, ctx, dPoP);
    loggedIn.set(token, { organisation: who.organisation, roles: who.roles });
    ctx.oidc.entity('ClientCredentials', token);
    const value = await token.save();
    ctx.body = { access_token: value, expires_in: token.expiration, token_type: token.tokenType };
  }, ['vp_token', 'presentation_submission']);
}
