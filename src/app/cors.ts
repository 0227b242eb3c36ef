/**
 * CORS for browser applications (a city dashboard) on the origins the configuration lists,
 * exactly as browsers send them. A preflight from such an origin is answered here, before
 * any route runs: it carries no token (browsers send none), asks for no data, and so
 * reaches neither the broker nor the audit log. Any other origin is served as if CORS
 * were off: no CORS header, and its preflight is an OPTIONS request like any other
 * (without a token, refused and audited). Only the gateway's own policy speaks: the
 * broker's CORS headers never pass (gateway/headers.ts).
 *
 * Paths meant for other servers are left out: a proxy asking the ext_authz service about
 * a browser's preflight gets the decision on it, never a CORS answer it would take for an
 * allow, and the broker posting notifications is no browser.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/index.js';

/** Every method of the admin, decision and NGSI-LD APIs a browser would need a preflight for. */
const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
/** The request headers those APIs read (NGSI-LD: tenant, context link, entity map; mimtrust: declared recipient). */
const REQUEST_HEADERS = 'Authorization, Content-Type, Accept, Link, NGSILD-Tenant, NGSILD-EntityMap, Mimtrust-Recipient';
/** The answer headers a client reads beyond the safelisted ones: paging, counts, where a new resource is, why a token failed. */
const EXPOSED_HEADERS = 'Link, Location, NGSILD-Results-Count, NGSILD-Tenant, NGSILD-EntityMap, WWW-Authenticate, Retry-After';

export interface CorsOptions {
  settings: Config['cors'];
  /** Route path prefixes CORS leaves alone. */
  except: readonly string[];
  /** Headers on every response (security headers). */
  headers: Readonly<Record<string, string>>;
}

/** `Vary` with `Origin` among its names, keeping those the answer already varies on. */
export function varyOnOrigin(current: unknown): string {
  const names = (Array.isArray(current) ? current.join(',') : typeof current === 'string' ? current : '')
    .split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.some((n) => n === '*' || n.toLowerCase() === 'origin')) return names.join(', ');
  return [...names, 'Origin'].join(', ');
}

function isPreflight(req: FastifyRequest): boolean {
  return req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
}

/** Adds CORS to every route of the server; nothing when no origin is configured. */
export function allowOrigins(app: FastifyInstance, opts: CorsOptions): void {
  const origins = new Set(opts.settings.origins);
  if (origins.size === 0) return;
  // The route that matched, not the raw URL: a path spelled differently cannot slip out of (or into) an exception.
  const applies = (req: FastifyRequest): boolean => {
    const route = req.routeOptions.url;
    return route === undefined || !opts.except.some((p) => route === p || route.startsWith(`${p}/`));
  };
  const allowedOrigin = (req: FastifyRequest): string | undefined => {
    const origin = req.headers.origin;
    return typeof origin === 'string' && origins.has(origin) && applies(req) ? origin : undefined;
  };

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!isPreflight(req) || allowedOrigin(req) === undefined) return;
    await reply
      .code(204)
      .headers(opts.headers)
      .headers({
        'access-control-allow-methods': METHODS,
        'access-control-allow-headers': REQUEST_HEADERS,
        'access-control-max-age': String(opts.settings.maxAgeSec),
        'content-length': '0',
      })
      .send();
  });

  // Set as the answer leaves, so nothing a handler copied (a broker's Vary) can undo it.
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!applies(req)) return payload;
    void reply.header('vary', varyOnOrigin(reply.getHeader('vary')));
    const origin = allowedOrigin(req);
    if (origin === undefined) return payload;
    void reply.header('access-control-allow-origin', origin);
    if (opts.settings.allowCredentials) void reply.header('access-control-allow-credentials', 'true');
    if (!isPreflight(req)) void reply.header('access-control-expose-headers', EXPOSED_HEADERS);
    return payload;
  });
}
