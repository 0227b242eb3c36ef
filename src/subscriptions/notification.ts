/**
 * A notification as the broker posts it to the relay, checked for shape, and its `data`
 * cut down with the same response filter that queries use.
 */
import { MimtrustError } from '../errors/index.js';
import { filterResponseInSlices, type Released, type TermExpander } from '../filter/index.js';
import { needsFiltering, shownBy, type Obligations } from '../policy/index.js';
import { isObject } from './subscription-body.js';

export interface Notification {
  body: Record<string, unknown>;
  subscriptionId: string;
  data: unknown[];
}

function invalid(what: string): MimtrustError {
  return new MimtrustError('BAD_REQUEST', `The notification is not valid: ${what}.`, { reason: 'invalid_notification' });
}

export function parseNotification(body: unknown): Notification {
  if (!isObject(body)) throw invalid('not a JSON object');
  if (body.type !== 'Notification') throw invalid('"type" must be "Notification"');
  if (typeof body.subscriptionId !== 'string') throw invalid('"subscriptionId" is required');
  if (!Array.isArray(body.data)) throw invalid('"data" must be an array');
  return { body, subscriptionId: body.subscriptionId, data: body.data };
}

/** The notification format's NGSI-LD `options` equivalent, for the entity filter. */
function optionsOf(format: unknown): string[] {
  return format === 'keyValues' || format === 'simplified' ? ['keyValues'] : format === 'concise' ? ['concise'] : [];
}

export interface FilteredNotification {
  body: Record<string, unknown>;
  /** Entities left to deliver. */
  entities: number;
  droppedEntities: number;
  removedAttributes: number;
  /** Data subject -> what the notification shows of their entities under their consent, as a read's answer counts it. */
  released?: ReadonlyMap<string, Released>;
}

/**
 * The notification with only what the decision lets the subscriber see: entities of types
 * it may not read are dropped, attributes it may not read are removed, and, should the
 * contracts in force now set an area, what lies outside it (`maxGeometryPoints`:
 * `limits.maxGeometryPoints`).
 */
export async function filterNotification(
  n: Notification, ob: Obligations | undefined, expand: TermExpander, format: unknown, maxGeometryPoints: number,
): Promise<FilteredNotification> {
  if (!ob || !needsFiltering(ob)) {
    return { body: n.body, entities: n.data.length, droppedEntities: 0, removedAttributes: 0 };
  }
  const out = await filterResponseInSlices({
    operation: 'entity.query',
    body: n.data,
    ...shownBy(ob),
    maxGeometryPoints,
    expand,
    options: optionsOf(format),
  });
  const data = out.body as unknown[];
  return {
    body: { ...n.body, data }, entities: data.length, droppedEntities: out.droppedEntities, removedAttributes: out.removedAttributes,
    ...(out.released !== undefined ? { released: out.released } : {}),
  };
}

/** What a notification's data touches, for the audit record. */
export function notificationTargets(data: readonly unknown[]): { entityIds: string[]; types: string[]; attrs: string[] } {
  const ids = new Set<string>();
  const types = new Set<string>();
  const attrs = new Set<string>();
  for (const e of data) {
    if (!isObject(e)) continue;
    if (typeof e.id === 'string') ids.add(e.id);
    for (const t of Array.isArray(e.type) ? e.type : [e.type]) if (typeof t === 'string') types.add(t);
    for (const k of Object.keys(e)) if (k !== 'id' && k !== 'type' && k !== '@context') attrs.add(k);
  }
  return { entityIds: [...ids], types: [...types], attrs: [...attrs] };
}
