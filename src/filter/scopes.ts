/**
 * Which attributes a view lets through for a given entity: the union of the scopes of
 * the entity's types that the view names, less what any of its types forbids.
 */
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
