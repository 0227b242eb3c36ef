/**
 * The decision point over HTTP, for proxies that already sit in the data path (Envoy,
 * APISIX, Kong): they ask, mimtrust answers from the same pipeline front as its own proxy
 * (authenticate, classify, expand, stored-types, decide) and records the decision in the audit log
 * under the id it returns.
 *
 * - `POST /pdp/v1/decisions`: a JSON request in the style of OPA's data API,
 *   `{"input": {"method", "path", "headers", "body"}}` → `{"decision_id", "result"}`.
 * - `/pdp/v1/ext_authz/*`: an Envoy `ext_authz` HTTP authorization service. Envoy sends the
 *   original method, path (after the prefix), headers and body; 200 allows the request and
 *   names the decision in `x-mimtrust-decision-id`; anything else is the refusal Envoy
 *   returns to the client.
 *
 * The other proxy forwards the broker's answer as it is, so a permit that needs the
 * response cut down (attributes, types, area) cannot be fulfilled there and is refused.
 * Sender-constrained tokens: ext_authz checks a DPoP proof against the original request
 * (method, path, the Host Envoy passes on); the decision API never sees the client's
 * request, so a DPoP-bound token in a described request is refused.
 */
import type { FastifyInstance } from 'fastify';
import { MimtrustError } from '../errors/index.js';
import type { TokenVerifier } from '../auth/index.js';
import type { AuditLog } from '../audit/index.js';
import type { ContextResolver } from '../context/index.js';
import { boundedByArea, decisionJson, isFullScope, needsFiltering, type Decision, type DecisionSnapshot } from '../policy/index.js';
import {
  answer, auditPermitted, decisionFront, enforceDecision, exchange, forgetPermitted, pipeline, readJsonBody,
  type Answered, type Decided, type ExchangeDeps, type Received, type StoredTypes, type Trail, type UsageCounting,
} from '../gateway/index.js';
import { readDecisionInput } from './input.js';
import { decisionsSchema, extAuthzSchema } from './schemas.js';
import { describedRoutes } from '../openapi/index.js';

export const PDP_PREFIX = '/pdp/v1';
export const EXT_AUTHZ_PREFIX = `${PDP_PREFIX}/ext_authz`;
export const DECISION_ID_HEADER = 'x-mimtrust-decision-id';

export interface PdpDeps {
  basePath: string;
  verifier: TokenVerifier;
  resolver: ContextResolver | undefined;
  snapshot: () => DecisionSnapshot;
  counters: UsageCounting;
  audit: AuditLog;
  /** Writes are decided on the types the broker holds (asked with the gateway's upstream settings). */
  storedTypes: StoredTypes | undefined;
  forwardAuthorization: boolean;
}

/** Obligations that need nothing of the proxy that forwards the answer. */
const NOTHING_TO_DO: ReadonlySet<string> = new Set(['counters', 'auditLevel', 'view', 'otherTypes']);

/**
 * True when the broker's answer may reach the caller untouched. A view whose every type is
 * readable whole cuts nothing from a query that names its types (the broker returns only
 * those); any other obligation, including one this check does not know, needs filtering.
 */
function forwardableAsIs(d: Decided): boolean {
  const ob = d.decision.obligations;
  if (!needsFiltering(ob)) return true;
  // A type shown only within areas needs every entity placed: only the gateway's filter does.
  if (boundedByArea(ob)) return false;
  for (const key of Object.keys(ob)) if (!NOTHING_TO_DO.has(key) && ob[key as keyof typeof ob] !== undefined) return false;
  if (d.policy.typeUnknown || ob.otherTypes !== undefined) return false;
  for (const scope of ob.view?.values() ?? []) if (!isFullScope(scope)) return false;
  return true;
}

/** A permit the other proxy cannot fulfil, because only mimtrust's own proxy filters responses. */
function onlyWhatIsForwardedAsIs(d: Decided): Decided {
  if (d.decision.effect === 'permit' && !forwardableAsIs(d)) {
    throw new MimtrustError('FORBIDDEN', 'This caller may see only part of this data; ask through the mimtrust gateway, which filters responses.', { reason: 'obligation_not_enforceable' });
  }
  return d;
}

/** The decision front shared by both APIs: the same stages as the proxy's, up to the decision. */
function front(deps: PdpDeps) {
  return decisionFront(deps).then('forget stored types', forgetPermitted(deps.storedTypes));
}

function extAuthz(deps: PdpDeps & ExchangeDeps) {
  return front(deps)
    .then('forwarded as is', onlyWhatIsForwardedAsIs)
    .then('enforce', enforceDecision(deps))
    .then('answer', (d): Answered => answer(d, 200, undefined, { [DECISION_ID_HEADER]: d.decisionId }))
    .then('audit', auditPermitted(deps));
}

/** The described request runs through the front; every outcome, refusal included, is a result. */
function decisions(deps: PdpDeps & ExchangeDeps) {
  const decideDescribed = front(deps)
    .then('forwarded as is', onlyWhatIsForwardedAsIs)
    .then('enforce', enforceDecision(deps));
  return pipeline<Received>()
    .then('read input', async (r): Promise<Answered> => {
      const described = readDecisionInput(readJsonBody(r));
      // The described request is a request of its own, under this exchange's decision id.
      const sim: Trail = {
        ...r,
        raw: described.raw,
        // Neither the client's URL nor its proof reaches this API: a DPoP-bound token is refused.
        origin: undefined,
        rawBody: described.body === undefined ? undefined : Buffer.from(JSON.stringify(described.body)),
      };
      let result: Record<string, unknown>;
      let effect: Decision['effect'] = 'deny';
      try {
        const d = await decideDescribed.run(sim);
        result = { allow: true, ...decisionJson(d.decision) };
        effect = 'permit';
      } catch (err) {
        if (!(err instanceof MimtrustError)) throw err;
        const denied = sim.decision?.effect === 'deny' ? decisionJson(sim.decision) : { reason: err.reason, detail: err.message, status: err.status };
        result = { allow: false, ...denied };
      }
      // The audit record describes the request that was decided, not the API call.
      Object.assign(r, { token: sim.token, binding: sim.binding, ngsi: sim.ngsi, decision: sim.decision });
      r.auditAs = { operation: 'pdp.decision', action: sim.ngsi?.action ?? 'unknown', targets: { entityIds: [], types: [], attrs: [] } };
      const done = answer(r, 200, { decision_id: r.decisionId, result });
      done.outcome = effect === 'permit' ? 'permitted' : String(result.reason);
      return done;
    })
    .then('audit', auditPermitted(deps));
}

export function pdpPlugin(deps: PdpDeps & ExchangeDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    describedRoutes(app);
    app.post(`${PDP_PREFIX}/decisions`, { schema: decisionsSchema }, exchange(decisions(deps), deps));
    const check = extAuthz(deps);
    // Envoy appends the original path to the prefix; the stages see the original request.
    const strip = (r: Received): Received => {
      r.raw = { ...r.raw, url: r.raw.url.slice(EXT_AUTHZ_PREFIX.length) || '/' };
      return r;
    };
    const run = exchange(pipeline<Received>().then('original request', strip).then('check', (r) => check.run(r)), deps);
    app.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
      url: `${EXT_AUTHZ_PREFIX}/*`,
      schema: extAuthzSchema,
      // OpenAPI names a path parameter; fastify's wildcard has none.
      config: { swaggerTransform: ({ schema, url }: { schema: object; url: string }) => ({ schema, url: url.replace(/\*$/, '{path}') }) },
      handler: run,
    });
  };
}
