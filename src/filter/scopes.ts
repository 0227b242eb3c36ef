/**
 * Which attributes a view lets through for a given entity: the union of the scopes of
 * the entity's types that the view names.
 */
import type { AttributeScope } from '../policy/types.js';
import type { TermExpander, TypeView } from './types.js';

export function scopePermits(scope: AttributeScope, iri: string): boolean {
  return scope.kind === 'all' ? !scope.except.has(iri) : scope.attrs.has(iri);
}

/** True when at least one of the scopes lets the attribute through. */
export function permits(scopes: readonly AttributeScope[], iri: string): boolean {
  for (const scope of scopes) if (scopePermits(scope, iri)) return true;
  return false;
}

/**
 * The scopes that apply to an entity whose `type` member is `type` (a string or an array
 * of strings, as compacted by the broker). Empty when none of its types is in the view or
 * the member is malformed: such an entity is not shown.
 */
export function scopesForTypes(type: unknown, view: TypeView, expand: TermExpander): AttributeScope[] {
  const scopes: AttributeScope[] = [];
  if (typeof type === 'string') {
    const scope = view.get(expand(type));
    if (scope !== undefined) scopes.push(scope);
    return scopes;
  }
  if (!Array.isArray(type)) return scopes;
  for (const t of type) {
    // One unreadable type makes the whole list unreadable: no partial guesses.
    if (typeof t !== 'string') return [];
    const iri = expand(t);
    // A prohibited type hides the entity whatever its other types would show.
    if (view.excluded(iri)) return [];
    const scope = view.get(iri);
    if (scope !== undefined && !scopes.includes(scope)) scopes.push(scope);
  }
  return scopes;
}

/** True when some type in the view lets the attribute through (attribute discovery). */
export function permittedForSomeType(view: TypeView, iri: string): boolean {
  for (const scope of view.values()) if (scopePermits(scope, iri)) return true;
  return false;
}
