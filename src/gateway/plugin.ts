import type { FastifyInstance } from 'fastify';
import { exchange, type ExchangeDeps } from './handler.js';
import { proxyPipeline, type ProxyDeps } from './proxy.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** The NGSI-LD reverse proxy as a fastify plugin: every path not taken by another plugin. */
export function proxyPlugin(deps: ProxyDeps & ExchangeDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.route({ method: [...METHODS], url: '/*', handler: exchange(proxyPipeline(deps), deps) });
  };
}
