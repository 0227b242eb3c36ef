/**
 * What an NGSI-LD request touches, as the policy sees it. Produced by `classify()` from
 * the raw method, path, query, headers and body; names here are as the caller wrote them
 * (short terms, aliases or IRIs): expansion to IRIs is a separate step (src/context).
 */

/** Groups of operations that roles and contracts grant. */
export type Action =
  | 'read' // entity retrieve/query, discovery, info, jsonldContexts read
  | 'readTemporal' // temporal retrieve/query
  | 'subscribe' // subscriptions and csource subscriptions (create, list, retrieve, update, delete)
  | 'create' // entity create, batch create/upsert, temporal create
  | 'modify' // update, append, replace, merge of entities, attributes, temporal instances
  | 'delete' // delete of entities, attributes, temporal history
  | 'register' // context source registrations
  | 'manageContexts'; // add or delete hosted @contexts

export const ACTIONS: readonly Action[] = [
  'read', 'readTemporal', 'subscribe', 'create', 'modify', 'delete', 'register', 'manageContexts',
];

export type Operation =
  // entities
  | 'entity.create' | 'entity.query' | 'entity.retrieve' | 'entity.replace' | 'entity.merge' | 'entity.delete'
  | 'attrs.append' | 'attrs.update' | 'attr.update' | 'attr.replace' | 'attr.delete'
  // batch
  | 'batch.create' | 'batch.upsert' | 'batch.update' | 'batch.delete' | 'batch.merge' | 'batch.query'
  // temporal
  | 'temporal.create' | 'temporal.query' | 'temporal.retrieve' | 'temporal.delete'
  | 'temporal.attrs.append' | 'temporal.attr.delete' | 'temporal.instance.modify' | 'temporal.instance.delete'
  | 'temporal.batch.query'
  // subscriptions
  | 'subscription.create' | 'subscription.list' | 'subscription.retrieve' | 'subscription.update' | 'subscription.delete'
  // context sources
  | 'csource.create' | 'csource.list' | 'csource.retrieve' | 'csource.update' | 'csource.delete'
  | 'csourceSubscription.create' | 'csourceSubscription.list' | 'csourceSubscription.retrieve'
  | 'csourceSubscription.update' | 'csourceSubscription.delete'
  // discovery
  | 'types.list' | 'types.retrieve' | 'attributes.list' | 'attributes.retrieve'
  // hosted contexts
  | 'jsonldContexts.list' | 'jsonldContexts.create' | 'jsonldContexts.retrieve' | 'jsonldContexts.delete'
  // information
  | 'info.sourceIdentity' | 'info.conformance'
  // distributed-query entity maps
  | 'entityMap.create' | 'entityMap.list' | 'entityMap.retrieve' | 'entityMap.update' | 'entityMap.delete';

/** The raw request as it arrived, before classification. */
export interface RawRequest {
  method: string;
  /** Path and query exactly as received on the wire (e.g. `req.raw.url`). */
  url: string;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined when there is none. */
  body?: unknown;
}

/** An attribute a query filter reads, and through which parameter. */
export interface FilterRead {
  attr: string;
  via: 'q' | 'scopeQ' | 'geoproperty' | 'geometryProperty' | 'pick' | 'omit' | 'attrs' | 'watchedAttributes' | 'join' | 'orderBy' | 'timeproperty' | 'aggr';
}

export interface NgsiRequest {
  method: string;
  operation: Operation;
  action: Action;
  /** Canonical path under the API base, percent-encoded segment by segment: exactly what is forwarded. */
  path: string;
  /** Canonical query parameters in a stable order, each name at most once. */
  query: ReadonlyArray<readonly [string, string]>;
  /** `?a=b&c=d` rebuilt from `query` (empty string when none): exactly what is forwarded. */
  search: string;
  /** NGSILD-Tenant, undefined for the default tenant. */
  tenant: string | undefined;
  /** Entity ids named by the path, query (`id`) or body. */
  entityIds: string[];
  /** `idPattern` values (query or body). */
  idPatterns: string[];
  /**
   * Entity types named (query `type`, body `type`s, batch bodies). For the type query
   * grammar (`A,B`, `A|B`, `(A;B)`) every type named appears once.
   */
  types: string[];
  /** Attributes written (body) or explicitly named in the path, or requested with `attrs`/`pick`. */
  attrs: string[];
  /** Every attribute a filter or projection reads, with the parameter it came through. */
  filterReads: FilterRead[];
  /** Path identifiers that are not entity ids (subscription, registration, context, instance). */
  resourceId?: string;
  /** Entity id named in the path (`/entities/{entityId}`, `/temporal/entities/{entityId}`), decoded. */
  pathEntityId?: string;
  /** Attribute named in the path (`/attrs/{attrId}`, `/attributes/{attrId}`), as written. */
  pathAttr?: string;
  /** Type named in the path (`/types/{type}`), as written. */
  pathType?: string;
  /** Representation options asked for: keyValues, concise, sysAttrs, ... */
  options: string[];
  /** `format` parameter, or derived from Accept (`geojson`). */
  format?: string;
  /** True when the body carries its own `@context` (application/ld+json). */
  bodyHasContext: boolean;
  /** The JSON-LD context named by the Link header: the only link forwarded. */
  contextLink?: string;
  /** Where a subscription body asks notifications to be sent (`notification.endpoint.uri`). */
  notificationEndpoint?: string;
}
