import { FULL_SCOPE } from './scope.js';
import { NGSI_LD_NAMESPACE } from '../context/core-terms.js';
import type { AttributeScope, Obligations, ShownObligations } from './types.js';

/** IRI of the attribute a spatial obligation places entities by. */
export const LOCATION_IRI = `${NGSI_LD_NAMESPACE}location`;

/** True when the decision asks the response to be cut down (types, attributes or area). */
export function needsFiltering(ob: Obligations): boolean {
  return ob.view !== undefined || ob.within !== undefined || ob.otherTypesWithin !== undefined
    || ob.excludeTypes !== undefined || ob.forbidTypes !== undefined || ob.consent !== undefined;
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
 * applies; the data-subject attribute of each type shown under consent. (No other
 * constraint or duty reads entity data.)
 */
export function attributesRead(ob: Obligations): readonly string[] {
  const out = boundedByArea(ob) ? [LOCATION_IRI] : [];
  if (ob.consent) for (const c of ob.consent.types.values()) if (!out.includes(c.subject)) out.push(c.subject);
  return out;
}

/** What a response filter must apply, from the obligations: one reading for every filter. */
export interface Shown extends ShownObligations {
  view: ReadonlyMap<string, AttributeScope>;
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
  if (ob.consent) out.consent = ob.consent;
  return out;
}

/**
 * A data subject's identifier as the gateway may write it into a query: a URI without
 * quotes, backslashes, white space or the q language's separators. The consent module
 * gives no consent under another (src/consent).
 */
export const QUOTABLE_SUBJECT = /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9._~:@!$&'*+=/%-]{1,512}$/;

/** A query narrowed to the entities of some data subjects: those whose `attribute` names one of `subjects`. */
export interface ConsentNarrowing {
  attribute: string;
  subjects: readonly string[];
}

/**
 * Where the consent obligation lets the broker itself select exactly the entities the
 * filter will show: every type shown is shown only under consent (nothing without it),
 * one attribute names the data subject of them all, and each consenting subject covers
 * every one of those types. Then a query narrowed to those subjects matches, and counts,
 * only entities the caller sees. Undefined otherwise (or without a consent obligation).
 */
/**
 * The span of time a temporal answer under consent can show anything from: from the
 * earliest consent given to the latest end (open when one is open). Undefined where some
 * type shows something without consent, whose whole history may then show.
 */
export function consentHistorySpan(ob: Obligations): { from: number; until?: number } | undefined {
  const c = ob.consent;
  if (c === undefined || ob.view === undefined || ob.otherTypes !== undefined || ob.view.size === 0) return undefined;
  for (const t of ob.view.keys()) if (c.types.get(t) === undefined || c.types.get(t)!.free !== undefined) return undefined;
  let from = Infinity;
  let until: number | undefined = -Infinity;
  for (const byType of c.windows.values()) {
    for (const windows of byType.values()) {
      for (const w of windows) {
        from = Math.min(from, w.from);
        until = w.until === undefined || until === undefined ? undefined : Math.max(until, w.until);
      }
    }
  }
  if (from === Infinity) return undefined;
  return until === undefined ? { from } : { from, until };
}

export function consentNarrowing(ob: Obligations): ConsentNarrowing | undefined {
  const c = ob.consent;
  if (c === undefined || ob.view === undefined || ob.otherTypes !== undefined || ob.view.size === 0) return undefined;
  let attribute: string | undefined;
  for (const t of ob.view.keys()) {
    const ct = c.types.get(t);
    if (ct === undefined || ct.free !== undefined) return undefined;
    if (attribute !== undefined && attribute !== ct.subject) return undefined;
    attribute = ct.subject;
  }
  const subjects: string[] = [];
  for (const [subject, byType] of c.covered) {
    if (!QUOTABLE_SUBJECT.test(subject)) return undefined;
    for (const t of ob.view.keys()) if (!byType.has(t)) return undefined;
    subjects.push(subject);
  }
  return attribute === undefined || subjects.length === 0 ? undefined : { attribute, subjects };
}
