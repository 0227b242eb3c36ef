/** An explanation (explain.ts) as plain JSON, names compacted for the reader. */
import { isFullScope } from './scope.js';
import type { Condition, ExplainCell, Explanation, RuleNote } from './explain.js';
import type { AttributeScope } from './types.js';

/** Turns an expanded IRI into the name a reader knows it by (a context's term); the IRI itself when none. */
export type Compactor = (iri: string) => string;

/** The row name of every type no contract names. */
export const OTHER_TYPES_NAME = '(any other type)';

/** `all`, every attribute but some (`allExcept`), or the list of those permitted. */
export type AttributesJson = 'all' | { allExcept: string[] } | string[];

export function attributesJson(s: AttributeScope, compact: Compactor): AttributesJson {
  if (isFullScope(s)) return 'all';
  const names = (set: ReadonlySet<string>): string[] => [...set].map(compact).sort();
  return s.kind === 'all' ? { allExcept: names(s.except) } : names(s.attrs);
}

function ruleJson(n: RuleNote): Record<string, unknown> {
  const out: Record<string, unknown> = { contract: n.contract, rule: n.rule, index: n.index };
  if (n.provider !== undefined) out.provider = n.provider;
  if (n.description !== undefined) out.description = n.description;
  if (n.constraints.length > 0) out.constraints = n.constraints;
  return out;
}

function conditionJson(c: Condition, compact: Compactor): Record<string, unknown> {
  switch (c.kind) {
    case 'within': return { kind: c.kind, areas: c.areas.map((a) => a.geometry), rules: c.rules.map(ruleJson) };
    case 'count': return { kind: c.kind, max: c.max, period: c.period, scope: c.scope, rule: ruleJson(c.rule) };
    case 'entityIds': return { kind: c.kind, ids: c.ids, pattern: c.pattern, attributes: attributesJson(c.attributes, compact), rule: ruleJson(c.rule) };
    case 'consent': return { kind: c.kind, rule: ruleJson(c.rule) };
  }
}

function cellJson(c: ExplainCell, compact: Compactor): Record<string, unknown> {
  const out: Record<string, unknown> = { effect: c.effect, reason: c.reason, attributes: attributesJson(c.attributes, compact) };
  if (c.wholeEntity !== undefined) out.wholeEntity = c.wholeEntity;
  out.conditions = c.conditions.map((x) => conditionJson(x, compact));
  out.duties = c.duties;
  out.rules = c.rules.map(ruleJson);
  out.prohibitions = c.prohibitions.map(ruleJson);
  out.notApplied = c.notApplied.map((n) => ({ ...ruleJson(n), outcome: n.outcome }));
  return out;
}

/** The explanation as JSON: per type, its IRI and name, and per action what is permitted and why. */
export function explanationJson(e: Explanation, compact: Compactor): Record<string, unknown> {
  return {
    at: new Date(e.at).toISOString(),
    tenant: e.tenant ?? null,
    ...(e.contractRevision !== undefined ? { contractRevision: e.contractRevision } : {}),
    types: e.rows.map((r) => ({
      type: r.type,
      name: r.type === null ? OTHER_TYPES_NAME : compact(r.type),
      actions: Object.fromEntries(r.cells.map((c) => [c.action, cellJson(c, compact)])),
    })),
  };
}
