/**
 * The NGSI-LD request path, in order. Reading this list is reading the protocol: who is
 * calling, what the request touches, what its names mean, whether it may happen, what the
 * broker is asked, the record of the decision before it takes effect (a read's while the
 * broker answers), what comes back, and the record of the outcome. Each stage is a module of
 * `stages/`; the types in `exchange.ts` say what each hands to the next.
 */
import type { AuditLog } from '../audit/index.js';
import type { TokenVerifier } from '../auth/index.js';
import type { ContextResolver } from '../context/index.js';
import type { DecisionSnapshot } from '../policy/index.js';
import type { Answered, Received } from './exchange.js';
import type { Pipeline } from './pipeline.js';
import type { Upstream } from './upstream.js';
import type { UsageCounting } from './usage-counters.js';
import { decisionFront } from './front.js';
import type { ConsentLookup } from './stages/consents.js';
import { forgetWritten } from './stages/stored-types.js';
import type { StoredTypes } from './stored-types.js';
import { checkEnforceable, countUsage } from './stages/enforce.js';
import { planForward } from './stages/plan.js';
import { forward } from './stages/forward.js';
import { filterByDecision } from './stages/filter.js';
import { refuseInexactCount } from './stages/count.js';
import { uniformNotFound } from './stages/not-found.js';
import { auditOutcome, recordBeforeEffect } from './stages/audit.js';
import { ownSubscriptions, showSubscriptions, type SubscriptionStageDeps } from './subscription-stages.js';

export interface ProxyDeps {
  basePath: string;
  verifier: TokenVerifier;
  /** Undefined when contracts are not enforced. */
  resolver: ContextResolver | undefined;
  snapshot: () => DecisionSnapshot;
  counters: UsageCounting;
  upstream: Upstream;
  forwardAuthorization: boolean;
  audit: AuditLog;
  log: { error(obj: unknown, msg: string): void };
  /** What the broker holds, asked before a write is decided; undefined when contracts are not enforced. */
  storedTypes: StoredTypes | undefined;
  /** Owned and relayed subscriptions (subscriptions/). */
  subscriptions: SubscriptionStageDeps;
  /** `limits.maxGeometryPoints`: the largest geometry checked against a spatial constraint. */
  maxGeometryPoints: number;
  /** The consents tokens rest on (src/consent). */
  consents?: ConsentLookup | undefined;
}

export function proxyPipeline(d: ProxyDeps): Pipeline<Received, Answered> {
  // authenticate → recipient → consents → classify → expand → stored-types → decide (front.ts), then:
  return decisionFront(d)
    .then('enforce', (r) => { checkEnforceable(r); return r; })
    .then('plan', planForward())
    .then('count', refuseInexactCount())
    // Counted after every check that refuses on the request's own terms (a refused count=true costs nothing).
    .then('use', countUsage(d))
    .then('own', ownSubscriptions(d.subscriptions))
    .then('record', recordBeforeEffect(d))
    .then('forward', forgetWritten(d.storedTypes, forward(d)))
    .then('not-found', uniformNotFound())
    .then('filter', filterByDecision({ upstreamOrigin: d.upstream.origin, maxGeometryPoints: d.maxGeometryPoints }))
    .then('show', showSubscriptions(d.subscriptions))
    .then('audit', auditOutcome(d));
}
