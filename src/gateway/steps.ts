import { MimtrustError } from '../errors/index.js';
import { classify } from '../ngsi/index.js';
import type { TokenVerifier, VerifiedToken } from '../auth/index.js';
import type { RoleChecker } from '../policy/index.js';
import type { RequestContext } from './context.js';
import type { Upstream } from './upstream.js';
import { upstreamRequestHeaders, clientResponseHeaders } from './headers.js';

export type Step = (ctx: RequestContext) => void | Promise<void>;

export interface StepDeps {
  basePath: string;
  verifier: TokenVerifier;
  roles: () => RoleChecker;
  upstream: Upstream;
  forwardAuthorization: boolean;
}

const JSON_BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** Authenticate: a valid bearer access token from a trusted issuer, or 401. */
export function authenticate(deps: StepDeps): Step {
  return async (ctx) => {
    const header = ctx.raw.headers.authorization;
    if (Array.isArray(header)) {
      throw new MimtrustError('INVALID_TOKEN', 'Exactly one Authorization header is allowed.', {
        reason: 'token_malformed',
        headers: { 'www-authenticate': 'Bearer realm="mimtrust", error="invalid_request"' },
      });
    }
    const token = await deps.verifier.verify(header);
    checkSenderConstraint(token, ctx.certThumbprint);
    ctx.token = token;
  };
}

/**
 * A sender-constrained token is only good from its holder: bound to a client certificate
 * (RFC 8705 `cnf.x5t#S256`) it must arrive over mTLS with that very certificate. Proof of
 * possession for DPoP-bound tokens (`cnf.jkt`) is not checked yet, so those are refused
 * rather than accepted as bearer tokens.
 */
export function checkSenderConstraint(token: VerifiedToken, certThumbprint: string | undefined): void {
  const cnf = token.cnf;
  if (cnf === undefined) return;
  const bound = cnf['x5t#S256'];
  if (bound !== undefined && bound !== certThumbprint) {
    throw new MimtrustError('INVALID_TOKEN', 'The access token is bound to a client certificate that this connection did not present.', {
      reason: 'token_binding_mismatch',
      headers: { 'www-authenticate': 'Bearer realm="mimtrust", error="invalid_token", error_description="certificate binding mismatch"' },
    });
  }
  if (cnf.jkt !== undefined) {
    throw new MimtrustError('INVALID_TOKEN', 'DPoP-bound access tokens are not accepted by this gateway.', {
      reason: 'token_dpop_unsupported',
      headers: { 'www-authenticate': 'Bearer realm="mimtrust", error="invalid_token", error_description="DPoP-bound tokens are not supported"' },
    });
  }
}

/** Parse the JSON body, if any, into `ctx.raw.body`; only methods that carry a body may have one. */
export function parseJsonBody(ctx: RequestContext): void {
  if (ctx.rawBody === undefined || ctx.rawBody.length === 0) return;
  if (!JSON_BODY_METHODS.has(ctx.raw.method)) {
    throw new MimtrustError('BAD_REQUEST', 'This method takes no request body.', { reason: 'unexpected_body' });
  }
  try {
    ctx.raw.body = JSON.parse(ctx.rawBody.toString('utf8'));
  } catch {
    throw new MimtrustError('BAD_REQUEST', 'The request body is not valid JSON.', { reason: 'invalid_json' });
  }
}

/** Parse the JSON body (only now, after authentication) and classify the request. */
export function classifyRequest(deps: StepDeps): Step {
  return (ctx) => {
    parseJsonBody(ctx);
    ctx.ngsi = classify(ctx.raw, { basePath: deps.basePath });
    if (ctx.raw.body !== undefined) ctx.forwardBody = JSON.stringify(ctx.raw.body);
  };
}

/** Roles: the token's roles must allow the action group in the tenant; a tenants claim, when configured, must list it. */
export function authorizeRole(deps: StepDeps): Step {
  return (ctx) => {
    const token = ctx.token!;
    const ngsi = ctx.ngsi!;
    if (token.tenants !== undefined && !token.tenants.includes(ngsi.tenant ?? '@default')) {
      throw new MimtrustError('FORBIDDEN', 'The access token does not grant access to this tenant.', { reason: 'tenant_denied' });
    }
    if (!deps.roles().allows(token.roles, ngsi.tenant, ngsi.action)) {
      throw new MimtrustError('FORBIDDEN', `No role of the caller allows "${ngsi.action}" in this tenant.`, { reason: 'role_denied' });
    }
  };
}

/** Forward the checked request: canonical path and query, re-serialised body, our own forwarding headers. */
export function forward(deps: StepDeps): Step {
  return async (ctx) => {
    const ngsi = ctx.ngsi!;
    const body = ctx.forwardBody;
    const headers = upstreamRequestHeaders(ctx.raw.headers, {
      clientIp: ctx.clientIp,
      proto: ctx.tls ? 'https' : 'http',
      host: typeof ctx.raw.headers.host === 'string' ? ctx.raw.headers.host : undefined,
      tenant: ngsi.tenant,
      forwardAuthorization: deps.forwardAuthorization,
      bodyLength: body === undefined ? undefined : Buffer.byteLength(body),
    });
    ctx.upstream = await deps.upstream.send({ method: ngsi.method, path: ngsi.path + ngsi.search, headers, body });
  };
}

/** Prepare the response exactly as the broker sent it (later steps may cut it down). */
export function respond(deps: StepDeps): Step {
  return (ctx) => {
    const up = ctx.upstream!;
    ctx.response = {
      status: up.status,
      headers: clientResponseHeaders(up.headers, deps.upstream.origin),
      body: up.body.length > 0 ? up.body : undefined,
    };
    ctx.reason = up.status < 400 ? 'permitted' : 'permitted_upstream_error';
  };
}
