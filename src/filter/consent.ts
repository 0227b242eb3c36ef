/**
 * The consent obligation on one entity: of each of its types shown under consent, it
 * shows what permissions needing no consent show, plus what its data subject consented
 * to. The data subject is the value of the type's data-subject attribute: a
 * Relationship's `object` or a Property's `value` (a bare string in keyValues or concise
 * form). Anything else there (no such attribute, several instances, another kind of
 * value) names nobody, and the entity shows only what needs no consent.
 */
import { intersectScope, unionScope } from '../policy/scope.js';
import type { AttributeScope, ConsentObligation } from '../policy/types.js';
import type { FilterContext } from './context.js';
import { isObject, type JsonObject, type Released, type TypeView } from './types.js';

/** The one string all items name, or undefined when there are none or they differ. */
function same(items: readonly unknown[], read: (item: unknown) => unknown): string | undefined {
  let found: string | undefined;
  for (const item of items) {
    const named = read(item);
    if (typeof named !== 'string' || (found !== undefined && named !== found)) return undefined;
    found = named;
  }
  return found;
}

/**
 * The person an attribute value names, or undefined when it names nobody readable. In a
 * temporal answer (instances, or temporalValues pairs) every instance must name the same
 * person: history spanning a change of data subject names nobody. Elsewhere an array is
 * a multi-attribute, which names nobody.
 */
export function subjectOf(value: unknown, temporal = false): string | undefined {
  if (typeof value === 'string') return value;
  if (temporal && Array.isArray(value)) return same(value, (i) => (isObject(i) ? subjectOf(i) : undefined));
  if (!isObject(value)) return undefined;
  if (temporal) {
    for (const m of ['objects', 'values']) {
      const pairs = value[m];
      if (Array.isArray(pairs)) return same(pairs, (p) => (Array.isArray(p) ? p[0] : undefined));
    }
  }
  const named = value['type'] === 'Relationship' || ('object' in value && !('value' in value)) ? value['object'] : value['value'];
  return typeof named === 'string' ? named : undefined;
}

/** The entity's data subjects, per data-subject attribute IRI. */
export function subjectsOf(source: JsonObject, ob: ConsentObligation, ctx: FilterContext): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const wanted = new Set<string>();
  for (const c of ob.types.values()) wanted.add(c.subject);
  for (const key of Object.keys(source)) {
    const iri = ctx.expand(key);
    if (!wanted.has(iri)) continue;
    // The same attribute under two names cannot be told apart: it names nobody.
    out.set(iri, out.has(iri) ? undefined : subjectOf(source[key], ctx.history !== undefined));
  }
  return out;
}

/** The view for this one entity: types under consent cut to what its data subject consented to. */
export function consentViewFor(source: JsonObject, ob: ConsentObligation, ctx: FilterContext): TypeView {
  const base = ctx.view;
  const subjects = subjectsOf(source, ob, ctx);
  const scopes = new Map<string, AttributeScope | undefined>();
  const get = (t: string): AttributeScope | undefined => {
    const c = ob.types.get(t);
    if (c === undefined) return base.get(t);
    if (scopes.has(t)) return scopes.get(t);
    let shown: AttributeScope | undefined;
    if (base.get(t) !== undefined) {
      const subject = subjects.get(c.subject);
      const covered = subject === undefined ? undefined : ob.covered.get(subject)?.get(t);
      const consented = covered === undefined ? undefined : intersectScope(c.granted, covered);
      shown = c.free !== undefined && consented !== undefined ? unionScope(c.free, consented) : c.free ?? consented;
    }
    scopes.set(t, shown);
    return shown;
  };
  return {
    ...base,
    get,
    has: (t) => get(t) !== undefined,
    // Only the types of this entity are ever asked for; the whole view stays as decided.
    values: () => base.values(),
  };
}

/**
 * Notes whose data a shown entity released under consent, for the audit record: the data
 * subject its types under consent name, when a consent of theirs covers something of this
 * request, with the entity's types under consent and the attributes shown (`shown`, its
 * members other than identity and system ones). Another person's entity shown only with
 * what needs no consent names nobody here.
 */
export function noteReleased(source: JsonObject, shown: readonly string[], ob: ConsentObligation, ctx: FilterContext): void {
  if (shown.length === 0) return;
  const type = source['type'];
  const types = (Array.isArray(type) ? type : [type]).filter((t): t is string => typeof t === 'string').map((t) => ctx.expand(t));
  let subjects: Map<string, string | undefined> | undefined;
  for (const t of types) {
    const c = ob.types.get(t);
    if (c === undefined) continue;
    subjects ??= subjectsOf(source, ob, ctx);
    const subject = subjects.get(c.subject);
    if (subject === undefined || !ob.covered.has(subject)) continue;
    const released = (ctx.stats.released ??= new Map<string, Released>());
    let of = released.get(subject);
    if (of === undefined) released.set(subject, (of = { types: new Set(), attrs: new Set() }));
    of.types.add(t);
    for (const a of shown) of.attrs.add(ctx.expand(a));
  }
}
