import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type HTTPMethods } from 'fastify';
import { randomUUID, createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { MimtrustError, asMimtrustError, toProblem } from '../errors/index.js';
import type { AuditLog } from '../audit/index.js';
import type { Config } from '../config/index.js';
import type { RequestContext } from './context.js';
import type { Step } from './steps.js';
import { auditEventOf } from './audit-event.js';
import { securityHeaders } from './security-headers.js';

/** A route and the steps that handle it; the last step leaves `ctx.response`. */
export interface RouteSpec {
  method: HTTPMethods | HTTPMethods[];
  url: string;
  steps: readonly Step[];
}

export interface ServerDeps {
  config: Config;
  tls: { cert: string; key: string; ca?: string } | undefined;
  routes: readonly RouteSpec[];
  audit: AuditLog;
  log: { warn(msg: string): void; error(obj: unknown, msg: string): void };
}

const JSON_TYPES = ['application/json', 'application/ld+json', 'application/merge-patch+json', 'application/geo+json'];
const PROBLEM_JSON = 'application/json';

/**
 * The HTTPS front: fastify with security headers, strict body handling, and routes that
 * each run the request through their list of steps. Every outcome (permit, deny, error) is audited, and a
 * response leaves only after its audit record is durable.
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const { config } = deps;
  const app = Fastify({
    // mimtrust logs through its own logger; per-request logging would cost on every call.
    logger: false,
    https: deps.tls
      ? {
          cert: deps.tls.cert,
          key: deps.tls.key,
          minVersion: config.tls.minVersion,
          ...(deps.tls.ca ? { ca: deps.tls.ca, requestCert: true, rejectUnauthorized: config.tls.requireClientCert } : {}),
        }
      : null,
    bodyLimit: config.limits.bodyBytes,
    requestTimeout: config.limits.requestTimeoutMs,
    keepAliveTimeout: config.limits.keepAliveTimeoutMs,
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    routerOptions: { maxParamLength: 2048 },
    // Malformed URLs are refused by the router before any route runs; answer those as ProblemDetails too.
    frameworkErrors: (error, req, reply) => {
      const e = new MimtrustError('BAD_REQUEST', 'The request URL is malformed.', { reason: error.code === 'FST_ERR_BAD_URL' ? 'path_not_canonical' : 'malformed_request' });
      void sendProblem(reply, newContext(req), e);
    },
  }) as unknown as FastifyInstance;
  app.server.headersTimeout = config.limits.headersTimeoutMs;

  const security = securityHeaders(deps.tls !== undefined);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('*', (_req, _payload, done) => {
    done(new MimtrustError('UNSUPPORTED_MEDIA_TYPE', 'Request bodies must be application/json or application/ld+json.', { reason: 'unsupported_media_type' }), undefined);
  });

  const certThumbprints = new WeakMap<TLSSocket, string | null>();
  const thumbprintOf = (socket: TLSSocket): string | undefined => {
    let t = certThumbprints.get(socket);
    if (t === undefined) {
      const cert = socket.authorized ? socket.getPeerCertificate() : undefined;
      t = cert && cert.raw ? createHash('sha256').update(cert.raw).digest('base64url') : null;
      certThumbprints.set(socket, t);
    }
    return t ?? undefined;
  };

  const newContext = (req: FastifyRequest): RequestContext => {
    const socket = req.raw.socket as TLSSocket;
    const ctx: RequestContext = {
      requestId: req.id,
      decisionId: req.id,
      startedAt: Date.now(),
      t0: performance.now(),
      raw: { method: req.raw.method ?? 'GET', url: req.raw.url ?? '/', headers: req.headers },
      rawBody: Buffer.isBuffer(req.body) ? req.body : undefined,
      params: (req.params ?? {}) as Record<string, string>,
      clientIp: req.ip,
      tls: deps.tls !== undefined,
      reason: 'pending',
      rules: [],
    };
    if (deps.tls?.ca) {
      const t = thumbprintOf(socket);
      if (t) ctx.certThumbprint = t;
    }
    return ctx;
  };

  const sendProblem = async (reply: FastifyReply, ctx: RequestContext, err: MimtrustError): Promise<void> => {
    ctx.reason = err.reason;
    try {
      await deps.audit.append(auditEventOf(ctx, 'deny'));
    } catch (auditErr) {
      deps.log.error(auditErr, 'audit write failed for a denied request');
    }
    void reply
      .code(err.status)
      .headers(security)
      .headers(err.headers)
      .header('content-type', PROBLEM_JSON)
      .send(JSON.stringify(toProblem(err, { requestId: ctx.requestId, decisionId: ctx.decisionId })));
  };

  app.get('/health', async (_req, reply) => {
    void reply.headers(security).header('cache-control', 'no-store').send({ status: 'ok' });
  });

  const handlerFor = (steps: readonly Step[]) => async (req: FastifyRequest, reply: FastifyReply) => {
    const ctx = newContext(req);
    try {
      for (const step of steps) await step(ctx);
      const res = ctx.response;
      if (!res) throw new MimtrustError('INTERNAL', 'The request could not be processed.', { reason: 'no_response' });
      // Nothing lost: the response leaves only once its audit record is durable.
      try {
        await deps.audit.append(auditEventOf(ctx, 'permit'));
      } catch (auditErr) {
        deps.log.error(auditErr, 'audit write failed; withholding the response');
        throw new MimtrustError('SERVICE_UNAVAILABLE', 'The audit log is unavailable; the request was not completed.', { reason: 'audit_unavailable' });
      }
      void reply.code(res.status).headers(security).headers(res.headers).send(res.body);
    } catch (err) {
      const e = asMimtrustError(err);
      if (e.code === 'INTERNAL') deps.log.error(err, 'request failed');
      await sendProblem(reply, ctx, e);
    }
    return reply;
  };
  for (const r of deps.routes) app.route({ method: r.method, url: r.url, handler: handlerFor(r.steps) });

  // Errors raised by fastify itself (body too large, unsupported content type, malformed URL).
  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, req, reply) => {
    const ctx = newContext(req);
    let e: MimtrustError;
    if (error instanceof MimtrustError) e = error;
    else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = new MimtrustError('PAYLOAD_TOO_LARGE', `The request body exceeds ${config.limits.bodyBytes} bytes.`, { reason: 'body_too_large' });
    else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') e = new MimtrustError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported request media type.', { reason: 'unsupported_media_type' });
    else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) e = new MimtrustError('BAD_REQUEST', 'The request is malformed.', { reason: 'malformed_request' });
    else e = asMimtrustError(error);
    await sendProblem(reply, ctx, e);
    return reply;
  });

  app.setNotFoundHandler(async (req, reply) => {
    await sendProblem(reply, newContext(req), new MimtrustError('NOT_FOUND', 'No such resource.', { reason: 'unknown_path' }));
    return reply;
  });

  return app;
}
