import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { MimtrustError, asMimtrustError } from '../errors/index.js';
import type { Config } from '../config/index.js';
import { sendProblem, type ExchangeDeps } from '../gateway/index.js';
import { compileBasePath } from '../ngsi/index.js';
import { observeResponses, type GatewayMetrics, type Logger } from '../observe/index.js';
import { guardConnections } from './connection-guard.js';
import { httpRefusals } from './http-refusals.js';
import { lazyRequestLogger } from './request-logger.js';
import { secureContextOptions, type TlsMaterial } from './tls.js';

export interface ServerOptions {
  config: Config;
  tls: TlsMaterial | undefined;
  log: Logger;
  metrics: GatewayMetrics;
}

const JSON_TYPES = ['application/json', 'application/ld+json', 'application/merge-patch+json', 'application/geo+json'];

/**
 * The HTTPS front shared by every role: TLS, limits, strict body handling, and one place
 * where anything refused before a route runs (malformed URL, body too large, unknown
 * media type, unknown path) becomes an audited ProblemDetails answer, and where every
 * response leaves one access line. Roles (the NGSI-LD proxy, admin, decision API, probes)
 * are plugins registered on it.
 */
export function createServer(opts: ServerOptions, exchange: () => ExchangeDeps): FastifyInstance {
  const { config } = opts;
  const app = Fastify({
    loggerInstance: opts.log,
    // One access line per request (observe/) instead of fastify's two, which show the query string.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyRequestLogger,
    https: opts.tls
      ? {
          ...secureContextOptions(config, opts.tls),
          handshakeTimeout: config.limits.handshakeTimeoutMs,
          ...(opts.tls.ca ? { requestCert: true, rejectUnauthorized: config.tls.requireClientCert } : {}),
        }
      : null,
    bodyLimit: config.limits.bodyBytes,
    requestTimeout: config.limits.requestTimeoutMs,
    keepAliveTimeout: config.limits.keepAliveTimeoutMs,
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    routerOptions: { maxParamLength: 2048 },
    clientErrorHandler: httpRefusals(exchange, opts.tls !== undefined),
    // Malformed URLs are refused by the router before any route runs; answer those as ProblemDetails too.
    frameworkErrors: (error, req, reply) => {
      const e = new MimtrustError('BAD_REQUEST', 'The request URL is malformed.', { reason: error.code === 'FST_ERR_BAD_URL' ? 'path_not_canonical' : 'malformed_request' });
      const x = exchange();
      void sendProblem(x, reply, x.receive(req), e);
    },
  }) as unknown as FastifyInstance;
  app.server.headersTimeout = config.limits.headersTimeoutMs;
  guardConnections(app.server, {
    maxConnections: config.limits.maxConnections,
    maxPendingPerAddress: config.limits.maxPendingConnectionsPerAddress,
  });

  app.removeAllContentTypeParsers();
  // Bodies are kept as bytes here and parsed only after the caller is authenticated.
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('*', (_req, _payload, done) => {
    done(new MimtrustError('UNSUPPORTED_MEDIA_TYPE', 'Request bodies must be application/json or application/ld+json.', { reason: 'unsupported_media_type' }), undefined);
  });

  observeResponses(app, { log: opts.log, metrics: opts.metrics, basePath: compileBasePath(config.upstream.basePath) });

  // Errors raised by fastify itself (body too large, unsupported content type).
  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, req, reply) => {
    let e: MimtrustError;
    if (error instanceof MimtrustError) e = error;
    else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = new MimtrustError('PAYLOAD_TOO_LARGE', `The request body exceeds ${config.limits.bodyBytes} bytes.`, { reason: 'body_too_large' });
    else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') e = new MimtrustError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported request media type.', { reason: 'unsupported_media_type' });
    else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) e = new MimtrustError('BAD_REQUEST', 'The request is malformed.', { reason: 'malformed_request' });
    else e = asMimtrustError(error);
    const x = exchange();
    await sendProblem(x, reply, x.receive(req), e);
    return reply;
  });

  app.setNotFoundHandler(async (req, reply) => {
    const x = exchange();
    await sendProblem(x, reply, x.receive(req), new MimtrustError('NOT_FOUND', 'No such resource.', { reason: 'unknown_path' }));
    return reply;
  });

  return app;
}
