/**
 * What the consent screen asks a citizen for, read from the contract snapshot: the entity
 * types and attributes that permissions needing consent (`ngsi:obtainConsent`) grant to
 * this client or its organisation, at this issuer, for this purpose. Pure. Only what some
 * contract could use is offered, so a consent never covers more than can be read with it.
 */
import { hasParty, type PolicySnapshot, type Rule } from '../contracts/index.js';
import { purposeWithin } from '../contracts/purposes.js';
import type { PersonalData } from '../consent/index.js';

export interface RequestedData {
  /** Expanded entity type IRI. */
  type: string;
  /** Expanded attribute IRIs, sorted; null: every attribute of the type. */
  attributes: string[] | null;
}

export interface ConsentAsker {
  issuer: string;
  clientId: string;
  organisation?: string;
  /** DPV purpose IRI. */
  purpose: string;
}

function forAsker(rule: Rule, a: ConsentAsker): boolean {
  if (rule.assignee === null) return false;
  const { parties } = rule.assignee;
  return hasParty(parties, a.issuer, a.clientId) || hasParty(parties, a.issuer, a.organisation);
}

function purposeFits(rule: Rule, purpose: string): boolean {
  return rule.constraints.every((c) => c.kind !== 'purpose' || [...c.allowed].some((p) => (c.exact ? p === purpose : purposeWithin(purpose, p))));
}

/** The data to ask consent for, by entity type in a stable order. */
export function consentRequest(snapshot: PolicySnapshot | undefined, asker: ConsentAsker): RequestedData[] {
  const byType = new Map<string, Set<string> | null>();
  for (const contract of snapshot?.contracts.values() ?? []) {
    for (const rule of contract.permissions) {
      // A rule for any type cannot be shown as data a person understands; it is left out.
      if (!rule.consent || rule.types === null || !forAsker(rule, asker) || !purposeFits(rule, asker.purpose)) continue;
      for (const type of rule.types) {
        const known = byType.get(type);
        if (known === null) continue;
        if (rule.attrs === null || rule.attrs.kind === 'all') byType.set(type, null);
        else byType.set(type, new Set([...(known ?? []), ...rule.attrs.attrs]));
      }
    }
  }
  return [...byType.keys()].sort().map((type) => {
    const attrs = byType.get(type);
    return { type, attributes: attrs === null || attrs === undefined ? null : [...attrs].sort() };
  });
}

/** Chosen attributes by position (`t.a` or `t.all`) in what was asked; anything else is ignored. */
export function chosenData(asked: readonly RequestedData[], values: readonly string[]): PersonalData[] {
  const out: PersonalData[] = [];
  asked.forEach((d, t) => {
    if (d.attributes === null) {
      if (values.includes(`${t}.all`)) out.push({ type: d.type, attributes: null });
      return;
    }
    const attrs = d.attributes.filter((_a, i) => values.includes(`${t}.${i}`));
    if (attrs.length > 0) out.push({ type: d.type, attributes: attrs });
  });
  return out;
}

/** A name to show for an IRI: its last segment. */
export function shortName(iri: string): string {
  const cut = Math.max(iri.lastIndexOf('/'), iri.lastIndexOf('#'), iri.lastIndexOf(':'));
  return cut >= 0 && cut < iri.length - 1 ? iri.slice(cut + 1) : iri;
}
