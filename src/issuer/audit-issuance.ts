/**
 * Every access token the issuer hands out is on the audit log before it leaves: who got it
 * (client, citizen), by which grant, for which purpose and on which consents, and how it
 * is bound to its holder (bearer, DPoP key, client certificate). oidc-provider
 * is Koa underneath, and a Koa middleware runs on after the token endpoint has made its
 * answer but before that answer is sent, so an audit log that cannot take the record turns
 * the answer into 503 instead of a token nobody could account for.
 *
 * A refused redemption of a credential offer's pre-authorized code is on the log too,
 * naming whose code it was when that is known: a second use of a code means it leaked.
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import type Provider from 'oidc-provider';
import type { AuditEvent } from '../audit/index.js';
import { OIDC_PREFIX } from './constants.js';
import { refusedRedemption, type RefusedRedemption } from './pre-authorized-refusals.js';

export interface IssuanceAudit {
  append(event: AuditEvent): Promise<void>;
}

/** How the new token is bound to its holder (never the thumbprint itself). */
function bindingOf(cnf: unknown): AuditEvent['binding'] {
  if (typeof cnf !== 'object' || cnf === null) return 'bearer';
  if (Object.hasOwn(cnf, 'jkt')) return 'dpop';
  return Object.hasOwn(cnf, 'x5t#S256') ? 'mtls' : 'bearer';
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The audit event for a token the issuer `issuer` made by `grantType`; undefined when `body` holds none. */
export function issuanceEvent(issuer: string, grantType: string, body: unknown, startedAt: number, now: number): AuditEvent | undefined {
  const token = (body as { access_token?: unknown } | undefined)?.access_token;
  if (typeof token !== 'string') return undefined;
  const claims = decodeJwt(token);
  const scope = typeof claims.scope === 'string' ? claims.scope.split(' ').filter((s) => s !== '') : [];
  return {
    time: new Date(now).toISOString(),
    decisionId: randomUUID(),
    requestId: randomUUID(),
    issuer,
    ...(typeof claims.sub === 'string' ? { sub: claims.sub } : {}),
    ...(typeof claims.client_id === 'string' ? { clientId: claims.client_id } : {}),
    binding: bindingOf(claims.cnf),
    operation: `token.${grantType}`,
    action: 'issue',
    // What the token opens: the consents it rests on, and its scopes and purpose.
    targets: { entityIds: strings(claims.consents), types: typeof claims.purpose === 'string' ? [claims.purpose] : [], attrs: scope },
    effect: 'permit',
    reason: 'token_issued',
    latencyMs: now - startedAt,
    method: 'POST',
    path: `${OIDC_PREFIX}/token`,
  };
}

/** The audit event for a refused redemption of a pre-authorized code. */
export function redemptionRefusalEvent(issuer: string, grantType: string, refusal: RefusedRedemption, startedAt: number, now: number): AuditEvent {
  return {
    time: new Date(now).toISOString(),
    decisionId: randomUUID(),
    requestId: randomUUID(),
    issuer,
    ...(refusal.of === undefined ? {} : { sub: refusal.of.sub }),
    operation: `token.${grantType}`,
    action: 'issue',
    targets: { entityIds: refusal.of === undefined ? [] : [refusal.of.consentId], types: [], attrs: [] },
    effect: 'deny',
    reason: refusal.reason,
    latencyMs: now - startedAt,
    method: 'POST',
    path: `${OIDC_PREFIX}/token`,
  };
}

export function auditTokenIssuance(provider: Provider, issuer: string, audit: IssuanceAudit, onFailure: (err: unknown) => void): void {
  provider.use(async (ctx, next) => {
    const startedAt = Date.now();
    await next();
    const oidc = (ctx as { oidc?: { route?: string; params?: { grant_type?: unknown } } }).oidc;
    if (oidc?.route !== 'token') return;
    const grantType = typeof oidc.params?.grant_type === 'string' ? oidc.params.grant_type : 'unknown';
    const refusal = refusedRedemption(ctx);
    if (refusal !== undefined) {
      // Refused either way: a log that cannot take the record changes nothing for the caller.
      await audit.append(redemptionRefusalEvent(issuer, grantType, refusal, startedAt, Date.now())).catch(onFailure);
      return;
    }
    if (ctx.status !== 200) return;
    try {
      const event = issuanceEvent(issuer, grantType, ctx.body, startedAt, Date.now());
      if (event !== undefined) await audit.append(event);
    } catch (err) {
      onFailure(err);
      ctx.status = 503;
      ctx.set('cache-control', 'no-store');
      ctx.body = { error: 'temporarily_unavailable', error_description: 'The audit log is unavailable; no token was issued.' };
    }
  });
}
