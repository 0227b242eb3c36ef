/**
 * The consent layer of the decision. A permission with an `obtainConsent` duty applies
 * only under an obligation: each entity goes out as far as its data subject consented to
 * the caller (the recipient), for the request's purpose (the same or narrower), for the
 * entity's type and attributes. Which consents the caller's token rests on is looked up
 * before the decision; here they are only read, with the request's clock. Pure.
 */
import type { Rule } from '../contracts/model.js';
import { hasParty } from '../contracts/parties.js';
import { purposeAncestors, purposeIri } from '../contracts/purposes.js';
import { unionScope } from './scope.js';
import type { AttributeScope, ConsentGrant, ConsentObligation, ConsentType, ConsentWindow, PolicyRequest } from './types.js';

/** True while the consent holds at `now` (it was given and not withdrawn, as the caller looked up). */
export function consentInForce(g: ConsentGrant, now: number): boolean {
  return g.until === undefined || now < g.until;
}

/**
 * True when the consent is given to whoever receives the data: the declared recipient
 * where the request declares one (its issuer vouched for it), the caller otherwise (its
 * client, organisation or subject, at its issuer).
 */
export function consentReaches(g: ConsentGrant, req: PolicyRequest): boolean {
  if (req.recipient !== undefined) return hasParty(g.recipients, req.recipient.issuer, req.recipient.id);
  const s = req.subject;
  return hasParty(g.recipients, s.issuer, s.clientId) || hasParty(g.recipients, s.issuer, s.organisation) || hasParty(g.recipients, s.issuer, s.sub);
}

/** The declared purpose and its broader ones; empty without one. */
function declaredPurposes(purpose: string | undefined): ReadonlySet<string> {
  const iri = purpose === undefined ? undefined : purposeIri(purpose);
  return iri === undefined ? NO_PURPOSES : purposeAncestors(iri);
}

const NO_PURPOSES: ReadonlySet<string> = new Set();

function givenForOneOf(g: ConsentGrant, purposes: ReadonlySet<string>): boolean {
  for (const p of purposes) if (g.purposes.has(p)) return true;
  return false;
}

/** True when the declared purpose is one the consent was given for, or narrower; never without one. */
export function consentServes(g: ConsentGrant, purpose: string | undefined): boolean {
  return givenForOneOf(g, declaredPurposes(purpose));
}

/** The caller's consents that hold for this request: in force, given to its recipient, for its purpose. */
export function coveringConsents(grants: readonly ConsentGrant[] | undefined, req: PolicyRequest): ConsentGrant[] {
  if (grants === undefined || grants.length === 0) return [];
  // Read once per request, not once per consent: a token may rest on many.
  const purposes = declaredPurposes(req.purpose);
  return grants.filter((g) => consentInForce(g, req.now) && givenForOneOf(g, purposes) && consentReaches(g, req));
}

/**
 * Whether a consent-bound permission can apply at all: it names the attribute that finds
 * an entity's data subject, and some covering consent covers one of its types that the
 * request may touch. Otherwise no entity could ever go out through it, and the request is
 * refused on the caller's rights alone (`consent_required`), never on the data.
 */
export function consentMayApply(rule: Rule, covering: readonly ConsentGrant[], req: PolicyRequest, unknownType: boolean): boolean {
  if (rule.dataSubject === null || rule.types === null || covering.length === 0) return false;
  for (const t of rule.types) {
    if (!unknownType && !req.types.includes(t)) continue;
    if (covering.some((g) => g.types.has(t))) return true;
  }
  return false;
}

/** The data-subject attribute the consent-bound rules covering `type` name; undefined when they disagree. */
export function subjectAttribute(rules: readonly Rule[], type: string): string | undefined {
  let found: string | undefined;
  for (const r of rules) {
    if (r.types === null || !r.types.has(type) || r.dataSubject === null) continue;
    if (found !== undefined && found !== r.dataSubject) return undefined;
    found = r.dataSubject;
  }
  return found;
}

/** The obligation for the types shown under consent, from the consents that cover the request. */
export function consentObligation(types: ReadonlyMap<string, ConsentType>, covering: readonly ConsentGrant[]): ConsentObligation {
  const covered = new Map<string, Map<string, AttributeScope>>();
  const windows = new Map<string, Map<string, ConsentWindow[]>>();
  const ids: string[] = [];
  for (const g of covering) {
    let used = false;
    for (const [t, scope] of g.types) {
      if (!types.has(t)) continue;
      let byType = covered.get(g.subject);
      if (!byType) covered.set(g.subject, (byType = new Map<string, AttributeScope>()));
      const prev = byType.get(t);
      byType.set(t, prev ? unionScope(prev, scope) : scope);
      let spans = windows.get(g.subject);
      if (!spans) windows.set(g.subject, (spans = new Map<string, ConsentWindow[]>()));
      const list = spans.get(t) ?? [];
      list.push(g.until === undefined ? { from: g.from, scope } : { from: g.from, until: g.until, scope });
      spans.set(t, list);
      used = true;
    }
    if (used) ids.push(g.id);
  }
  return { types, covered, windows, consents: ids };
}
