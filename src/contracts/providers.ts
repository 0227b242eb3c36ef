/**
 * Data providers: named parties the city operator declares in the configuration. Each
 * owns some entity types in some tenants, optionally only the entities whose ids match
 * patterns; its contracts may govern nothing else (ownership.ts). Two providers may share
 * a type in a tenant only where their id patterns provably never name the same entity,
 * or one could open what the other owns.
 */
import type { IdPattern } from './regex.js';

/** The entities of one owned type a provider governs: those whose id matches a pattern, or (null) all. */
export type OwnedIds = readonly IdPattern[] | null;

export interface Provider {
  readonly id: string;
  readonly title: string | undefined;
  /** Tenant (canonical; `@default` for the default tenant) -> entity type IRI -> the ids owned. */
  readonly owns: ReadonlyMap<string, ReadonlyMap<string, OwnedIds>>;
}

/** Providers by id. Empty when none is configured: then the operator is the only party. */
export type Providers = ReadonlyMap<string, Provider>;

/** One `owns` entry with its names already expanded and its patterns compiled. */
export interface OwnsEntry {
  tenants: readonly string[];
  types: readonly string[];
  idPatterns: readonly IdPattern[] | null;
}

/** Two providers claim entities that may be the same ones. */
export interface OwnershipOverlap {
  providers: [string, string];
  tenant: string;
  type: string;
}

/** Merges a provider's entries: a type owned without patterns in one entry is owned whole. */
export function providerOf(id: string, title: string | undefined, entries: readonly OwnsEntry[]): Provider {
  const owns = new Map<string, Map<string, OwnedIds>>();
  for (const e of entries) {
    for (const tenant of e.tenants) {
      let types = owns.get(tenant);
      if (!types) owns.set(tenant, (types = new Map<string, OwnedIds>()));
      for (const type of e.types) {
        const had = types.get(type);
        if (had === null || e.idPatterns === null) types.set(type, null);
        else types.set(type, [...(had ?? []), ...e.idPatterns]);
      }
    }
  }
  return Object.freeze({ id, title, owns });
}

const META = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);

/** True when the pattern is an alternation at its top level (`a|b`): its matches share no prefix. */
function topLevelAlternation(p: string): boolean {
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') i++;
    else if (c === '[') {
      i++;
      while (i < p.length && p[i] !== ']') i += p[i] === '\\' ? 2 : 1;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

/**
 * The text every id the pattern matches starts with (patterns match the whole id). Only
 * plain and escaped punctuation characters count; a character a quantifier may drop or
 * repeat ends it. Conservative: a shorter prefix only makes overlaps look more likely.
 */
export function literalPrefix(pattern: string): string {
  const p = pattern.startsWith('^') ? pattern.slice(1) : pattern;
  if (topLevelAlternation(p)) return '';
  let out = '';
  let i = 0;
  while (i < p.length) {
    const c = p[i] as string;
    let literal: string;
    let width = 1;
    if (c === '\\') {
      const next = p[i + 1];
      // `\.` is a dot; `\d`, `\w`, `\x41` and the like are classes or codes: the prefix ends.
      if (next === undefined || /[A-Za-z0-9]/.test(next)) break;
      literal = next;
      width = 2;
    } else if (META.has(c)) {
      break;
    } else {
      literal = c;
    }
    const after = p[i + width];
    if (after === '?' || after === '*' || after === '{') break;
    out += literal;
    if (after === '+') break;
    i += width;
  }
  return out;
}

/** True when no id can match both patterns: their literal prefixes part somewhere. */
export function patternsDisjoint(a: IdPattern, b: IdPattern): boolean {
  const pa = literalPrefix(a.source);
  const pb = literalPrefix(b.source);
  return !pa.startsWith(pb) && !pb.startsWith(pa);
}

function idsDisjoint(a: OwnedIds, b: OwnedIds): boolean {
  if (a === null || b === null) return false;
  return a.every((x) => b.every((y) => patternsDisjoint(x, y)));
}

/** The first pair of providers that may own the same entity, or undefined when none do. */
export function findOverlap(providers: readonly Provider[]): OwnershipOverlap | undefined {
  for (let i = 0; i < providers.length; i++) {
    const a = providers[i] as Provider;
    for (let j = i + 1; j < providers.length; j++) {
      const b = providers[j] as Provider;
      for (const [tenant, typesA] of a.owns) {
        const typesB = b.owns.get(tenant);
        if (!typesB) continue;
        for (const [type, idsA] of typesA) {
          if (typesB.has(type) && !idsDisjoint(idsA, typesB.get(type) ?? null)) return { providers: [a.id, b.id], tenant, type };
        }
      }
    }
  }
  return undefined;
}
