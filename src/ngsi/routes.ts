/**
 * The NGSI-LD route table and its matcher. The table is compiled once into a segment trie,
 * so matching costs one map lookup per path segment whatever the table's size.
 *
 * Action choices worth stating:
 * - Context source registrations: reading them is `read`; creating, updating or deleting
 *   them is `register` (a registration redirects queries, so it is a privilege of its own).
 * - Entity maps (`/entityMaps`) are `read` for every method: a map is the server-side state
 *   of a distributed query (created by running a query, then paged, extended or dropped);
 *   none of these methods writes context information. Rules that must tell them apart
 *   can match the operation (`entityMap.update`, `entityMap.delete`).
 * - Everything not listed, `/snapshots` included, is unknown and therefore refused.
 */
import { MimtrustError } from '../errors/index.js';
import { unknownPath } from './normalize-path.js';
import type { Action, Operation } from './types.js';

/** What a path parameter names. */
export type ParamRole = 'entityId' | 'attrId' | 'type' | 'resourceId';

export interface RouteTarget {
  operation: Operation;
  action: Action;
}

export interface RouteMatch extends RouteTarget {
  entityId?: string;
  attrId?: string;
  type?: string;
  resourceId?: string;
}

type Methods = Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', readonly [Operation, Action]>>;

/** Paths are relative to the API base; `{role}` marks a parameter segment. */
const TABLE: ReadonlyArray<readonly [string, Methods]> = [
  ['entities', { POST: ['entity.create', 'create'], GET: ['entity.query', 'read'] }],
  ['entities/{entityId}', {
    GET: ['entity.retrieve', 'read'], PUT: ['entity.replace', 'modify'],
    PATCH: ['entity.merge', 'modify'], DELETE: ['entity.delete', 'delete'],
  }],
  ['entities/{entityId}/attrs', { POST: ['attrs.append', 'modify'], PATCH: ['attrs.update', 'modify'] }],
  ['entities/{entityId}/attrs/{attrId}', {
    PATCH: ['attr.update', 'modify'], PUT: ['attr.replace', 'modify'], DELETE: ['attr.delete', 'delete'],
  }],
  ['entityOperations/create', { POST: ['batch.create', 'create'] }],
  ['entityOperations/upsert', { POST: ['batch.upsert', 'create'] }],
  ['entityOperations/update', { POST: ['batch.update', 'modify'] }],
  ['entityOperations/merge', { POST: ['batch.merge', 'modify'] }],
  ['entityOperations/delete', { POST: ['batch.delete', 'delete'] }],
  ['entityOperations/query', { POST: ['batch.query', 'read'] }],
  ['temporal/entities', { POST: ['temporal.create', 'create'], GET: ['temporal.query', 'readTemporal'] }],
  ['temporal/entities/{entityId}', { GET: ['temporal.retrieve', 'readTemporal'], DELETE: ['temporal.delete', 'delete'] }],
  ['temporal/entities/{entityId}/attrs', { POST: ['temporal.attrs.append', 'modify'] }],
  ['temporal/entities/{entityId}/attrs/{attrId}', { DELETE: ['temporal.attr.delete', 'delete'] }],
  ['temporal/entities/{entityId}/attrs/{attrId}/{resourceId}', {
    PATCH: ['temporal.instance.modify', 'modify'], DELETE: ['temporal.instance.delete', 'delete'],
  }],
  ['temporal/entityOperations/query', { POST: ['temporal.batch.query', 'readTemporal'] }],
  ['subscriptions', { POST: ['subscription.create', 'subscribe'], GET: ['subscription.list', 'subscribe'] }],
  ['subscriptions/{resourceId}', {
    GET: ['subscription.retrieve', 'subscribe'], PATCH: ['subscription.update', 'subscribe'],
    DELETE: ['subscription.delete', 'subscribe'],
  }],
  ['csourceRegistrations', { POST: ['csource.create', 'register'], GET: ['csource.list', 'read'] }],
  ['csourceRegistrations/{resourceId}', {
    GET: ['csource.retrieve', 'read'], PATCH: ['csource.update', 'register'], DELETE: ['csource.delete', 'register'],
  }],
  ['csourceSubscriptions', {
    POST: ['csourceSubscription.create', 'subscribe'], GET: ['csourceSubscription.list', 'subscribe'],
  }],
  ['csourceSubscriptions/{resourceId}', {
    GET: ['csourceSubscription.retrieve', 'subscribe'], PATCH: ['csourceSubscription.update', 'subscribe'],
    DELETE: ['csourceSubscription.delete', 'subscribe'],
  }],
  ['types', { GET: ['types.list', 'read'] }],
  ['types/{type}', { GET: ['types.retrieve', 'read'] }],
  ['attributes', { GET: ['attributes.list', 'read'] }],
  ['attributes/{attrId}', { GET: ['attributes.retrieve', 'read'] }],
  ['jsonldContexts', { GET: ['jsonldContexts.list', 'read'], POST: ['jsonldContexts.create', 'manageContexts'] }],
  ['jsonldContexts/{resourceId}', {
    GET: ['jsonldContexts.retrieve', 'read'], DELETE: ['jsonldContexts.delete', 'manageContexts'],
  }],
  ['info/sourceIdentity', { GET: ['info.sourceIdentity', 'read'] }],
  ['info/conformance', { GET: ['info.conformance', 'read'] }],
  ['entityMaps', { POST: ['entityMap.create', 'read'], GET: ['entityMap.list', 'read'] }],
  ['entityMaps/{resourceId}', {
    GET: ['entityMap.retrieve', 'read'], PATCH: ['entityMap.update', 'read'], DELETE: ['entityMap.delete', 'read'],
  }],
];

interface Node {
  literals: Map<string, Node>;
  param?: { role: ParamRole; node: Node };
  methods?: Map<string, RouteTarget>;
  /** The Allow header value for this resource. */
  allow?: string;
}

function newNode(): Node {
  return { literals: new Map() };
}

const PARAM = /^\{(entityId|attrId|type|resourceId)\}$/;

function compile(table: typeof TABLE): Node {
  const root = newNode();
  for (const [path, methods] of table) {
    let node = root;
    for (const seg of path.split('/')) {
      const m = PARAM.exec(seg);
      if (m) {
        const role = m[1] as ParamRole;
        node.param ??= { role, node: newNode() };
        if (node.param.role !== role) throw new Error(`conflicting path parameters at ${path}`);
        node = node.param.node;
      } else {
        let next = node.literals.get(seg);
        if (!next) node.literals.set(seg, (next = newNode()));
        node = next;
      }
    }
    if (node.methods) throw new Error(`duplicate route ${path}`);
    node.methods = new Map(Object.entries(methods).map(([k, [operation, action]]) => [k, { operation, action }]));
    node.allow = [...node.methods.keys()].join(', ');
  }
  return root;
}

const ROOT = compile(TABLE);

/** Every (method, path template) the table knows, for documentation and tests. */
export function listRoutes(): Array<{ method: string; path: string; operation: Operation; action: Action }> {
  return TABLE.flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, [operation, action]]) => ({ method, path, operation, action })),
  );
}

/** Finds the operation for a method and decoded path segments (relative to the API base). */
export function matchRoute(method: string, segments: readonly string[]): RouteMatch {
  let node = ROOT;
  const captured: Array<readonly [ParamRole, string]> = [];
  for (const seg of segments) {
    const lit = node.literals.get(seg);
    if (lit) {
      node = lit;
    } else if (node.param) {
      captured.push([node.param.role, seg]);
      node = node.param.node;
    } else {
      throw unknownPath();
    }
  }
  const target = node.methods?.get(method);
  if (!target) {
    if (!node.methods) throw unknownPath();
    throw new MimtrustError('METHOD_NOT_ALLOWED', 'This method is not supported on this resource.', {
      reason: 'method_not_allowed',
      headers: { allow: node.allow ?? '' },
    });
  }
  const match: RouteMatch = { operation: target.operation, action: target.action };
  for (const [role, value] of captured) match[role] = value;
  return match;
}
