/**
 * oidc-provider mounted on the gateway's fastify server under /oidc. Fastify routes hand
 * the raw request to oidc-provider's node handler untouched: no body parser runs first
 * (oidc-provider reads the body itself), and the URL is given without the prefix while
 * `originalUrl` keeps it, which is how oidc-provider learns where it is mounted.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBounded } from '../lib/index.js';
import { AS_METADATA_WELL_KNOWN, OIDC_PREFIX } from './constants.js';

/** oidc-provider's own bound on a request body. */
const MAX_FORM_BYTES = 56 * 1024;

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
export function mountProvider(app: FastifyInstance, handler: () => NodeHandler, headers: Readonly<Record<string, string>> = {}, rewriteTokenForm?: TokenFormRewrite): void {
  const pass = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const raw = handOver(req, reply, headers);
    const url = raw.url ?? '/';
    raw.originalUrl = url;
    raw.url = url.slice(OIDC_PREFIX.length) || '/';
    if (rewriteTokenForm !== undefined && isTokenForm(raw) && !(await rewritten(raw, rewriteTokenForm))) {
      reply.raw.writeHead(413, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ error: 'invalid_request', error_description: 'The request body is too large.' }));
      return;
    }
    handler()(raw, reply.raw);
  };
  app.all('/', pass);
  app.all('/*', pass);
}

/**
 * The authorization server metadata at the RFC 8414 well-known URI of the issuer's
 * identifier as well: `/.well-known/oauth-authorization-server/oidc` for `https://host/oidc`,
 * where a wallet following OID4VCI looks for it. oidc-provider serves the same document
 * under its mount (`/oidc/.well-known/oauth-authorization-server`); this hands it the
 * request as if it had come there, so every URL in the document is the same.
 */
export function mountMetadataAlias(app: FastifyInstance, handler: () => NodeHandler, issuer: string, headers: Readonly<Record<string, string>> = {}): void {
  const path = `${AS_METADATA_WELL_KNOWN}${new URL(issuer).pathname.replace(/\/+$/, '')}`;
  app.get(path, async (req, reply) => {
    const raw = handOver(req, reply, headers);
    raw.originalUrl = `${OIDC_PREFIX}${AS_METADATA_WELL_KNOWN}`;
    raw.url = AS_METADATA_WELL_KNOWN;
    handler()(raw, reply.raw);
  });
}

/** Takes the request from fastify for oidc-provider, with the gateway's security headers set (framing forbidden). */
function handOver(req: FastifyRequest, reply: FastifyReply, headers: Readonly<Record<string, string>>): IncomingMessage & { originalUrl?: string } {
  reply.hijack();
  for (const [name, value] of Object.entries({ ...headers, 'content-security-policy': "frame-ancestors 'none'" })) reply.raw.setHeader(name, value);
  return req.raw;
}

/** A token request's form body as the issuer is to read it; undefined: as it came. */
export type TokenFormRewrite = (form: string) => string | undefined;

function isTokenForm(raw: IncomingMessage): boolean {
  return raw.method === 'POST' && (raw.url ?? '').split('?')[0] === '/token'
    && (raw.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/**
 * Reads the token request's body and hands oidc-provider the rewritten one in its place:
 * oidc-provider reads a body with `req.iterator()` while `req.readable`, so both are set on
 * this request to give the new bytes. False when the body is over oidc-provider's bound.
 */
async function rewritten(raw: IncomingMessage, rewrite: TokenFormRewrite): Promise<boolean> {
  const body = await readBounded(raw, MAX_FORM_BYTES);
  if (body === undefined) return false;
  const changed = rewrite(body.toString('utf8'));
  // The rewritten request is the public client's: a wallet's own client authentication would contradict it.
  if (changed !== undefined) delete raw.headers.authorization;
  const bytes = changed === undefined ? body : Buffer.from(changed);
  raw.headers['content-length'] = String(bytes.length);
  delete raw.headers['transfer-encoding'];
  Object.defineProperty(raw, 'readable', { value: true, configurable: true });
  Object.defineProperty(raw, 'iterator', { value: async function* replay() { yield bytes; }, configurable: true });
  return true;
}
