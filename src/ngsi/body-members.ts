/**
 * The members each NGSI-LD data type carried by a query or subscription body may have
 * (ETSI GS CIM 009 v1.8, clause 5.2), and the JSON-LD keywords no body may use.
 *
 * A member outside its type's list is refused, not forwarded: `ngsi-ld:q`, the IRI of
 * `q`, or a second `notification` under an IRI would be read by a JSON-LD broker as the
 * member they expand to, while the gateway decided on the body without them. Read-only
 * members a broker reports (`status`, `timesSent`, ...) are not accepted in requests.
 */
import { MimtrustError } from '../errors/index.js';

const set = (...names: string[]): ReadonlySet<string> => new Set(names);

export const MEMBERS = {
  query: set(
    '@context', 'type', 'entities', 'attrs', 'pick', 'omit', 'q', 'geoQ', 'csf', 'temporalQ', 'scopeQ', 'lang',
    'datasetId', 'join', 'joinLevel',
  ),
  entitySelector: set('id', 'idPattern', 'type'),
  geoQuery: set('geometry', 'coordinates', 'georel', 'geoproperty'),
  temporalQuery: set('timerel', 'timeAt', 'endTimeAt', 'timeproperty'),
  subscription: set(
    '@context', 'id', 'type', 'subscriptionName', 'description', 'entities', 'watchedAttributes', 'notificationTrigger',
    'timeInterval', 'q', 'geoQ', 'csf', 'isActive', 'notification', 'expiresAt', 'throttling', 'cooldown', 'temporalQ',
    'scopeQ', 'lang', 'datasetId', 'jsonldContext', 'pick', 'omit', 'join', 'joinLevel',
  ),
  notification: set('attributes', 'sysAttrs', 'format', 'endpoint', 'showChanges', 'pick', 'omit', 'join', 'joinLevel'),
  endpoint: set('uri', 'accept', 'timeout', 'cooldown', 'receiverInfo', 'notifierInfo'),
  keyValuePair: set('key', 'value'),
} as const;

/** Every member name of the types above: names a caller @context must leave as the core has them. */
export const MEMBER_NAMES: readonly string[] = [...new Set(Object.values(MEMBERS).flatMap((s) => [...s]))]
  .filter((n) => !n.startsWith('@'));

/**
 * JSON-LD keywords that restructure a document when expanded: they would move members
 * (`@nest`), add nodes (`@included`, `@graph`), invert relations (`@reverse`) or change
 * what names mean below them (a nested `@context`). None has a place in an NGSI-LD request.
 */
const STRUCTURAL = set(
  '@context', '@graph', '@included', '@reverse', '@nest', '@import', '@propagate', '@protected', '@version', '@vocab',
  '@base', '@prefix', '@container',
);

function refused(reason: string, detail: string): MimtrustError {
  return new MimtrustError('BAD_REQUEST', `The request body is not valid for this operation: ${detail}.`, { reason });
}

/** Refuses any member of `obj` that its data type does not have. */
export function onlyMembers(obj: Record<string, unknown>, allowed: ReadonlySet<string>, what: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) throw refused('unknown_member', `${what} has a member this gateway does not accept`);
  }
}

/**
 * Refuses structural JSON-LD keywords anywhere in a body. `@context` is allowed only where
 * NGSI-LD puts it: on the body itself, or on each element of a body array. Iterative, so a
 * deeply nested body cannot exhaust the stack.
 */
export function refuseStructuralKeywords(body: unknown): void {
  const stack: object[] = [];
  const tops: readonly unknown[] = Array.isArray(body) ? body : [body];
  for (const top of tops) if (typeof top === 'object' && top !== null) pushMembers(top, true, stack);
  while (stack.length > 0) pushMembers(stack.pop()!, false, stack);
}

const AT = 64; // '@'

/** Checks the keys of one object (or the items of an array) and stacks the nested objects. */
function pushMembers(value: object, top: boolean, stack: object[]): void {
  if (Array.isArray(value)) {
    for (const item of value as readonly unknown[]) if (typeof item === 'object' && item !== null) stack.push(item);
    return;
  }
  const obj = value as Record<string, unknown>;
  // JSON.parse gives plain objects with own enumerable keys only, so for...in sees exactly those.
  for (const key in obj) {
    if (key.charCodeAt(0) === AT && STRUCTURAL.has(key) && !(top && key === '@context')) {
      throw refused('keyword_member', 'it uses a JSON-LD keyword that restructures the data');
    }
    const member = obj[key];
    if (typeof member === 'object' && member !== null) stack.push(member);
  }
}
