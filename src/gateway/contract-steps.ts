/**
 * The steps that enforce usage contracts: expand every name the request touches with
 * the caller's @context, ask the pure decide(), narrow the upstream query where the API
 * allows it, and cut the response down to what the decision permits.
 */
import { MimtrustError } from '../errors/index.js';
import { canonicalSearch, type Operation } from '../ngsi/index.js';
import type { ContextResolver } from '../context/index.js';
import type { PolicySnapshot } from '../contracts/index.js';
import { decide, purposeIri, isFullScope, FULL_SCOPE, type AttributeScope, type Decision, type Obligations, type PolicyRequest } from '../policy/index.js';
import { filterResponse } from '../filter/index.js';
import type { Step } from './steps.js';
import type { RequestContext } from './context.js';
import type { UsageCounters } from './usage-counters.js';

export interface ContractDeps {
  resolver: ContextResolver;
  snapshot: () => PolicySnapshot;
  counters: UsageCounters;
}

/**
 * Operations governed by roles alone: they carry no entity data (broker information,
 * hosted @contexts) or administer the broker (context source registrations and their
 * subscriptions). Everything else is decided by contracts.
 */
const ROLES_ONLY_PREFIXES = ['csource.', 'csourceSubscription.', 'jsonldContexts.', 'info.'];
export function governedByContracts(op: Operation): boolean {
  for (const p of ROLES_ONLY_PREFIXES) if (op.startsWith(p)) return false;
  return true;
}

/** Queries whose type list the gateway can narrow so the broker only returns permitted types. */
const NARROWABLE: ReadonlySet<Operation> = new Set<Operation>(['entity.query', 'temporal.query']);

/** Expand names with the caller's @context and build the PDP's view of the request. */
export function expandNames(deps: ContractDeps): Step {
  return async (ctx) => {
    const ngsi = ctx.ngsi!;
    if (!governedByContracts(ngsi.operation)) return;
    const active = await deps.resolver.fromRequest(ctx.raw.headers, ctx.raw.body);
    ctx.context = active;
    const expand = (t: string): string => active.expandTerm(t);
    const token = ctx.token!;
    const policy: PolicyRequest = {
      action: ngsi.action,
      operation: ngsi.operation,
      tenant: ngsi.tenant,
      subject: {
        roles: token.roles,
        ...(token.sub !== undefined ? { sub: token.sub } : {}),
        ...(token.clientId !== undefined ? { clientId: token.clientId } : {}),
        ...(ctx.certThumbprint !== undefined ? { certThumbprint: ctx.certThumbprint } : {}),
      },
      entityIds: ngsi.entityIds,
      idPatterns: ngsi.idPatterns,
      types: ngsi.types.map(expand),
      attrs: ngsi.attrs.map(expand),
      filterReads: ngsi.filterReads.map((f) => (f.attr === '*' ? f : { attr: expand(f.attr), via: f.via })),
      typeUnknown: ngsi.types.length === 0,
      now: ctx.startedAt,
    };
    // A purpose outside the DPV table is passed as written: it satisfies no purpose constraint.
    if (token.purpose !== undefined) policy.purpose = purposeIri(token.purpose) ?? token.purpose;
    ctx.policy = policy;
  };
}

/**
 * The contract decision for a request whose names are expanded, with the checks on what
 * the gateway can enforce; throws 403 for a deny. No side effects: the dry run uses it too.
 */
export function evaluateContracts(ctx: RequestContext, deps: ContractDeps): Decision | undefined {
  const policy = ctx.policy;
  if (!policy) return undefined;
  const decision = decide(policy, deps.snapshot(), { counters: deps.counters.values, decisionId: ctx.decisionId });
  ctx.decision = decision;
  ctx.rules = decision.rules.map((r) => `${r.contract}#${r.rule}`);
  if (decision.effect === 'deny') throw new MimtrustError('FORBIDDEN', decision.detail, { reason: decision.reason });
  checkEnforceable(ctx, decision.obligations);
  return decision;
}

/** Ask decide(); a deny becomes 403 naming the reason, a permit records the rules and counts. */
export function decideContracts(deps: ContractDeps): Step {
  return (ctx) => {
    const decision = evaluateContracts(ctx, deps);
    if (decision) deps.counters.increment(decision.obligations.counters);
  };
}

function restricts(ob: Obligations, scopes: Iterable<AttributeScope>): boolean {
  if (ob.within !== undefined) return true;
  for (const s of scopes) if (!isFullScope(s)) return true;
  return false;
}

function scopesOf(ob: Obligations, types: readonly string[]): AttributeScope[] {
  const out: AttributeScope[] = [];
  if (types.length === 0) {
    if (ob.view) out.push(...ob.view.values());
    if (ob.otherTypes) out.push(ob.otherTypes);
    return out;
  }
  for (const t of types) out.push(ob.view?.get(t) ?? ob.otherTypes ?? FULL_SCOPE);
  return out;
}

/**
 * Some permitted reads cannot be cut down by the gateway because their data does not flow
 * back through it: notifications go from the broker straight to the subscriber, and entity
 * maps describe where entities live. Those are refused unless nothing needs cutting.
 */
function checkEnforceable(ctx: RequestContext, ob: Obligations): void {
  const ngsi = ctx.ngsi!;
  const policy = ctx.policy!;
  if (ngsi.operation.startsWith('entityMap.')) {
    if (restricts(ob, scopesOf(ob, [])) || ob.excludeTypes?.size) {
      throw new MimtrustError('FORBIDDEN', 'Entity maps are only available to callers who may read every attribute of every type.', { reason: 'entity_map_not_permitted' });
    }
    return;
  }
  if (ngsi.operation !== 'subscription.create' && ngsi.operation !== 'subscription.update') return;
  if (ob.within !== undefined) {
    throw new MimtrustError('FORBIDDEN', 'Notifications cannot be limited to an area; this caller may only read part of the area.', { reason: 'subscription_area_not_enforceable' });
  }
  const body = (ctx.raw.body ?? {}) as { entities?: unknown; notification?: { attributes?: unknown } };
  if (ngsi.operation === 'subscription.create' && policy.typeUnknown) {
    throw new MimtrustError('FORBIDDEN', 'A subscription must name the entity types it watches.', { reason: 'subscription_type_required' });
  }
  const naming = ngsi.operation === 'subscription.create' || body.notification !== undefined;
  const attrs = body.notification?.attributes;
  const named = Array.isArray(attrs) && attrs.length > 0;
  if (naming && !named && restricts(ob, scopesOf(ob, policy.types))) {
    throw new MimtrustError('FORBIDDEN', 'This caller may read only some attributes: the subscription must list them in notification.attributes.', { reason: 'subscription_attributes_required' });
  }
}

function withParam(query: ReadonlyArray<readonly [string, string]>, name: string, value: string): Array<readonly [string, string]> {
  return [...query.filter(([n]) => n !== name), [name, value] as const].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/**
 * Ask the broker for what the filter needs: only the types the caller may read (so counts
 * and pages stay consistent), and attribute details (an attribute list names no types, so
 * names used only by unreadable types could not be told apart otherwise).
 */
export function narrowQuery(): Step {
  return (ctx) => {
    const ngsi = ctx.ngsi!;
    const ob = ctx.decision?.obligations;
    if (!ob?.view) return;
    if (ngsi.operation === 'attributes.list' && !ngsi.query.some(([n, v]) => n === 'details' && v === 'true')) {
      const query = withParam(ngsi.query, 'details', 'true');
      ctx.ngsi = { ...ngsi, query, search: canonicalSearch(query) };
      ctx.reshape = 'attributeList';
      return;
    }
    if (!ctx.policy?.typeUnknown || !NARROWABLE.has(ngsi.operation)) return;
    if (ob.otherTypes !== undefined || ob.view.size === 0) return;
    const active = ctx.context!;
    const types = [...ob.view.keys()].filter((t) => !ob.excludeTypes?.has(t)).map((iri) => active.compactIri(iri));
    if (types.length === 0) return;
    const query = withParam(ngsi.query, 'type', types.join(','));
    ctx.ngsi = { ...ngsi, query, search: canonicalSearch(query) };
  };
}

const JSON_CONTENT = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** Cut the broker's response down to the decision's view; correct the result count. */
export function filterByDecision(): Step {
  return (ctx) => {
    const ob = ctx.decision?.obligations;
    const res = ctx.response;
    if (!ob || !res || (ob.view === undefined && ob.within === undefined)) return;
    if (res.status < 200 || res.status >= 300 || res.body === undefined) return;
    const type = res.headers['content-type'];
    if (typeof type !== 'string' || !JSON_CONTENT.test(type)) {
      throw new MimtrustError('BAD_GATEWAY', 'The broker answered in a form the gateway cannot filter.', { reason: 'unfilterable_response' });
    }
    let body: unknown;
    try {
      body = JSON.parse(res.body.toString());
    } catch {
      throw new MimtrustError('BAD_GATEWAY', 'The broker answered with invalid JSON.', { reason: 'upstream_invalid_json' });
    }
    const ngsi = ctx.ngsi!;
    const active = ctx.context!;
    const geometryProperty = ngsi.query.find(([n]) => n === 'geometryProperty')?.[1];
    const out = filterResponse({
      operation: ngsi.operation,
      body,
      view: ob.view ?? new Map(),
      otherTypes: ob.view === undefined ? FULL_SCOPE : ob.otherTypes,
      ...(ob.excludeTypes ? { excludeTypes: ob.excludeTypes } : {}),
      ...(ob.within ? { within: ob.within } : {}),
      expand: (t) => active.expandTerm(t),
      ...(geometryProperty ? { geometryProperty } : {}),
      ...(ngsi.format === 'geojson' ? { format: 'geojson' as const } : {}),
      options: ngsi.options,
    });
    const shown = ctx.reshape === 'attributeList' ? toAttributeList(out.body, ctx.decisionId) : out.body;
    // A Buffer, not a string: fastify would otherwise add a charset to the broker's content type.
    res.body = Buffer.from(JSON.stringify(shown));
    const count = res.headers['ngsild-results-count'];
    if (typeof count === 'string' && out.droppedEntities > 0 && /^\d+$/.test(count)) {
      res.headers['ngsild-results-count'] = String(Math.max(0, Number(count) - out.droppedEntities));
    }
  };
}

/** An AttributeList built from the Attribute details the broker was asked for instead. */
function toAttributeList(details: unknown, decisionId: string): unknown {
  if (!Array.isArray(details)) {
    throw new MimtrustError('BAD_GATEWAY', 'The broker answered attribute details in an unexpected form.', { reason: 'unfilterable_response' });
  }
  const names: string[] = [];
  for (const d of details) {
    const name = (d as { attributeName?: unknown }).attributeName;
    if (typeof name === 'string') names.push(name);
  }
  return { id: `urn:ngsi-ld:AttributeList:${decisionId}`, type: 'AttributeList', attributeList: names };
}
