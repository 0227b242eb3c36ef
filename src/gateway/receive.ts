import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { Received, Trail } from './exchange.js';
import { withRepeatedAuthorization } from './request-headers.js';
import { BoundedMemo } from '../lib/index.js';

export interface ReceiveOptions {
  tls: boolean;
  /** mTLS is configured: read the client certificate's thumbprint. */
  clientCerts: boolean;
}

/** The exchange of each request, for whatever reports on it once the response has left. */
const trails = new WeakMap<FastifyRequest, Received>();

/** What the exchange of a request gathered (undefined for routes outside any exchange, e.g. /health). */
export function trailOf(req: FastifyRequest): Trail | undefined {
  return trails.get(req);
}

/** `scheme://host[:port]`; undefined when the Host carries anything beyond host and port. */
function originFrom(protocol: string, host: string): string | undefined {
  const parsed = URL.parse(`${protocol}://${host}`);
  if (parsed === null || parsed.pathname !== '/' || parsed.search !== '' || parsed.username !== '' || parsed.password !== '') return undefined;
  return parsed.origin;
}

/** Origins already read, per `protocol://host` as sent; the Host is the caller's, so the map is bounded. */
const MAX_REMEMBERED_ORIGINS = 256;

/**
 * The origin of each request as fastify reads it (honouring trustProxy); undefined without
 * a usable Host. Clients send the same Host request after request, and parsing it as a URL
 * costs more than the rest of receiving a request, so each is parsed once.
 */
function originReader(): (req: FastifyRequest) => string | undefined {
  const known = new BoundedMemo<string, string | null>(MAX_REMEMBERED_ORIGINS);
  return (req) => {
    const host = req.host;
    if (typeof host !== 'string' || host === '') return undefined;
    const protocol = req.protocol;
    return known.remember(`${protocol}://${host}`, () => originFrom(protocol, host) ?? null) ?? undefined;
  };
}

/** The start of every exchange: ids, clocks, the raw request and who is at the other end. */
export function receiver(opts: ReceiveOptions): (req: FastifyRequest) => Received {
  // One thumbprint per connection, not per request.
  const thumbprints = new WeakMap<TLSSocket, string | null>();
  const thumbprintOf = (socket: TLSSocket): string | undefined => {
    let t = thumbprints.get(socket);
    if (t === undefined) {
      const cert = socket.authorized ? socket.getPeerCertificate() : undefined;
      t = cert && cert.raw ? createHash('sha256').update(cert.raw).digest('base64url') : null;
      thumbprints.set(socket, t);
    }
    return t ?? undefined;
  };
  const originOf = originReader();
  return (req) => {
    const received: Received = {
      requestId: req.id,
      decisionId: req.id,
      startedAt: Date.now(),
      t0: performance.now(),
      raw: { method: req.raw.method ?? 'GET', url: req.raw.url ?? '/', headers: withRepeatedAuthorization(req.headers, req.raw.rawHeaders) },
      rawBody: Buffer.isBuffer(req.body) ? req.body : undefined,
      params: (req.params ?? {}) as Record<string, string>,
      clientIp: req.ip,
      tls: opts.tls,
      certThumbprint: opts.clientCerts ? thumbprintOf(req.raw.socket as TLSSocket) : undefined,
      origin: originOf(req),
    };
    trails.set(req, received);
    return received;
  };
}
