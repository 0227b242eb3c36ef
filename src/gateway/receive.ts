import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { Received, Trail } from './exchange.js';
import { withRepeatedAuthorization } from './request-headers.js';

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

/** `scheme://host[:port]` as fastify reads it (honouring trustProxy); undefined without a usable Host. */
function originOf(req: FastifyRequest): string | undefined {
  const host = req.host;
  if (typeof host !== 'string' || host === '') return undefined;
  const parsed = URL.parse(`${req.protocol}://${host}`);
  // A Host carrying anything beyond host and port names no origin.
  if (parsed === null || parsed.pathname !== '/' || parsed.search !== '' || parsed.username !== '' || parsed.password !== '') return undefined;
  return parsed.origin;
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
