/** A decision as plain JSON, for the admin dry run and the decision API. */
import type { AttributeScope, Considered, Decision } from './types.js';

function scopeJson(s: AttributeScope): Record<string, unknown> {
  return s.kind === 'all' ? { all: true, except: [...s.except].sort() } : { only: [...s.attrs].sort() };
}

/** A decision as JSON: sets and maps become arrays and objects; with the rules looked at, when traced. */
export function decisionJson(d: Decision, considered?: readonly Considered[]): Record<string, unknown> {
  const o = d.obligations;
  const obligations: Record<string, unknown> = { counters: o.counters, auditLevel: o.auditLevel };
  if (o.view) obligations.view = Object.fromEntries([...o.view].map(([t, s]) => [t, scopeJson(s)]));
  if (o.otherTypes) obligations.otherTypes = scopeJson(o.otherTypes);
  if (o.excludeTypes) obligations.excludeTypes = [...o.excludeTypes].sort();
  if (o.forbidTypes) obligations.forbidTypes = Object.fromEntries([...o.forbidTypes].map(([t, s]) => [t, scopeJson(s)]));
  if (o.within) obligations.within = Object.fromEntries([...o.within].map(([t, areas]) => [t, areas.map((a) => a.geometry)]));
  if (o.otherTypesWithin) obligations.otherTypesWithin = o.otherTypesWithin.map((a) => a.geometry);
  const out: Record<string, unknown> = {
    decisionId: d.id,
    effect: d.effect,
    reason: d.reason,
    detail: d.detail,
    rules: d.rules,
    obligations,
  };
  if (d.culprit !== undefined) out.culprit = d.culprit;
  if (considered !== undefined) out.considered = considered;
  return out;
}
