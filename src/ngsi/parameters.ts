/**
 * The query parameters each operation accepts (ETSI GS CIM 009). A parameter outside its
 * operation's set is refused rather than forwarded: the gateway cannot vouch for the
 * meaning of a parameter it does not understand (`orderBy`, for instance, is not NGSI-LD).
 */
import type { Operation } from './types.js';

const GEO = ['georel', 'geometry', 'coordinates', 'geoproperty'] as const;
const PAGING = ['count', 'limit', 'offset'] as const;
const TEMPORAL = ['timerel', 'timeAt', 'endTimeAt', 'timeproperty', 'lastN', 'aggrMethods', 'aggrPeriodDuration'] as const;
const PROJECTION = ['attrs', 'pick', 'omit'] as const;
const JOIN = ['join', 'joinLevel', 'containedBy'] as const;
const REPRESENTATION = ['options', 'format', 'lang', 'geometryProperty'] as const;

const ENTITY_QUERY = [
  'id', 'idPattern', 'type', 'q', 'scopeQ', 'datasetId', 'local', 'csf', 'expandValues', 'entityMap',
  ...PROJECTION, ...GEO, ...PAGING, ...JOIN, ...REPRESENTATION,
];
const ENTITY_RETRIEVE = ['datasetId', 'local', 'entityMap', ...PROJECTION, ...JOIN, ...REPRESENTATION];
const BODY_QUERY = ['local', 'entityMap', 'expandValues', ...PAGING, ...JOIN, ...REPRESENTATION];
const ENTITY_WRITE = ['options', 'local'];
const MERGE = ['options', 'local', 'observedAt', 'lang'];
const ATTR_DELETE = ['datasetId', 'deleteAll', 'local'];
const TEMPORAL_QUERY = [
  'id', 'idPattern', 'type', 'q', 'scopeQ', 'datasetId', 'local', 'csf', 'expandValues',
  'attrs', 'pick', 'omit', 'options', 'format', 'lang', ...GEO, ...PAGING, ...TEMPORAL,
];
const TEMPORAL_RETRIEVE = ['datasetId', 'local', 'attrs', 'pick', 'omit', 'options', 'format', 'lang', ...TEMPORAL];
const TEMPORAL_BODY_QUERY = ['local', 'options', 'format', 'lang', 'lastN', ...PAGING];
const LIST = ['options', ...PAGING];
const CSOURCE_QUERY = [
  'id', 'idPattern', 'type', 'attrs', 'q', 'csf', 'options',
  'timerel', 'timeAt', 'endTimeAt', 'timeproperty', ...GEO, ...PAGING,
];
const DISCOVERY = ['details', 'local'];
const NONE: string[] = [];

const PARAMETERS: Record<Operation, readonly string[]> = {
  'entity.create': ENTITY_WRITE,
  'entity.query': ENTITY_QUERY,
  'entity.retrieve': ENTITY_RETRIEVE,
  'entity.replace': ENTITY_WRITE,
  'entity.merge': MERGE,
  'entity.delete': ['local'],
  'attrs.append': ENTITY_WRITE,
  'attrs.update': ENTITY_WRITE,
  'attr.update': MERGE,
  'attr.replace': ENTITY_WRITE,
  'attr.delete': ATTR_DELETE,
  'batch.create': ENTITY_WRITE,
  'batch.upsert': ENTITY_WRITE,
  'batch.update': ENTITY_WRITE,
  'batch.delete': ['local'],
  'batch.merge': MERGE,
  'batch.query': BODY_QUERY,
  'temporal.create': ENTITY_WRITE,
  'temporal.query': TEMPORAL_QUERY,
  'temporal.retrieve': TEMPORAL_RETRIEVE,
  'temporal.delete': ['local'],
  'temporal.attrs.append': ENTITY_WRITE,
  'temporal.attr.delete': ATTR_DELETE,
  'temporal.instance.modify': ENTITY_WRITE,
  'temporal.instance.delete': ['local'],
  'temporal.batch.query': TEMPORAL_BODY_QUERY,
  'subscription.create': NONE,
  'subscription.list': LIST,
  'subscription.retrieve': ['options'],
  'subscription.update': NONE,
  'subscription.delete': NONE,
  'csource.create': NONE,
  'csource.list': CSOURCE_QUERY,
  'csource.retrieve': ['options'],
  'csource.update': NONE,
  'csource.delete': NONE,
  'csourceSubscription.create': NONE,
  'csourceSubscription.list': LIST,
  'csourceSubscription.retrieve': ['options'],
  'csourceSubscription.update': NONE,
  'csourceSubscription.delete': NONE,
  'types.list': DISCOVERY,
  'types.retrieve': DISCOVERY,
  'attributes.list': DISCOVERY,
  'attributes.retrieve': DISCOVERY,
  'jsonldContexts.list': ['details', 'kind'],
  'jsonldContexts.create': NONE,
  'jsonldContexts.retrieve': ['details'],
  'jsonldContexts.delete': ['reload'],
  'info.sourceIdentity': NONE,
  'info.conformance': NONE,
  'entityMap.create': NONE,
  'entityMap.list': PAGING,
  'entityMap.retrieve': PAGING,
  'entityMap.update': NONE,
  'entityMap.delete': NONE,
};

const SETS = new Map<Operation, ReadonlySet<string>>(
  (Object.keys(PARAMETERS) as Operation[]).map((op) => [op, new Set(PARAMETERS[op])]),
);

/** The parameter names an operation accepts. */
export function knownParameters(op: Operation): ReadonlySet<string> {
  // Every Operation has an entry (enforced by the Record type above).
  return SETS.get(op) ?? new Set();
}
