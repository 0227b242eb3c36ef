/**
 * Running the gateway like infrastructure: what it tells operators and orchestrators.
 * - `logger.ts`: the logger (pino, shared with fastify): JSON lines, or readable lines on a
 *   terminal (`pretty-line.ts`); credentials are removed from anything logged.
 * - `access-line.ts`, `route-template.ts`: the one line per request, with the route's
 *   template instead of its path and nothing the caller sent; `observe-responses.ts` logs
 *   it and counts the decision once the response has left.
 * - `metrics.ts`, `metrics-listener.ts`: Prometheus metrics in a registry per gateway,
 *   served on a separate loopback listener; `cluster-metrics.ts`: one scrape for all the
 *   worker processes of a gateway (the primary sums what each worker answers).
 * - `readiness.ts`, `probe-routes.ts`, `version.ts`: /health, /ready (named checks, cached
 *   so they cannot be used to hammer the broker) and /version.
 */
export { createLogger } from './logger.js';
export type { Logger, DestinationStream, LogSettings } from './logger.js';
export { prettyLine } from './pretty-line.js';
export { accessLine, UNCLASSIFIED } from './access-line.js';
export type { AccessLine, ResponseFacts } from './access-line.js';
export { routeTemplate, operationOf, UNMATCHED } from './route-template.js';
export { observeResponses } from './observe-responses.js';
export { GatewayMetrics } from './metrics.js';
export { listenMetrics } from './metrics-listener.js';
export type { MetricsListener, MetricsSource } from './metrics-listener.js';
export { answerPrimaryMetrics, workersMetrics } from './cluster-metrics.js';
export { Readiness } from './readiness.js';
export type { ReadinessCheck, ReadinessReport } from './readiness.js';
export { probeRoutes, PROBE_ROUTES } from './probe-routes.js';
export { versionInfo } from './version.js';
export type { VersionInfo } from './version.js';
export { brokerAnswers, storeWritable } from './ready-checks.js';
