/** An explanation (explain.ts) as plain JSON, names compacted for the reader. */
import { isFullScope } from './scope.js';
import type { Condition, ExplainCell, Explanation, RuleNote } from './explain.js';
import type { AttributeScope, RuleRef } from './types.js';

/** Turns an expanded IRI into the name a reader knows it by (a context's term); the IRI itself when none. */
export type Compactor = (iri: string) => string;

/** Whether a rule may be named to the reader; one that may not is shown as `{ hidden: true }`. */
export type RuleShown = (ref: RuleRef) => boolean;

interface Reader {
  compact: Compactor;
  shows: RuleShown;
}

/** The row name of every type no contract names. */
export const OTHER_TYPES_NAME = '(any other type)';

/** `all`, every attribute but some (`allExcept`), or the list of those permitted. */
export type AttributesJson = 'all' | { allExcept: string[] } | string[];

export function attributesJson(s: AttributeScope, compact: Compactor): AttributesJson {
  if (isFullScope(s)) return 'all';
  const names = (set: ReadonlySet<string>): string[] => [...set].map(compact).sort();
  return s.kind === 'all' ? { allExcept: names(s.except) } : names(s.attrs);
}

function ruleJson(n: RuleNote, v: Reader): Record<string, unknown> {
  if (!v.shows(n)) return { hidden: true };
  const out: Record<string, unknown> = { contract: n.contract, rule: n.rule, index: n.index };
  if (n.provider !== undefined) out.provider = n.provider;
  if (n.description !== undefined) out.description = n.description;
  if (n.constraints.length > 0) out.constraints = n.constraints;
  return out;
}

function conditionJson(c: Condition, v: Reader): Record<string, unknown> {
  switch (c.kind) {
    case 'within': return { kind: c.kind, areas: c.areas.map((a) => a.geometry), rules: c.rules.map((n) => ruleJson(n, v)) };
    case 'count': return { kind: c.kind, max: c.max, period: c.period, scope: c.scope, rule: ruleJson(c.rule, v) };
    case 'entityIds': return { kind: c.kind, ids: c.ids, pattern: c.pattern, attributes: attributesJson(c.attributes, v.compact), rule: ruleJson(c.rule, v) };
    case 'consent': return { kind: c.kind, rule: ruleJson(c.rule, v) };
  }
}

function cellJson(c: ExplainCell, v: Reader): Record<string, unknown> {
  const out: Record<string, unknown> = { effect: c.effect, reason: c.reason, attributes: attributesJson(c.attributes, v.compact) };
  if (c.wholeEntity !== undefined) out.wholeEntity = c.wholeEntity;
  out.conditions = c.conditions.map((x) => conditionJson(x, v));
  out.duties = c.duties;
  out.rules = c.rules.map((n) => ruleJson(n, v));
  out.prohibitions = c.prohibitions.map((n) => ruleJson(n, v));
  out.notApplied = c.notApplied.filter((n) => v.shows(n)).map((n) => ({ ...ruleJson(n, v), outcome: n.outcome }));
  return out;
}

/**
 * The explanation as JSON: per type, its IRI and name, and per action what is permitted and
 * why. Rules `shows` refuses are not named (a provider sees its own rules only).
 */
export function explanationJson(e: Explanation, compact: Compactor, shows: RuleShown = () => true): Record<string, unknown> {
  const v: Reader = { compact, shows };
  return {
    at: new Date(e.at).toISOString(),
    tenant: e.tenant ?? null,
    ...(e.contractRevision !== undefined ? { contractRevision: e.contractRevision } : {}),
    types: e.rows.map((r) => ({
      type: r.type,
      name: r.type === null ? OTHER_TYPES_NAME : compact(r.type),
      actions: Object.fromEntries(r.cells.map((c) => [c.action, cellJson(c, v)])),
    })),
  };
}
