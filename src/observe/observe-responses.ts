import type { FastifyInstance } from 'fastify';
import type { BasePath } from '../ngsi/index.js';
import { trailOf } from '../gateway/index.js';
import { accessLine } from './access-line.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import { PROBE_ROUTES } from './probe-routes.js';

export interface ObserveDeps {
  log: Logger;
  metrics: GatewayMetrics;
  basePath: BasePath;
}

/**
 * Once a response has left: one access line, and the decision counted. Probes are logged
 * at debug, so an orchestrator asking every few seconds does not drown the log.
 */
export function observeResponses(app: FastifyInstance, deps: ObserveDeps): void {
  app.addHook('onResponse', async (req, reply) => {
    const trail = trailOf(req);
    const fastifyRoute = req.routeOptions.url;
    const line = accessLine({ method: req.method, url: req.url, fastifyRoute, status: reply.statusCode, elapsedMs: reply.elapsedTime }, trail, deps.basePath);
    if (line.operation !== undefined) deps.metrics.decided(line.operation, line.effect ?? 'unknown', line.reason ?? 'unknown', reply.elapsedTime / 1000);
    const probe = fastifyRoute !== undefined && PROBE_ROUTES.has(fastifyRoute);
    deps.log[probe ? 'debug' : 'info'](line, `${line.method} ${line.route} ${line.status}`);
  });
}
