import { checkCountable } from '../../filter/index.js';
import type { Planned } from '../exchange.js';

/**
 * Count: before the broker is asked, refuse `count=true` where its count could include
 * entities the caller cannot see (the rule is the filter's; the planned query says
 * whether the gateway narrowed the types).
 */
export function refuseInexactCount(): (r: Planned) => Planned {
  return (r) => {
    const at = r.plan.target.indexOf('?');
    const planned = at < 0 ? [] : [...new URLSearchParams(r.plan.target.slice(at + 1))];
    checkCountable(r.ngsi.operation, planned, r.decision.obligations, r.policy.typeUnknown, r.plan.consentNarrowed === true);
    return r;
  };
}
