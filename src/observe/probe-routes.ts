import type { FastifyInstance } from 'fastify';
import { MimtrustError, toProblem } from '../errors/index.js';
import type { Readiness } from './readiness.js';
import type { VersionInfo } from './version.js';

/** The routes orchestrators ask every few seconds: their access lines are logged at debug. */
export const PROBE_ROUTES: ReadonlySet<string> = new Set(['/health', '/ready']);

export interface ProbeDeps {
  /** Headers on every response (security headers). */
  headers: Record<string, string>;
  readiness: Readiness;
  version: VersionInfo;
}

/**
 * /health (the process answers), /ready (it can serve: broker, store, contracts, roles)
 * and /version. They decide nothing about data, so they are neither audited nor counted
 * as decisions; /ready names what is not ready, never why in detail (no addresses, no
 * error text).
 */
export function probeRoutes(deps: ProbeDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/health', async (_req, reply) => {
      void reply.headers(deps.headers).header('cache-control', 'no-store').send({ status: 'ok' });
    });
    app.get('/ready', async (req, reply) => {
      const { ready, checks } = await deps.readiness.report();
      void reply.headers(deps.headers).header('cache-control', 'no-store');
      if (ready) return reply.send({ status: 'ready', checks });
      const failing = Object.keys(checks).filter((k) => checks[k] !== 'ok');
      const e = new MimtrustError('SERVICE_UNAVAILABLE', `Not ready: ${failing.join(', ')}.`, { reason: 'not_ready', extensions: { reason: 'not_ready', checks } });
      return reply.code(e.status).header('content-type', 'application/json').send(JSON.stringify(toProblem(e, { requestId: req.id })));
    });
    app.get('/version', async (_req, reply) => {
      void reply.headers(deps.headers).header('cache-control', 'no-store').send(deps.version);
    });
  };
}
