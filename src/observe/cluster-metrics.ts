/**
 * Metrics of a gateway running in several worker processes, scraped once: the primary
 * asks every worker for its registry over the cluster channel and serves their sum
 * (prom-client's AggregatorRegistry); each worker answers with its own registry.
 */
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsSource } from './metrics-listener.js';

/** In the primary: what its metrics listener serves. */
export function workersMetrics(): MetricsSource {
  const aggregate = new AggregatorRegistry();
  return { contentType: aggregate.contentType, metrics: () => aggregate.clusterMetrics() };
}

/** In a worker: answer the primary's requests with this registry. */
export function answerPrimaryMetrics(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one is what installs the worker's side of the exchange.
  new AggregatorRegistry();
}
