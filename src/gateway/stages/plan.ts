import { canonicalSearch, type Operation } from '../../ngsi/index.js';
import { extend, type Decided, type Planned } from '../exchange.js';

/** Queries whose type list the gateway can narrow so the broker only returns permitted types. */
const NARROWABLE: ReadonlySet<Operation> = new Set<Operation>(['entity.query', 'temporal.query']);

function withParam(query: ReadonlyArray<readonly [string, string]>, name: string, value: string): Array<readonly [string, string]> {
  return [...query.filter(([n]) => n !== name), [name, value] as const].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/**
 * Plan what the broker is asked: the canonical request as classified, except where the
 * decision's view needs more or less from the broker. Only the types the caller may read
 * are asked for (so counts and pages stay consistent), and attribute details instead of an
 * attribute list (a list names no types, so names used only by unreadable types could not
 * be told apart otherwise).
 */
export function planForward(): (r: Decided) => Planned {
  return (r) => {
    const { ngsi, policy } = r;
    const target = (search: string) => ngsi.path + search;
    const plan: Planned['plan'] = { method: ngsi.method, target: target(ngsi.search), body: r.body };
    const ob = r.decision.obligations;
    if (!ob.view) return extend(r, { plan });
    if (ngsi.operation === 'attributes.list' && !ngsi.query.some(([n, v]) => n === 'details' && v === 'true')) {
      plan.target = target(canonicalSearch(withParam(ngsi.query, 'details', 'true')));
      plan.reshape = 'attributeList';
      return extend(r, { plan });
    }
    if (!policy.typeUnknown || !NARROWABLE.has(ngsi.operation) || !r.context) return extend(r, { plan });
    if (ob.otherTypes !== undefined || ob.view.size === 0) return extend(r, { plan });
    const active = r.context;
    const types = [...ob.view.keys()].filter((t) => !ob.excludeTypes?.has(t)).map((iri) => active.compactIri(iri));
    if (types.length > 0) plan.target = target(canonicalSearch(withParam(ngsi.query, 'type', types.join(','))));
    return extend(r, { plan });
  };
}
