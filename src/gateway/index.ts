/**
 * The policy enforcement point: an HTTPS reverse proxy in front of an NGSI-LD broker.
 * `proxy.ts` lists the request path as named stages (authenticate, recipient, consents, classify, expand,
 * stored-types, decide, enforce, plan, forward, filter, audit), each in `stages/`, with the typed
 * hand-offs of `exchange.ts`. `handler.ts` runs a pipeline for one HTTP exchange and
 * audits every refusal (`open-exchanges.ts` counts those under way, so a closing gateway
 * lets them finish before its audit log closes); `plugin.ts` mounts the proxy on a fastify server. `front.ts` is
 * the path up to the decision, which the decision point over HTTP (pdp/) runs as it is;
 * the stages are exported for the admin dry run, which runs part of it.
 */
export { proxyPlugin } from './plugin.js';
export { proxyPipeline } from './proxy.js';
export type { ProxyDeps } from './proxy.js';
export { pipeline } from './pipeline.js';
export { decisionFront } from './front.js';
export type { FrontDeps } from './front.js';
export type { Pipeline, Stage } from './pipeline.js';
export { exchange, sendProblem, answer } from './handler.js';
export type { ExchangeDeps } from './handler.js';
export { OpenExchanges } from './open-exchanges.js';
export { receiver, trailOf } from './receive.js';
export type { Received, Authenticated, Classified, Expanded, Decided, Planned, Forwarded, Answered, Trail, Reply, AuditSubject, ForwardPlan, Verdict } from './exchange.js';
export { extend } from './exchange.js';
export { authenticate, checkSenderConstraint } from './stages/authenticate.js';
export { classifyRequest, readJsonBody } from './stages/classify.js';
export { expandNames } from './stages/expand.js';
export { decideRequest, refusal } from './stages/decide.js';
export { lookUpConsents } from './stages/consents.js';
export type { ConsentLookup } from './stages/consents.js';
export { enforceDecision, checkEnforceable } from './stages/enforce.js';
export { auditPermitted, auditOutcome, auditEventOf, recordBeforeEffect, recordDecision } from './stages/audit.js';
export type { AuditDeps } from './stages/audit.js';
export { Upstream } from './upstream.js';
export type { UpstreamObserver } from './upstream.js';
export { StoredTypes } from './stored-types.js';
export { decideOnStoredTypes, forgetPermitted } from './stages/stored-types.js';
export { UsageCounters, CountCopy, countExceeded, countersFull } from './usage-counters.js';
export type { UsageCounting, CountOutcome } from './usage-counters.js';
export { securityHeaders } from './security-headers.js';
export { RELAY_PATH, relayPlugin, relayPipeline, ownSubscriptions, showSubscriptions } from './subscription-stages.js';
export type { SubscriptionStageDeps } from './subscription-stages.js';
export { bodyValidator, describedRequestSchema, rawOf } from './described-request.js';
export type { DescribedRequest } from './described-request.js';
