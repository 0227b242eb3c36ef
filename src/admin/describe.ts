/** Pure renderings of contracts and decisions for the admin API's JSON answers. */
import type { CompiledContract } from '../contracts/index.js';
import type { AttributeScope, Decision } from '../policy/index.js';

export function contractSummary(c: CompiledContract): Record<string, unknown> {
  return {
    uid: c.uid,
    source: c.source,
    type: c.type,
    permissions: c.permissions.map((r) => r.uid),
    prohibitions: c.prohibitions.map((r) => r.uid),
  };
}

function scopeJson(s: AttributeScope): Record<string, unknown> {
  return s.kind === 'all' ? { all: true, except: [...s.except].sort() } : { only: [...s.attrs].sort() };
}

/** A decision as JSON: sets and maps become arrays and objects. */
export function decisionJson(d: Decision): Record<string, unknown> {
  const o = d.obligations;
  const obligations: Record<string, unknown> = { counters: o.counters, auditLevel: o.auditLevel };
  if (o.view) obligations.view = Object.fromEntries([...o.view].map(([t, s]) => [t, scopeJson(s)]));
  if (o.otherTypes) obligations.otherTypes = scopeJson(o.otherTypes);
  if (o.excludeTypes) obligations.excludeTypes = [...o.excludeTypes].sort();
  if (o.within) obligations.within = o.within;
  return {
    decisionId: d.id,
    effect: d.effect,
    reason: d.reason,
    detail: d.detail,
    rules: d.rules,
    obligations,
  };
}
