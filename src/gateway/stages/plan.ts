import { canonicalSearch, type Operation } from '../../ngsi/index.js';
import { attributesRead, consentHistorySpan, consentNarrowing, needsFiltering, type ConsentNarrowing } from '../../policy/index.js';
import type { ActiveContext } from '../../context/index.js';
import { extend, type Decided, type Planned } from '../exchange.js';
import { widenForReads } from '../obligation-reads.js';

/** Queries whose type list the gateway can narrow so the broker only returns permitted types. */
const NARROWABLE: ReadonlySet<Operation> = new Set<Operation>(['entity.query', 'temporal.query']);

type Query = ReadonlyArray<readonly [string, string]>;

function withParam(query: Query, name: string, value: string): Array<readonly [string, string]> {
  return [...query.filter(([n]) => n !== name), [name, value] as const].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** The query narrowed to the types the caller may read, where the broker would otherwise return any type. */
function narrowTypes(r: Decided, query: Query, active: ActiveContext): Query {
  const ob = r.decision.obligations;
  if (!ob.view || !r.policy.typeUnknown || !NARROWABLE.has(r.ngsi.operation)) return query;
  if (ob.otherTypes !== undefined || ob.view.size === 0) return query;
  const types = [...ob.view.keys()].filter((t) => !ob.excludeTypes?.has(t)).map((iri) => active.compactIri(iri));
  return types.length > 0 ? withParam(query, 'type', types.join(',')) : query;
}

/**
 * The query narrowed to the entities whose data-subject attribute names one of the
 * consenting persons, next to the caller's own `q`: the broker then pages and counts only
 * what the filter will show.
 */
function narrowToSubjects(query: Query, n: ConsentNarrowing, active: ActiveContext): Query {
  const term = `${active.compactIri(n.attribute)}==${n.subjects.map((s) => `"${s}"`).join(',')}`;
  const own = query.find(([name]) => name === 'q')?.[1];
  return withParam(query, 'q', own === undefined ? term : `(${own});${term}`);
}

/** Temporal reads whose time range the gateway can bound. */
const HISTORY: ReadonlySet<Operation> = new Set<Operation>(['temporal.query', 'temporal.retrieve']);

/**
 * A temporal read without a time range of its own, bounded to when the consents it rests
 * on held, so the broker sends less. One millisecond earlier: `after` excludes its bound;
 * the response filter cuts to the exact spans (a range the caller gave is left to it).
 */
function narrowToConsentSpan(query: Query, span: { from: number; until?: number }): Query {
  if (query.some(([n]) => n === 'timerel')) return query;
  const timeAt = new Date(span.from - 1).toISOString();
  if (span.until === undefined) return withParam(withParam(query, 'timerel', 'after'), 'timeAt', timeAt);
  return withParam(withParam(withParam(query, 'timerel', 'between'), 'timeAt', timeAt), 'endTimeAt', new Date(span.until).toISOString());
}

/**
 * Plan what the broker is asked: the canonical request as classified, except where the
 * decision needs more or less from the broker. Only the types the caller may read are
 * asked for (so counts and pages stay consistent); attribute details instead of an
 * attribute list (a list names no types, so names used only by unreadable types could not
 * be told apart otherwise); under consent, only the entities of the consenting data
 * subjects where that is exact (consentNarrowing), and history to when the consents held;
 * and what the obligations read (`location` under an area, the data-subject attribute
 * under consent, an entity's `type` wherever the answer is cut), whatever the caller's
 * projection leaves out, to be taken out again by the filter.
 */
export function planForward(): (r: Decided) => Planned {
  return (r) => {
    const { ngsi } = r;
    const target = (search: string) => ngsi.path + search;
    const plan: Planned['plan'] = { method: ngsi.method, target: target(ngsi.search), body: r.body };
    const ob = r.decision.obligations;
    if (!needsFiltering(ob)) return extend(r, { plan });
    if (ob.view && ngsi.operation === 'attributes.list' && !ngsi.query.some(([n, v]) => n === 'details' && v === 'true')) {
      plan.target = target(canonicalSearch(withParam(ngsi.query, 'details', 'true')));
      plan.reshape = 'attributeList';
      return extend(r, { plan });
    }
    const active = r.context;
    if (!active) return extend(r, { plan });
    let query = narrowTypes(r, ngsi.query, active);
    const narrowing = ngsi.operation === 'entity.query' ? consentNarrowing(ob) : undefined;
    if (narrowing) {
      query = narrowToSubjects(query, narrowing, active);
      plan.consentNarrowed = true;
    }
    const span = HISTORY.has(ngsi.operation) ? consentHistorySpan(ob) : undefined;
    if (span) query = narrowToConsentSpan(query, span);
    const reads = attributesRead(ob).map((iri) => ({ iri, term: active.compactIri(iri) }));
    // The filter tells what an entity may show by its types.
    const members = needsFiltering(ob) ? ['type'] : [];
    const widened = widenForReads({
      operation: ngsi.operation, query, body: r.body, options: ngsi.options, reads, members, expand: (t) => active.expandTerm(t),
    });
    if (widened) {
      query = widened.query;
      plan.body = widened.body;
      plan.fetched = widened.fetched;
    }
    if (query !== ngsi.query) plan.target = target(canonicalSearch(query));
    return extend(r, { plan });
  };
}
