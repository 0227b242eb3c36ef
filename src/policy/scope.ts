/**
 * Set algebra on attribute scopes. A scope is either a finite set of attributes (`only`)
 * or the complement of one (`all` except), so union, intersection and complement stay
 * exact without knowing every attribute an entity type may have.
 */
import { EVERY_ATTRIBUTE } from '../ngsi/index.js';
import type { AttributeScope } from './types.js';

const NONE: ReadonlySet<string> = new Set();
export const FULL_SCOPE: AttributeScope = Object.freeze({ kind: 'all', except: NONE });
export const EMPTY_SCOPE: AttributeScope = Object.freeze({ kind: 'only', attrs: NONE });

function minus(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const x of a) if (!b.has(x)) out.add(x);
  return out;
}

function common(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const x of a) if (b.has(x)) out.add(x);
  return out;
}

function plus(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const out = new Set(a);
  for (const x of b) out.add(x);
  return out;
}

export function scopePermits(scope: AttributeScope, attr: string): boolean {
  // A read of every attribute (an aggregation naming none) is permitted by a full scope only.
  if (attr === EVERY_ATTRIBUTE) return isFullScope(scope);
  return scope.kind === 'all' ? !scope.except.has(attr) : scope.attrs.has(attr);
}

export function isFullScope(scope: AttributeScope): boolean {
  return scope.kind === 'all' && scope.except.size === 0;
}

export function unionScope(a: AttributeScope, b: AttributeScope): AttributeScope {
  if (isFullScope(a) || isFullScope(b)) return FULL_SCOPE;
  if (a.kind === 'all' && b.kind === 'all') return { kind: 'all', except: common(a.except, b.except) };
  if (a.kind === 'all' && b.kind === 'only') return { kind: 'all', except: minus(a.except, b.attrs) };
  if (a.kind === 'only' && b.kind === 'all') return { kind: 'all', except: minus(b.except, a.attrs) };
  return { kind: 'only', attrs: plus((a as { attrs: ReadonlySet<string> }).attrs, (b as { attrs: ReadonlySet<string> }).attrs) };
}

export function intersectScope(a: AttributeScope, b: AttributeScope): AttributeScope {
  if (isFullScope(a)) return b;
  if (isFullScope(b)) return a;
  if (a.kind === 'all' && b.kind === 'all') return { kind: 'all', except: plus(a.except, b.except) };
  if (a.kind === 'all' && b.kind === 'only') return { kind: 'only', attrs: minus(b.attrs, a.except) };
  if (a.kind === 'only' && b.kind === 'all') return { kind: 'only', attrs: minus(a.attrs, b.except) };
  return { kind: 'only', attrs: common((a as { attrs: ReadonlySet<string> }).attrs, (b as { attrs: ReadonlySet<string> }).attrs) };
}

/** What `scope` permits once the attributes in `forbidden` are taken away. */
export function withoutScope(scope: AttributeScope, forbidden: AttributeScope): AttributeScope {
  const complement: AttributeScope = forbidden.kind === 'all'
    ? { kind: 'only', attrs: forbidden.except }
    : { kind: 'all', except: forbidden.attrs };
  return intersectScope(scope, complement);
}
