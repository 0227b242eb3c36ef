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

/** Hands every request under the prefix that no other route of the scope takes to `handler`. */
export function mountProvider(app: FastifyInstance, handler: () => NodeHandler): void {
  const pass = (req: FastifyRequest, reply: FastifyReply): void => {
    reply.hijack();
    const raw = req.raw as IncomingMessage & { originalUrl?: string };
    const url = raw.url ?? '/';
    raw.originalUrl = url;
    raw.url = url.slice(OIDC_PREFIX.length) || '/';
    handler()(raw, reply.raw);
  };
  app.all('/', pass);
  app.all('/*', pass);
}
