/**
 * The gateway's Prometheus metrics, in a registry of its own per gateway (several gateways
 * in one process, as in tests, never share counters). Every label has a bounded set of
 * values: operations, effects and reasons come from the code, issuers from the
 * configuration, never ids or paths.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JwksFetchOutcome } from '../auth/index.js';
import type { UpstreamObserver } from '../gateway/index.js';
import { RequestTally } from './request-tally.js';

/** Seconds: a cached decision answers in well under a millisecond, a slow broker in seconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const FSYNC_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: RequestTally;
  private readonly upstreamSeconds: Histogram;
  private readonly upstreamErrors: Counter<'kind'>;
  private readonly jwksFetches: Counter<'issuer' | 'outcome'>;
  private readonly fsyncSeconds: Histogram;
  private auditPending: () => number = () => 0;
  private contractRevision: (() => number) | undefined;

  constructor() {
    const registers = [this.registry];
    // Counted on every request: kept in plain cells and handed to prom-client when scraped.
    this.requests = new RequestTally({
      registry: this.registry,
      counter: { name: 'mimtrust_requests_total', help: 'Requests decided, by operation, effect and reason.' },
      histogram: { name: 'mimtrust_request_duration_seconds', help: 'Time from a request\'s arrival to the end of its response.', buckets: LATENCY_BUCKETS },
    });
    this.upstreamSeconds = new Histogram({
      name: 'mimtrust_upstream_duration_seconds', help: 'Round trips to the broker, response body included.',
      buckets: LATENCY_BUCKETS, registers,
    });
    this.upstreamErrors = new Counter({
      name: 'mimtrust_upstream_errors_total', help: 'Broker round trips that failed, by kind (a refusal reason, or server_error for a 5xx answer).',
      labelNames: ['kind'], registers,
    });
    this.jwksFetches = new Counter({
      name: 'mimtrust_jwks_fetches_total', help: 'Key set fetches per token issuer, by outcome (ok, failed, held_back).',
      labelNames: ['issuer', 'outcome'], registers,
    });
    this.fsyncSeconds = new Histogram({
      name: 'mimtrust_audit_fsync_duration_seconds', help: 'Time each flush of the audit log to disk (fdatasync) took.',
      buckets: FSYNC_BUCKETS, registers,
    });
    // Read when scraped, not kept up to date on the request path.
    const read = { pending: () => this.auditPending(), revision: () => this.contractRevision?.() };
    new Gauge({
      name: 'mimtrust_audit_pending', help: 'Audit records appended and not yet on disk: requests waiting for their record.', registers,
      collect() { this.set(read.pending()); },
    });
    new Gauge({
      name: 'mimtrust_contracts_revision', help: 'Revision of the contract set in force (it grows with every reload).', registers,
      collect() { const r = read.revision(); if (r !== undefined) this.set(r); },
    });
  }

  /** One request with its decision; `seconds` from arrival to the end of the response. */
  decided(operation: string, effect: string, reason: string, seconds: number): void {
    this.requests.add(operation, effect, reason, seconds);
  }

  readonly upstream: UpstreamObserver = {
    roundTrip: (seconds, failure) => {
      this.upstreamSeconds.observe(seconds);
      if (failure !== undefined) this.upstreamErrors.inc({ kind: failure });
    },
  };

  readonly jwksFetched = (issuer: string, outcome: JwksFetchOutcome): void => {
    this.jwksFetches.inc({ issuer, outcome });
  };

  readonly auditSynced = (seconds: number): void => {
    this.fsyncSeconds.observe(seconds);
  };

  /** Where the audit queue depth and the contract revision are read when scraped. */
  watch(sources: { auditPending: () => number; contractRevision?: (() => number) | undefined }): void {
    this.auditPending = sources.auditPending;
    this.contractRevision = sources.contractRevision;
  }

  /** Node.js process metrics (CPU, memory, event loop lag), only for a gateway that is scraped. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry });
  }
}
