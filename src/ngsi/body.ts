/**
 * What request bodies touch: entity ids, types and attribute names written, and the
 * filters carried by query, subscription and registration bodies. Each operation expects
 * one body shape; anything else is refused, so no part of a forwarded body goes unchecked.
 */
import { MimtrustError } from '../errors/index.js';
import { isObject } from '../lib/index.js';
import { MEMBER_NAMES, MEMBERS, onlyMembers, refuseStructuralKeywords } from './body-members.js';
import { recordAttrs, recordGeoQuery, recordJoin, recordProjection, recordQ, recordScopeQ } from './filters.js';
import { splitList } from './lists.js';
import type { Touches } from './touches.js';
import { parseTypeExpression } from './type-expression.js';
import type { Operation } from './types.js';

type BodyKind =
  | 'none' // no body allowed
  | 'entity' // an entity or an entity fragment: its keys are attributes
  | 'attribute' // one attribute (named by the path): its keys are not attribute names
  | 'entities' // batch writes: an array of entities
  | 'ids' // batch delete: an array of entity ids
  | 'query' // a Query (batch query, entity map creation)
  | 'subscription'
  | 'registration'
  | 'context' // a hosted @context document
  | 'opaque'; // an object without entity content (entity map update)

const KINDS: Record<Operation, BodyKind> = {
  'entity.create': 'entity', 'entity.query': 'none', 'entity.retrieve': 'none', 'entity.replace': 'entity',
  'entity.merge': 'entity', 'entity.delete': 'none',
  'attrs.append': 'entity', 'attrs.update': 'entity', 'attr.update': 'attribute', 'attr.replace': 'attribute',
  'attr.delete': 'none',
  'batch.create': 'entities', 'batch.upsert': 'entities', 'batch.update': 'entities', 'batch.delete': 'ids',
  'batch.merge': 'entities', 'batch.query': 'query',
  'temporal.create': 'entity', 'temporal.query': 'none', 'temporal.retrieve': 'none', 'temporal.delete': 'none',
  'temporal.attrs.append': 'entity', 'temporal.attr.delete': 'none', 'temporal.instance.modify': 'attribute',
  'temporal.instance.delete': 'none', 'temporal.batch.query': 'query',
  'subscription.create': 'subscription', 'subscription.list': 'none', 'subscription.retrieve': 'none',
  'subscription.update': 'subscription', 'subscription.delete': 'none',
  'csource.create': 'registration', 'csource.list': 'none', 'csource.retrieve': 'none',
  'csource.update': 'registration', 'csource.delete': 'none',
  'csourceSubscription.create': 'subscription', 'csourceSubscription.list': 'none',
  'csourceSubscription.retrieve': 'none', 'csourceSubscription.update': 'subscription',
  'csourceSubscription.delete': 'none',
  'types.list': 'none', 'types.retrieve': 'none', 'attributes.list': 'none', 'attributes.retrieve': 'none',
  'jsonldContexts.list': 'none', 'jsonldContexts.create': 'context', 'jsonldContexts.retrieve': 'none',
  'jsonldContexts.delete': 'none',
  'info.sourceIdentity': 'none', 'info.conformance': 'none',
  'entityMap.create': 'query', 'entityMap.list': 'none', 'entityMap.retrieve': 'none', 'entityMap.update': 'opaque',
  'entityMap.delete': 'none',
};

/** Members of an entity that are not attributes: identity, context, system timestamps. */
const NOT_ATTRIBUTES = new Set(['@context', 'createdAt', 'modifiedAt', 'deletedAt']);

type Obj = Record<string, unknown>;

function invalid(what: string): MimtrustError {
  return new MimtrustError('BAD_REQUEST', `The request body is not valid for this operation: ${what}.`, { reason: 'invalid_body' });
}


function object(v: unknown, what: string): Obj {
  if (!isObject(v)) throw invalid(`${what} must be a JSON object`);
  return v;
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw invalid(`${what} must be a non-empty string`);
  return v;
}

function strings(v: unknown, what: string): string[] {
  if (typeof v === 'string') return [str(v, what)];
  if (!Array.isArray(v)) throw invalid(`${what} must be a string or an array of strings`);
  return v.map((s) => str(s, what));
}

function array(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw invalid(`${what} must be an array`);
  return v;
}

/** An entity or fragment: `id`/`type` (or their JSON-LD keywords) name it, every other key is an attribute. */
function entity(v: unknown, t: Touches): void {
  const e = object(v, 'an entity');
  for (const key of Object.keys(e)) {
    if (key === 'id' || key === '@id') t.entityIds.add(str(e[key], 'entity id'));
    else if (key === 'type' || key === '@type') for (const ty of strings(e[key], 'entity type')) t.types.add(ty);
    else if (NOT_ATTRIBUTES.has(key)) continue;
    // Other keyword-shaped names (@graph, @nest, @reverse, @included, @foo ...) could carry
    // attributes that expansion would reveal only after the decision: refuse them.
    else if (key.startsWith('@')) throw new MimtrustError('BAD_REQUEST', 'The request body is not valid for this operation: an entity member is a JSON-LD keyword.', { reason: 'keyword_member' });
    else if (key === '') throw invalid('unsupported member name');
    else t.attrs.add(key);
  }
}

/** An entity selector ({id, idPattern, type}) in queries, subscriptions and registrations. */
function selectors(v: unknown, t: Touches, typeIsExpression: boolean): void {
  for (const item of array(v, 'entities')) {
    const s = object(item, 'an entity selector');
    onlyMembers(s, MEMBERS.entitySelector, 'an entity selector');
    if (s.id !== undefined) t.entityIds.add(str(s.id, 'entity id'));
    if (s.idPattern !== undefined) t.idPatterns.add(str(s.idPattern, 'idPattern'));
    if (s.type !== undefined) {
      if (typeIsExpression) for (const ty of parseTypeExpression(str(s.type, 'entity type'))) t.types.add(ty);
      else for (const ty of strings(s.type, 'entity type')) t.types.add(ty);
    }
  }
}

/** A projection in a body: a projection string, or an array of attribute names. */
function projection(v: unknown, via: 'pick' | 'omit', t: Touches): void {
  recordProjection(typeof v === 'string' ? str(v, via) : strings(v, via).join(','), via, t);
}

/** Filters common to queries and subscriptions. */
function filters(b: Obj, t: Touches): void {
  if (b.q !== undefined) recordQ(str(b.q, 'q'), t);
  if (b.scopeQ !== undefined) {
    str(b.scopeQ, 'scopeQ');
    recordScopeQ(t);
  }
  if (b.geoQ !== undefined) {
    const g = object(b.geoQ, 'geoQ');
    onlyMembers(g, MEMBERS.geoQuery, 'geoQ');
    recordGeoQuery(g.geoproperty === undefined ? undefined : str(g.geoproperty, 'geoproperty'), t);
  }
  if (b.temporalQ !== undefined) {
    const tq = object(b.temporalQ, 'temporalQ');
    onlyMembers(tq, MEMBERS.temporalQuery, 'temporalQ');
    if (tq.timeproperty !== undefined) t.read(str(tq.timeproperty, 'timeproperty'), 'timeproperty');
  }
  if (b.pick !== undefined) projection(b.pick, 'pick', t);
  if (b.omit !== undefined) projection(b.omit, 'omit', t);
  if ((b.join !== undefined && b.join !== '@none') || b.joinLevel !== undefined) recordJoin(t);
}

function query(v: unknown, t: Touches): void {
  const b = object(v, 'a query');
  onlyMembers(b, MEMBERS.query, 'a query');
  if (b.entities !== undefined) selectors(b.entities, t, true);
  if (b.attrs !== undefined) {
    recordAttrs(typeof b.attrs === 'string' ? splitList(b.attrs, 'attrs') : strings(b.attrs, 'attrs'), t);
  }
  filters(b, t);
}

function subscription(v: unknown, t: Touches): void {
  const b = object(v, 'a subscription');
  onlyMembers(b, MEMBERS.subscription, 'a subscription');
  if (b.id !== undefined) t.resourceId ??= str(b.id, 'subscription id');
  if (b.entities !== undefined) selectors(b.entities, t, true);
  if (b.watchedAttributes !== undefined) t.readAll(strings(b.watchedAttributes, 'watchedAttributes'), 'watchedAttributes');
  filters(b, t);
  if (b.notification !== undefined) {
    const n = object(b.notification, 'notification');
    onlyMembers(n, MEMBERS.notification, 'notification');
    if (n.attributes !== undefined) recordAttrs(strings(n.attributes, 'notification attributes'), t);
    if (n.pick !== undefined) projection(n.pick, 'pick', t);
    if (n.omit !== undefined) projection(n.omit, 'omit', t);
    if ((n.join !== undefined && n.join !== '@none') || n.joinLevel !== undefined) recordJoin(t);
    if (n.endpoint !== undefined) {
      const ep = object(n.endpoint, 'notification endpoint');
      onlyMembers(ep, MEMBERS.endpoint, 'notification endpoint');
      if (ep.uri !== undefined) t.notificationEndpoint = str(ep.uri, 'notification endpoint uri');
      for (const field of ['receiverInfo', 'notifierInfo'] as const) {
        if (ep[field] !== undefined) for (const kv of array(ep[field], field)) onlyMembers(object(kv, field), MEMBERS.keyValuePair, field);
      }
    }
  }
}

function registration(v: unknown, t: Touches): void {
  const b = object(v, 'a context source registration');
  if (b.id !== undefined) t.resourceId ??= str(b.id, 'registration id');
  if (b.information === undefined) return;
  for (const item of array(b.information, 'information')) {
    const info = object(item, 'registration information');
    if (info.entities !== undefined) selectors(info.entities, t, false);
    for (const field of ['propertyNames', 'relationshipNames'] as const) {
      if (info[field] !== undefined) for (const a of strings(info[field], field)) t.attrs.add(a);
    }
  }
}

/** Records what `body` touches for operation `op`; refuses a body of the wrong shape. */
export function applyBody(op: Operation, body: unknown, t: Touches): void {
  const kind = KINDS[op];
  if (kind === 'none') {
    if (body !== undefined) throw invalid('no body is expected');
    return;
  }
  if (body === undefined) throw invalid('a body is required');
  if (kind !== 'context') refuseStructuralKeywords(body);
  switch (kind) {
    case 'entity':
      entity(body, t);
      return;
    case 'attribute':
    case 'opaque':
      object(body, 'the body');
      return;
    case 'entities':
      for (const e of array(body, 'the body')) entity(e, t);
      return;
    case 'ids':
      for (const id of array(body, 'the body')) t.entityIds.add(str(id, 'entity id'));
      return;
    case 'query':
      query(body, t);
      return;
    case 'subscription':
      subscription(body, t);
      return;
    case 'registration':
      registration(body, t);
      return;
    case 'context':
      if (!Object.hasOwn(object(body, 'the body'), '@context')) throw invalid('a hosted context needs "@context"');
      return;
  }
}

/**
 * Refuses a caller @context that gives a member of a query or subscription body another
 * meaning (`{"receiverInfo": "ngsi-ld:q"}`): a broker that expands the body would read
 * that member as what it maps to, which the gateway did not decide on.
 */
export function refuseRedefinedMembers(op: Operation, redefines: (name: string) => boolean): void {
  const kind = KINDS[op];
  if (kind !== 'query' && kind !== 'subscription') return;
  for (const name of MEMBER_NAMES) {
    if (redefines(name)) {
      throw new MimtrustError('BAD_REQUEST', 'The @context redefines a member name of the request body.', { reason: 'member_redefined' });
    }
  }
}

/** True when the body (or an element of a body array) carries its own @context. */
export function bodyHasContext(body: unknown): boolean {
  if (Array.isArray(body)) return body.some((e) => isObject(e) && Object.hasOwn(e, '@context'));
  return isObject(body) && Object.hasOwn(body, '@context');
}
