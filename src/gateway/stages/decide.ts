import { MimtrustError } from '../../errors/index.js';
import { decide, type Culprit, type DecisionSnapshot } from '../../policy/index.js';
import { extend, type Decided, type Expanded } from '../exchange.js';

/** Decide: the pure decision over the current snapshot. Never throws; a deny is enforced next. */
export function decideRequest(deps: { snapshot: () => DecisionSnapshot }): (r: Expanded) => Decided {
  return (r) => extend(r, { decision: decide({ request: r.policy, decisionId: r.decisionId, ...(r.consents ? { consents: r.consents } : {}) }, deps.snapshot()) });
}

/** Names put in a refusal: printable IRI or term characters, bounded; anything else is left out. */
const SAFE_NAME = /^[A-Za-z0-9._~:/?#[\]@!$&'()*+,;=%-]{1,256}$/;

/**
 * A deny as the caller sees it: 403 naming the reason, the rules that refused (a
 * prohibition) or the conditions of the caller's own rules that were not met, and the
 * attribute, entity type or parameter the request named that it turned on, in the
 * caller's own terms. Only what the caller itself named is shown: a type the decision
 * found stored on an entity (a write decided on stored types) is not.
 */
export function refusal(r: Decided): MimtrustError {
  const d = r.decision;
  const c: Culprit = d.culprit ?? {};
  const name = (iri: string): string | undefined => {
    const n = r.context?.compactIri(iri) ?? iri;
    return SAFE_NAME.test(n) ? n : undefined;
  };
  const named = new Set(r.ngsi.types.map((t) => r.context?.expandTerm(t) ?? t));
  const attribute = c.attribute === undefined ? undefined : name(c.attribute);
  const entityType = c.type === undefined || !named.has(c.type) ? undefined : name(c.type);
  const extensions: Record<string, unknown> = { reason: d.reason };
  const said: string[] = [];
  if (attribute !== undefined) {
    extensions.attribute = attribute;
    said.push(`attribute ${attribute}`);
  }
  if (entityType !== undefined) {
    extensions.entityType = entityType;
    said.push(`entity type ${entityType}`);
  }
  if (c.parameter !== undefined) {
    extensions.parameter = c.parameter;
    said.push(`read by ${c.parameter}`);
  }
  if (d.rules.length > 0) extensions.rules = d.rules.map(({ contract, rule }) => ({ contract, rule }));
  if (c.unmet !== undefined) {
    extensions.unmet = c.unmet.map((u) => ({ contract: u.rule.contract, rule: u.rule.rule, constraint: u.constraint }));
    said.push(`not met: ${[...new Set(c.unmet.map((u) => u.constraint))].join(', ')}`);
  }
  const detail = said.length === 0 ? d.detail : `${d.detail.replace(/\.$/, '')} (${said.join('; ')}).`;
  return new MimtrustError('FORBIDDEN', detail, { reason: d.reason, extensions });
}
