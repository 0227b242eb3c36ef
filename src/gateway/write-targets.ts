/**
 * Which entities a write changes, and which types the caller's body gives each of them.
 * A write to an entity that may already exist is decided on the types the broker holds, so
 * these are the ids to look up; the types a body names count only where they add to them.
 * Reads the body classify() has already checked, so shapes are not checked again here.
 */
import { MimtrustError } from '../errors/index.js';
import type { Action, NgsiRequest, Operation } from '../ngsi/index.js';

export interface WriteTarget {
  id: string;
  /** Types the body names for this entity, as written (none for attribute writes and deletes). */
  claimed: string[];
}

export interface WriteTargets {
  temporal: boolean;
  /** An entity the broker does not hold is created (upsert, temporal create) rather than missing. */
  creates: boolean;
  targets: WriteTarget[];
}

/** What the body of a write holds: entity fragments, entity ids, or nothing that names a type. */
type BodyShape = 'entity' | 'entities' | 'ids' | 'none';

interface Shape {
  /** The entity is named by the path (otherwise by the body). */
  byPath: boolean;
  body: BodyShape;
  temporal?: true;
  creates?: true;
}

const WRITES: ReadonlyMap<Operation, Shape> = new Map<Operation, Shape>([
  ['entity.replace', { byPath: true, body: 'entity' }],
  ['entity.merge', { byPath: true, body: 'entity' }],
  ['entity.delete', { byPath: true, body: 'none' }],
  ['attrs.append', { byPath: true, body: 'entity' }],
  ['attrs.update', { byPath: true, body: 'entity' }],
  ['attr.update', { byPath: true, body: 'none' }],
  ['attr.replace', { byPath: true, body: 'none' }],
  ['attr.delete', { byPath: true, body: 'none' }],
  ['batch.update', { byPath: false, body: 'entities' }],
  ['batch.merge', { byPath: false, body: 'entities' }],
  ['batch.upsert', { byPath: false, body: 'entities', creates: true }],
  ['batch.delete', { byPath: false, body: 'ids' }],
  ['temporal.create', { byPath: false, body: 'entity', temporal: true, creates: true }],
  ['temporal.delete', { byPath: true, body: 'none', temporal: true }],
  ['temporal.attrs.append', { byPath: true, body: 'entity', temporal: true }],
  ['temporal.attr.delete', { byPath: true, body: 'none', temporal: true }],
  ['temporal.instance.modify', { byPath: true, body: 'none', temporal: true }],
  ['temporal.instance.delete', { byPath: true, body: 'none', temporal: true }],
]);

/** True for the writes decided on the types the broker holds. */
export function writesStoredEntities(op: Operation): boolean {
  return WRITES.has(op);
}

type Obj = Record<string, unknown>;

function asObject(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

function texts(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

/** The id and the claimed types of one entity fragment (`id`/`@id`, `type`/`@type`). */
function fragment(v: unknown): { ids: string[]; types: string[] } {
  const e = asObject(v);
  return { ids: [...texts(e['id']), ...texts(e['@id'])], types: [...texts(e['type']), ...texts(e['@type'])] };
}

function add(byId: Map<string, Set<string>>, id: string, types: readonly string[]): void {
  let set = byId.get(id);
  if (!set) byId.set(id, (set = new Set()));
  for (const t of types) set.add(t);
}

/** The entities a write changes, or undefined for operations not decided on stored types. */
export function writeTargets(ngsi: Pick<NgsiRequest, 'operation' | 'pathEntityId'>, body: unknown): WriteTargets | undefined {
  const shape = WRITES.get(ngsi.operation);
  if (!shape) return undefined;
  const byId = new Map<string, Set<string>>();
  if (shape.byPath) {
    const id = ngsi.pathEntityId;
    if (id === undefined) throw new MimtrustError('INTERNAL', 'The request could not be processed.', { reason: 'entity_id_missing' });
    const f = shape.body === 'entity' ? fragment(body) : { ids: [], types: [] };
    // The broker acts on one entity: a body naming another could be read as that one.
    if (f.ids.some((other) => other !== id)) {
      throw new MimtrustError('BAD_REQUEST', 'The entity id in the body differs from the one in the path.', { reason: 'entity_id_mismatch' });
    }
    add(byId, id, f.types);
  } else if (shape.body === 'ids') {
    for (const id of texts(body)) add(byId, id, []);
  } else {
    const items = shape.body === 'entities' && Array.isArray(body) ? body : [body];
    for (const item of items) {
      const f = fragment(item);
      // An entity without an id could not be looked up, so nothing would say what it is.
      if (f.ids.length === 0) {
        throw new MimtrustError('BAD_REQUEST', 'The request body is not valid for this operation: every entity must name its id.', { reason: 'invalid_body' });
      }
      for (const id of f.ids) add(byId, id, f.types);
    }
  }
  return {
    temporal: shape.temporal === true,
    creates: shape.creates === true,
    targets: [...byId].map(([id, claimed]) => ({ id, claimed: [...claimed] })),
  };
}

/** Writes that change attributes only, unless their body names a type. */
const KEEPS_TYPES: ReadonlySet<Operation> = new Set<Operation>([
  'entity.merge', 'attrs.append', 'attrs.update', 'attr.update', 'attr.replace', 'attr.delete',
  'batch.update', 'batch.merge',
  'temporal.attrs.append', 'temporal.attr.delete', 'temporal.instance.modify', 'temporal.instance.delete',
]);

const WRITE_ACTIONS: ReadonlySet<Action> = new Set<Action>(['create', 'modify', 'delete']);

/**
 * Whether a write may leave its entities with other types than before: it creates, deletes
 * or replaces them, or its body names a type. Then what is known of their types is stale.
 */
export function mayChangeTypes(ngsi: Pick<NgsiRequest, 'operation' | 'action' | 'pathEntityId'>, body: unknown): boolean {
  if (!WRITE_ACTIONS.has(ngsi.action)) return false;
  if (!KEEPS_TYPES.has(ngsi.operation)) return true;
  try {
    return writeTargets(ngsi, body)?.targets.some((t) => t.claimed.length > 0) ?? true;
  } catch {
    return true;
  }
}
