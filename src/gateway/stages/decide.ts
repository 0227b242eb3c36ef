import { MimtrustError } from '../../errors/index.js';
import { decide, type DecisionSnapshot } from '../../policy/index.js';
import { extend, type Decided, type Expanded } from '../exchange.js';

/** Decide: the pure decision over the current snapshot. Never throws; a deny is enforced next. */
export function decideRequest(deps: { snapshot: () => DecisionSnapshot }): (r: Expanded) => Decided {
  return (r) => extend(r, { decision: decide({ request: r.policy, decisionId: r.decisionId }, deps.snapshot()) });
}

/** A deny as the caller sees it: 403 naming the reason. */
export function refusal(d: Decided['decision']): MimtrustError {
  return new MimtrustError('FORBIDDEN', d.detail, { reason: d.reason });
}
