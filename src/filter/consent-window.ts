/**
 * History under consent: a temporal answer shows an attribute instance of a consented
 * attribute only when its time (the request's `timeproperty`: observedAt unless it asks
 * for createdAt or modifiedAt) lies inside a span in which a consent of the entity's data
 * subject covering that attribute held: from when it was given until it was withdrawn or
 * expired (the decision's `windows`). An instance without a readable time, and a value
 * that cannot be placed in time (aggregated values, bare values), are removed: they could
 * come from before the consent. Attributes a permission needing no consent shows keep
 * their whole history.
 */
import type { AttributeScope, ConsentObligation, ConsentWindow } from '../policy/types.js';
import { isObject, type JsonObject } from './types.js';

/** The attribute time temporal answers are ordered and cut by. */
export interface History {
  /** `observedAt`, `createdAt` or `modifiedAt`, as the request names it. */
  timeproperty: string;
}

/** Where an attribute may show: everywhere in time, or only inside these spans. */
export type Spans = 'always' | readonly ConsentWindow[];

/** Members of the temporalValues representation: [value, time] pairs. */
const PAIRS = ['values', 'objects', 'languageMaps', 'vocabs', 'jsons', 'objectLists'] as const;

function inSpans(at: unknown, spans: readonly ConsentWindow[]): boolean {
  if (typeof at !== 'string') return false;
  const t = Date.parse(at);
  if (Number.isNaN(t)) return false;
  return spans.some((w) => t >= w.from && (w.until === undefined || t < w.until));
}

/**
 * The value with only what lies inside the spans: an array of instances, one instance,
 * or a temporalValues attribute. Undefined when nothing is left.
 */
export function keepWithin(value: unknown, spans: readonly ConsentWindow[], history: History): unknown {
  if (Array.isArray(value)) {
    const kept = value.filter((i) => isObject(i) && inSpans(i[history.timeproperty], spans));
    return kept.length === 0 ? undefined : kept;
  }
  if (!isObject(value)) return undefined;
  const pairs = PAIRS.filter((m) => Array.isArray(value[m]));
  if (pairs.length > 0) {
    const out: JsonObject = { ...value };
    let left = 0;
    for (const m of pairs) {
      const kept = (value[m] as unknown[]).filter((p) => Array.isArray(p) && inSpans(p[1], spans));
      out[m] = kept;
      left += kept.length;
    }
    return left === 0 ? undefined : out;
  }
  return inSpans(value[history.timeproperty], spans) ? value : undefined;
}

function permits(scope: AttributeScope | undefined, iri: string): boolean {
  if (scope === undefined) return false;
  return scope.kind === 'all' ? !scope.except.has(iri) : scope.attrs.has(iri);
}

/**
 * Where each attribute of an entity with these (expanded) types may show in time.
 * `subjects` holds the entity's data subject per data-subject attribute; `free` what a
 * type not under consent shows.
 */
export function spansFor(
  types: readonly string[],
  ob: ConsentObligation,
  subjects: ReadonlyMap<string, string | undefined>,
  free: (type: string) => AttributeScope | undefined,
): (iri: string) => Spans {
  return (iri) => {
    const spans: ConsentWindow[] = [];
    for (const t of types) {
      const c = ob.types.get(t);
      if (c === undefined) {
        if (permits(free(t), iri)) return 'always';
        continue;
      }
      if (permits(c.free, iri)) return 'always';
      if (!permits(c.granted, iri)) continue;
      const subject = subjects.get(c.subject);
      const windows = subject === undefined ? undefined : ob.windows.get(subject)?.get(t);
      for (const w of windows ?? []) if (permits(w.scope, iri)) spans.push(w);
    }
    return spans;
  };
}
