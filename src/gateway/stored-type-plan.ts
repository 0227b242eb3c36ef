/**
 * The decisions a write stands on once the broker has said what its entities are. An
 * entity is what all of its stored types make it, so the write is decided on those, not
 * on the types the body claims; a type the body adds needs the right to create that type;
 * entities an upsert creates are decided as creates of the claimed types. Pure.
 */
import type { Action, Operation } from '../ngsi/index.js';
import type { PolicyRequest } from '../policy/index.js';
import type { StoredEntities } from './stored-types.js';
import type { WriteTargets } from './write-targets.js';

export interface StoredTypePlan {
  /** Targets the broker does not hold and the write would not create: it answers "not found". */
  missing: string[];
  /** The decision that stands for the write. */
  primary: PolicyRequest;
  /** Reading the stored entities: a caller who may not cannot learn that they exist. */
  visibility?: PolicyRequest;
  /** Decisions that must permit as well; `refusal` replaces the decision's own reason when one does not. */
  also: Array<{ request: PolicyRequest; refusal?: { reason: string; detail: string } }>;
}

export interface PlanInput {
  /** The caller's request, names expanded (the body's types among them). */
  policy: PolicyRequest;
  targets: WriteTargets;
  /** The broker's answer per target id. */
  stored: StoredEntities;
  /** Expands a type the body names (the caller's @context). */
  expandClaimed: (term: string) => string;
  /** Expands a name the broker answered with (the core context, which the lookup asked in). */
  expandStored: (term: string) => string;
}

function union(lists: Iterable<Iterable<string>>): string[] {
  const out = new Set<string>();
  for (const l of lists) for (const x of l) out.add(x);
  return [...out];
}

export function planOnStoredTypes(input: PlanInput): StoredTypePlan {
  const { policy, targets, stored, expandClaimed, expandStored } = input;
  const existing: Array<{ id: string; types: string[]; claimed: string[]; attrs: readonly string[] }> = [];
  const created: Array<{ id: string; claimed: string[] }> = [];
  const missing: string[] = [];
  for (const t of targets.targets) {
    const entity = stored.get(t.id);
    const claimed = t.claimed.map(expandClaimed);
    if (entity) existing.push({ id: t.id, types: entity.types.map(expandStored), claimed, attrs: entity.attrs });
    else if (targets.creates) created.push({ id: t.id, claimed });
    else missing.push(t.id);
  }

  const createTypes = union(created.map((c) => c.claimed));
  const create: PolicyRequest | undefined = created.length === 0 ? undefined : {
    ...policy, action: 'create', entityIds: created.map((c) => c.id), types: createTypes, typeUnknown: createTypes.length === 0,
  };
  if (existing.length === 0) {
    return { missing, primary: create ?? policy, also: [] };
  }

  const ids = existing.map((e) => e.id);
  const types = union(existing.map((e) => e.types));
  // Writing to an entity that exists modifies it, whichever operation got it there.
  const action: Action = targets.creates ? 'modify' : policy.action;
  const primary: PolicyRequest = { ...policy, action, entityIds: ids, types, typeUnknown: false };
  const read: { action: Action; operation: Operation } = targets.temporal
    ? { action: 'readTemporal', operation: 'temporal.retrieve' }
    : { action: 'read', operation: 'entity.retrieve' };
  const visibility: PolicyRequest = {
    ...policy, ...read, entityIds: ids, idPatterns: [], types, attrs: [], filterReads: [], typeUnknown: false,
  };

  const also: StoredTypePlan['also'] = [];
  if (create) also.push({ request: create });
  // A type added to an entity makes all of it an entity of that type: the caller needs the
  // right to create that type with every attribute the entity will then have.
  const adding = existing
    .map((e) => ({ ...e, added: e.claimed.filter((t) => !e.types.includes(t)) }))
    .filter((e) => e.added.length > 0);
  if (adding.length > 0) {
    const keeps = policy.operation !== 'entity.replace';
    also.push({
      refusal: { reason: 'type_add_not_permitted', detail: 'The write adds an entity type the caller may not create.' },
      request: {
        ...policy,
        action: 'create',
        operation: targets.temporal ? 'temporal.create' : 'entity.create',
        entityIds: adding.map((e) => e.id),
        types: union(adding.map((e) => e.added)),
        attrs: union([policy.attrs, ...(keeps ? adding.map((e) => e.attrs.map(expandStored)) : [])]),
        filterReads: [],
        typeUnknown: false,
      },
    });
  }
  return { missing, primary, visibility, also };
}
