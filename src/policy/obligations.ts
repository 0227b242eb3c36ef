import { FULL_SCOPE } from './scope.js';
import type { Area } from '../contracts/model.js';
import { NGSI_LD_NAMESPACE } from '../context/core-terms.js';
import type { AttributeScope, Obligations } from './types.js';

/** IRI of the attribute a spatial obligation places entities by. */
export const LOCATION_IRI = `${NGSI_LD_NAMESPACE}location`;

/** True when the decision asks the response to be cut down (types, attributes or area). */
export function needsFiltering(ob: Obligations): boolean {
  return ob.view !== undefined || ob.within !== undefined || ob.otherTypesWithin !== undefined
    || ob.excludeTypes !== undefined || ob.forbidTypes !== undefined;
}

/** True when some type is shown only within areas. */
export function boundedByArea(ob: Obligations): boolean {
  return (ob.within !== undefined && ob.within.size > 0) || ob.otherTypesWithin !== undefined;
}

/** True when entities of `type` (an IRI) are shown only within areas. */
export function typeBoundedByArea(ob: Obligations, type: string): boolean {
  if (ob.view !== undefined && ob.view.has(type)) return ob.within?.has(type) ?? false;
  return ob.otherTypesWithin !== undefined;
}

/**
 * Attributes the response filter reads from every entity to fulfil the obligations, so the
 * broker must be asked for them whatever the caller asked: `location`, where an area
 * applies. (No other constraint or duty reads entity data.)
 */
export function attributesRead(ob: Obligations): readonly string[] {
  return boundedByArea(ob) ? [LOCATION_IRI] : [];
}

/** What a response filter must apply, from the obligations: one reading for every filter. */
export interface Shown {
  view: ReadonlyMap<string, AttributeScope>;
  otherTypes?: AttributeScope;
  excludeTypes?: ReadonlySet<string>;
  forbidTypes?: ReadonlyMap<string, AttributeScope>;
  within?: ReadonlyMap<string, ReadonlyArray<Area>>;
  otherTypesWithin?: ReadonlyArray<Area>;
}

export function shownBy(ob: Obligations): Shown {
  const out: Shown = { view: ob.view ?? new Map() };
  // No view means every type is shown whole, less what the other obligations take away.
  const other = ob.view === undefined ? FULL_SCOPE : ob.otherTypes;
  if (other !== undefined) out.otherTypes = other;
  if (ob.excludeTypes) out.excludeTypes = ob.excludeTypes;
  if (ob.forbidTypes) out.forbidTypes = ob.forbidTypes;
  if (ob.within) out.within = ob.within;
  if (ob.otherTypesWithin) out.otherTypesWithin = ob.otherTypesWithin;
  return out;
}
