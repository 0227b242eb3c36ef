import type { Operation } from './types.js';

/**
 * Operations that only read: everything else changes state at the broker (entities,
 * temporal history, subscriptions, registrations, hosted contexts), so its decision must
 * be on record before it is forwarded. Entity maps are the state of a distributed query,
 * not context information.
 */
const READS: ReadonlySet<Operation> = new Set<Operation>([
  'entity.query', 'entity.retrieve', 'batch.query',
  'temporal.query', 'temporal.retrieve', 'temporal.batch.query',
  'subscription.list', 'subscription.retrieve',
  'csource.list', 'csource.retrieve', 'csourceSubscription.list', 'csourceSubscription.retrieve',
  'types.list', 'types.retrieve', 'attributes.list', 'attributes.retrieve',
  'jsonldContexts.list', 'jsonldContexts.retrieve', 'info.sourceIdentity', 'info.conformance',
  'entityMap.create', 'entityMap.list', 'entityMap.retrieve', 'entityMap.update', 'entityMap.delete',
]);

export function changesState(op: Operation): boolean {
  return !READS.has(op);
}
