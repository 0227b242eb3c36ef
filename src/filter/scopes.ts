/**
 * Which attributes a view lets through for a given entity: the union of the scopes of
 * the entity's types that the view names, less what any of its types forbids. Where types
 * are shown only within areas, each type's scope counts only where the entity lies inside
 * that type's areas (spatial.ts), so the entity's types are kept apart until then.
 */
import type { Area } from '../geo/index.js';
import { unionScope, withoutScope } from '../policy/scope.js';
import type { AttributeScope } from '../policy/types.js';
import type { TermExpander, TypeView } from './types.js';

export function scopePermits(scope: AttributeScope, iri: string): boolean {
  return scope.kind === 'all' ? !scope.except.has(iri) : scope.attrs.has(iri);
}

/**
 * What an entity whose `type` member is `type` (a string or an array of strings, as
 * compacted by the broker) may show: the union of the scopes of its types that the view
 * names, less everything any of its types forbids, so a prohibition on one type wins over
 * a permission on another. Undefined when none of its types is in the view, one of them is
 * excluded, or the member is malformed: such an entity is not shown.
 */
export function entityScope(type: unknown, view: TypeView, expand: TermExpander): AttributeScope | undefined {
  if (typeof type === 'string') {
    const iri = expand(type);
    const scope = view.get(iri);
    const forbidden = view.forbidden(iri);
    return scope !== undefined && forbidden !== undefined ? withoutScope(scope, forbidden) : scope;
  }
  if (!Array.isArray(type)) return undefined;
  let scope: AttributeScope | undefined;
  let forbidden: AttributeScope | undefined;
  for (const t of type) {
    // One unreadable type makes the whole list unreadable: no partial guesses.
    if (typeof t !== 'string') return undefined;
    const iri = expand(t);
    // A prohibited type hides the entity whatever its other types would show.
    if (view.excluded(iri)) return undefined;
    const s = view.get(iri);
    if (s !== undefined) scope = scope === undefined || scope === s ? s : unionScope(scope, s);
    const f = view.forbidden(iri);
    if (f !== undefined) forbidden = forbidden === undefined ? f : unionScope(forbidden, f);
  }
  return scope !== undefined && forbidden !== undefined ? withoutScope(scope, forbidden) : scope;
}

/** True when some type in the view lets the attribute through (attribute discovery). */
export function permittedForSomeType(view: TypeView, iri: string): boolean {
  for (const scope of view.values()) if (scopePermits(scope, iri)) return true;
  return false;
}

/** One of an entity's types as the view shows it: its scope, and its areas (undefined: anywhere). */
export interface TypeGrant {
  readonly scope: AttributeScope;
  readonly areas: ReadonlyArray<Area> | undefined;
}

/** What an entity's types show before its place is known, and what they forbid. */
export interface EntityGrants {
  readonly grants: readonly TypeGrant[];
  readonly forbidden: AttributeScope | undefined;
}

/**
 * The entity's types as the view shows them, each with its areas (types alike counted
 * once). Undefined, as for entityScope, when no type is shown, one is excluded, or the
 * `type` member is malformed.
 */
export function entityGrants(type: unknown, view: TypeView, expand: TermExpander): EntityGrants | undefined {
  const types: readonly unknown[] | undefined = typeof type === 'string' ? [type] : Array.isArray(type) ? type : undefined;
  if (types === undefined) return undefined;
  const grants: TypeGrant[] = [];
  let forbidden: AttributeScope | undefined;
  for (const t of types) {
    if (typeof t !== 'string') return undefined;
    const iri = expand(t);
    if (view.excluded(iri)) return undefined;
    const scope = view.get(iri);
    if (scope !== undefined) {
      const areas = view.areas(iri);
      if (!grants.some((g) => g.scope === scope && g.areas === areas)) grants.push({ scope, areas });
    }
    const f = view.forbidden(iri);
    if (f !== undefined) forbidden = forbidden === undefined ? f : unionScope(forbidden, f);
  }
  return grants.length === 0 ? undefined : { grants, forbidden };
}

/** The union of the grants' scopes, less what is forbidden. */
export function shownScope(grants: readonly TypeGrant[], forbidden: AttributeScope | undefined): AttributeScope {
  let scope = (grants[0] as TypeGrant).scope;
  for (let i = 1; i < grants.length; i++) scope = unionScope(scope, (grants[i] as TypeGrant).scope);
  return forbidden === undefined ? scope : withoutScope(scope, forbidden);
}
