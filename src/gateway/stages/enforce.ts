import { MimtrustError } from '../../errors/index.js';
import type { Action } from '../../ngsi/index.js';
import { boundedByArea, decidedByContracts, isFullScope, FULL_SCOPE, type AttributeScope, type ConsentObligation, type Obligations } from '../../policy/index.js';
import type { UsageCounting } from '../usage-counters.js';
import type { Decided } from '../exchange.js';
import { refusal } from './decide.js';

/**
 * Enforce: a deny is refused; a permit whose obligations this gateway cannot fulfil is
 * refused too; what the permit counts is counted.
 */
export function enforceDecision(deps: { counters: UsageCounting }): (r: Decided) => Promise<Decided> {
  const use = countUsage(deps);
  return async (r) => {
    checkEnforceable(r);
    return use(r);
  };
}

/** What the permit counts against count constraints; the last check before the broker is asked. */
export function countUsage(deps: { counters: UsageCounting }): <T extends Decided>(r: T) => Promise<T> {
  return async (r) => {
    const { counters, limits } = r.decision.obligations;
    if (counters.length > 0) await deps.counters.increment(counters, limits);
    return r;
  };
}

const WRITES: ReadonlySet<Action> = new Set<Action>(['create', 'modify', 'delete']);

/**
 * The answers the gateway cuts per entity, by each entity's data subject: a subscription's
 * notifications are cut at the relay (an update is then checked whole, as a create).
 */
const CUT_PER_ENTITY: ReadonlySet<string> = new Set([
  'entity.query', 'entity.retrieve', 'batch.query', 'temporal.query', 'temporal.retrieve', 'subscription.create', 'subscription.update',
]);

function restricts(ob: Obligations, scopes: Iterable<AttributeScope>): boolean {
  if (boundedByArea(ob)) return true;
  if (ob.forbidTypes !== undefined && ob.forbidTypes.size > 0) return true;
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
 * A deny is refused. A write permitted only within an area is refused: nothing places the
 * entities it changes. Entity maps describe where entities live and cannot be cut down:
 * refused unless nothing needs cutting. A subscription must name what it notifies when the
 * caller may read only part, so the broker sends no more than was decided (the relay cuts
 * again on delivery); an update is checked here on the merged subscription, as a create,
 * by the subscriptions stage.
 */
export function checkEnforceable(r: Decided): void {
  if (r.decision.effect === 'deny') throw refusal(r);
  const { ngsi, policy } = r;
  const ob = r.decision.obligations;
  if (!decidedByContracts(r.decision)) return;
  // Type and attribute discovery would count entities whatever their data subjects said.
  if (ob.consent !== undefined && !CUT_PER_ENTITY.has(ngsi.operation)) {
    throw new MimtrustError(
      'FORBIDDEN',
      'Data shown only with the consent of the persons it is about can be read only as entities or their history, by id, by query or by subscription.',
      { reason: 'consent_not_enforceable', extensions: { reason: 'consent_not_enforceable' } },
    );
  }
  // The gateway places entities in the answers it filters; it does not place what a write changes.
  if (WRITES.has(policy.action) && boundedByArea(ob)) {
    throw new MimtrustError('FORBIDDEN', 'This caller may change data only inside an area, which the gateway cannot check for a write.', { reason: 'write_area_not_enforceable' });
  }
  if (ngsi.operation.startsWith('entityMap.')) {
    if (restricts(ob, scopesOf(ob, [])) || ob.excludeTypes?.size) {
      throw new MimtrustError('FORBIDDEN', 'Entity maps are only available to callers who may read every attribute of every type.', { reason: 'entity_map_not_permitted' });
    }
    return;
  }
  if (ngsi.operation !== 'subscription.create') return;
  // The subscription's view holds the types it watches: one shown only within areas cannot be relayed.
  if (boundedByArea(ob)) {
    throw new MimtrustError('FORBIDDEN', 'Notifications cannot be limited to an area; this caller may only read part of the area.', { reason: 'subscription_area_not_enforceable' });
  }
  const body = (r.raw.body ?? {}) as { entities?: unknown; notification?: { attributes?: unknown } };
  if (policy.typeUnknown) {
    throw new MimtrustError('FORBIDDEN', 'A subscription must name the entity types it watches.', { reason: 'subscription_type_required' });
  }
  const attrs = body.notification?.attributes;
  const named = Array.isArray(attrs) && attrs.length > 0;
  if (!named && restricts(ob, scopesOf(ob, policy.types))) {
    throw new MimtrustError('FORBIDDEN', 'This caller may read only some attributes: the subscription must list them in notification.attributes.', { reason: 'subscription_attributes_required' });
  }
  if (named && ob.consent !== undefined) requireSubjectAttributes(r, ob.consent, attrs);
}

/**
 * Notifications carry only the attributes a subscription lists, and the relay finds each
 * entity's data subject in them: under consent, the list must hold every data-subject
 * attribute of the types watched, or no entity could ever be told apart from another
 * person's.
 */
function requireSubjectAttributes(r: Decided, consent: ConsentObligation, attrs: readonly unknown[]): void {
  const expand = (name: string): string => r.context?.expandTerm(name) ?? name;
  const listed = new Set(attrs.filter((a): a is string => typeof a === 'string').map(expand));
  for (const c of consent.types.values()) {
    if (listed.has(c.subject)) continue;
    const name = r.context?.compactIri(c.subject) ?? c.subject;
    throw new MimtrustError(
      'FORBIDDEN',
      `Notifications of data shown under consent must carry the attribute naming the person each entity is about: notification.attributes must list ${name}.`,
      { reason: 'subscription_subject_attribute_required', extensions: { reason: 'subscription_subject_attribute_required', attribute: name } },
    );
  }
}
