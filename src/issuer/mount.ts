/**
 * oidc-provider mounted on the gateway's fastify server under /oidc. Fastify routes hand
 * the raw request to oidc-provider's node handler untouched: no body parser runs first
 * (oidc-provider reads the body itself), and the URL is given without the prefix while
 * `originalUrl` keeps it, which is how oidc-provider learns where it is mounted.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OIDC_PREFIX } from './constants.js';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Leaves request bodies unread in this plugin's scope; whoever handles the route reads them. */
export function keepBodiesRaw(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
}

/**
 * Hands every request under the prefix that no other route of the scope takes to `handler`,
 * with the gateway's security headers set first (oidc-provider may still set its own).
 * The gateway's Content-Security-Policy is for APIs and would blank oidc-provider's own
 * pages (its error page styles itself inline), so only framing is forbidden here; the
 * login and consent screens are routes of their own with a strict policy.
 */
export function mountProvider(app: FastifyInstance, handler: () => NodeHandler, headers: Readonly<Record<string, string>> = {}): void {
  const set = Object.entries({ ...headers, 'content-security-policy': "frame-ancestors 'none'" });
  const pass = (req: FastifyRequest, reply: FastifyReply): void => {
    reply.hijack();
    for (const [name, value] of set) reply.raw.setHeader(name, value);
    const raw = req.raw as IncomingMessage & { originalUrl?: string };
    const url = raw.url ?? '/';
    raw.originalUrl = url;
    raw.url = url.slice(OIDC_PREFIX.length) || '/';
    handler()(raw, reply.raw);
  };
  app.all('/', pass);
  app.all('/*', pass);
}
