/**
 * Result counts that never count what the caller cannot see. The broker counts every
 * entity its query matches; the gateway sees one page of them, so it can only subtract
 * what it hides on that page. A count is therefore given only when the filter cannot hide
 * an entity the broker counted: no shown type bounded by an area, no excluded type (an entity may
 * carry one beside a readable type), and a type list that bounds the broker to shown types
 * (named by the caller, narrowed by the gateway, or every type shown); under consent, a
 * query the gateway narrowed to the consenting data subjects. Otherwise
 * `count=true` is refused before the broker is asked, so the refusal depends on the
 * caller's rights alone, never on the data.
 */
import { MimtrustError } from '../errors/index.js';
import type { Operation } from '../ngsi/types.js';
import { boundedByArea } from '../policy/obligations.js';
import type { Obligations } from '../policy/types.js';
import { listsEntities } from './response.js';

type Query = ReadonlyArray<readonly [string, string]>;

/**
 * True when every entity the broker counts for this query is one the filter shows.
 * `consentNarrowed`: the gateway narrowed the query to the consenting data subjects.
 */
export function brokerCountExact(ob: Obligations, typeUnknown: boolean, query: Query, consentNarrowed = false): boolean {
  if (boundedByArea(ob)) return false;
  if (ob.consent !== undefined && !consentNarrowed) return false;
  if (ob.view === undefined) return true;
  if (ob.excludeTypes !== undefined && ob.excludeTypes.size > 0) return false;
  return !typeUnknown || ob.otherTypes !== undefined || query.some(([n]) => n === 'type');
}

/** Refuses `count=true` on an entity list whose count could include entities the caller cannot see. */
export function checkCountable(operation: Operation, query: Query, ob: Obligations, typeUnknown: boolean, consentNarrowed = false): void {
  if (!listsEntities(operation) || !query.some(([n, v]) => n === 'count' && v === 'true')) return;
  if (brokerCountExact(ob, typeUnknown, query, consentNarrowed)) return;
  throw new MimtrustError(
    'FORBIDDEN',
    'This caller may not see every entity the query matches, so the gateway cannot give an exact count; ask without count=true.',
    { reason: 'count_not_exact', extensions: { reason: 'count_not_exact' } },
  );
}

/**
 * Checks a count the broker sent against what the filter hid. A count is only let through
 * where the filter hides nothing the broker counted, so a hidden entity here means the
 * broker matched differently than decided: refuse rather than show a count including it.
 */
export function checkShownCount(header: string | string[] | undefined, droppedEntities: number): void {
  if (header === undefined || droppedEntities === 0) return;
  throw new MimtrustError('INTERNAL', 'The result count could not be given exactly.', { reason: 'count_not_exact' });
}
