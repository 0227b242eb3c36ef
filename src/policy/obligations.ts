import { FULL_SCOPE } from './scope.js';
import type { Area } from '../contracts/model.js';
import type { AttributeScope, Obligations } from './types.js';

/** True when the decision asks the response to be cut down (types, attributes or area). */
export function needsFiltering(ob: Obligations): boolean {
  return ob.view !== undefined || ob.within !== undefined || ob.excludeTypes !== undefined || ob.forbidTypes !== undefined;
}

/** What a response filter must apply, from the obligations: one reading for every filter. */
export interface Shown {
  view: ReadonlyMap<string, AttributeScope>;
  otherTypes?: AttributeScope;
  excludeTypes?: ReadonlySet<string>;
  forbidTypes?: ReadonlyMap<string, AttributeScope>;
  within?: ReadonlyArray<Area>;
}

export function shownBy(ob: Obligations): Shown {
  const out: Shown = { view: ob.view ?? new Map() };
  // No view means every type is shown whole, less what the other obligations take away.
  const other = ob.view === undefined ? FULL_SCOPE : ob.otherTypes;
  if (other !== undefined) out.otherTypes = other;
  if (ob.excludeTypes) out.excludeTypes = ob.excludeTypes;
  if (ob.forbidTypes) out.forbidTypes = ob.forbidTypes;
  if (ob.within) out.within = ob.within;
  return out;
}
