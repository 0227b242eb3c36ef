/**
 * A provider's contract may govern only what the provider owns. Checked and narrowed once,
 * when the contract is compiled, so decide() reads plain rules, knows nothing of
 * providers, and stays pure and fast:
 *
 * - a tenant, entity type or entity id the rule names and the provider does not own is
 *   refused (ERR_CONTRACT_NOT_OWNED, naming it);
 * - a rule without a tenant applies in the provider's tenants where it owns every type
 *   the rule names; a rule without a type covers the provider's types of each tenant;
 * - where the provider owns a type only for ids matching patterns, the rule covers only
 *   those ids.
 *
 * One rule may so become several (one per set of tenants, types and owned ids); they keep
 * the rule's uid, and a request they both cover counts once (decide.ts).
 */
import { ContractError } from './errors.js';
import type { CompiledContract, EntityIdMatch, Rule } from './model.js';
import type { OwnedIds, Provider } from './providers.js';
import type { IdPattern } from './regex.js';

function notOwned(c: CompiledContract, r: Rule, term: string, explanation: string): never {
  throw new ContractError('ERR_CONTRACT_NOT_OWNED', { source: c.source, rule: r.uid }, term, explanation);
}

function ownedIn(p: Provider, tenant: string): ReadonlyMap<string, OwnedIds> {
  return p.owns.get(tenant) ?? new Map<string, OwnedIds>();
}

/** The tenants the rule applies in, every one owned with every type the rule names. */
function tenantsOf(c: CompiledContract, r: Rule, p: Provider): string[] {
  if (r.tenants !== null) {
    for (const tenant of r.tenants) {
      if (!p.owns.has(tenant)) notOwned(c, r, tenant, `provider ${p.id} owns nothing in this tenant`);
      for (const type of r.types ?? []) {
        if (!ownedIn(p, tenant).has(type)) notOwned(c, r, type, `provider ${p.id} does not own this entity type in tenant ${tenant}`);
      }
    }
    return [...r.tenants];
  }
  const types = r.types === null ? [] : [...r.types];
  const tenants = [...p.owns.keys()].filter((t) => types.every((type) => ownedIn(p, t).has(type)));
  if (tenants.length > 0) return tenants;
  const missing = types.find((type) => ![...p.owns.values()].some((owned) => owned.has(type)));
  if (missing !== undefined) notOwned(c, r, missing, `provider ${p.id} does not own this entity type`);
  return notOwned(c, r, types.join(', '), `provider ${p.id} owns these entity types in no one tenant together; name the tenants of each`);
}

function anyOf(patterns: readonly IdPattern[]): IdPattern {
  if (patterns.length === 1) return patterns[0] as IdPattern;
  return { source: patterns.map((x) => `(?:${x.source})`).join('|'), test: (id) => patterns.some((x) => x.test(id)) };
}

function bothOf(a: IdPattern, b: IdPattern): IdPattern {
  return { source: `(${a.source}) and (${b.source})`, test: (id) => a.test(id) && b.test(id) };
}

/**
 * The rule's ids within the owned ones; `none` when the rule names ids of which none is
 * owned here (that part of the rule covers nothing).
 */
function narrowIds(ids: EntityIdMatch | null, owned: OwnedIds): EntityIdMatch | null | 'none' {
  if (owned === null) return ids;
  const mine = anyOf(owned);
  if (ids === null) return { ids: null, pattern: mine };
  if (ids.pattern !== null) return { ids: null, pattern: bothOf(ids.pattern, mine) };
  const kept = new Set([...(ids.ids ?? [])].filter((id) => mine.test(id)));
  return kept.size === 0 ? 'none' : { ids: kept, pattern: null };
}

const idsKey = (owned: OwnedIds): string => (owned === null ? '*' : owned.map((x) => x.source).join('\u0000'));

interface Part {
  tenants: Set<string>;
  types: string[];
  owned: OwnedIds;
}

/** The rule split by (types, owned ids), each part with the tenants it holds in. */
function partsOf(r: Rule, p: Provider, tenants: readonly string[]): Part[] {
  const parts = new Map<string, Part>();
  for (const tenant of tenants) {
    const owned = ownedIn(p, tenant);
    const byIds = new Map<string, { types: string[]; owned: OwnedIds }>();
    for (const type of r.types ?? owned.keys()) {
      const ids = owned.get(type) ?? null;
      const k = idsKey(ids);
      let group = byIds.get(k);
      if (!group) byIds.set(k, (group = { types: [], owned: ids }));
      group.types.push(type);
    }
    for (const [k, group] of byIds) {
      const key = `${k}\u0001${[...group.types].sort().join('\u0000')}`;
      let part = parts.get(key);
      if (!part) parts.set(key, (part = { tenants: new Set(), types: group.types, owned: group.owned }));
      part.tenants.add(tenant);
    }
  }
  return [...parts.values()];
}

function scopeRule(c: CompiledContract, r: Rule, p: Provider, key: string): Rule[] {
  const out: Rule[] = [];
  for (const part of partsOf(r, p, tenantsOf(c, r, p))) {
    const ids = narrowIds(r.ids, part.owned);
    if (ids === 'none') continue;
    out.push(Object.freeze({ ...r, contract: key, provider: p.id, tenants: part.tenants, types: new Set(part.types), ids }));
  }
  const named = r.ids?.ids;
  if (named) {
    for (const id of named) {
      if (!out.some((x) => x.ids?.ids?.has(id) ?? true)) notOwned(c, r, id, `provider ${p.id} does not own this entity id`);
    }
  }
  return out;
}

/** The contract's rules, each narrowed to what the provider owns, under the contract's key. */
export function scopeToProvider(c: CompiledContract, p: Provider, key: string): { permissions: Rule[]; prohibitions: Rule[] } {
  return {
    permissions: c.permissions.flatMap((r) => scopeRule(c, r, p, key)),
    prohibitions: c.prohibitions.flatMap((r) => scopeRule(c, r, p, key)),
  };
}
