import { answersOneResource, notVisible } from '../../filter/index.js';
import { decidedByContracts } from '../../policy/index.js';
import type { Forwarded } from '../exchange.js';

/**
 * Not found: the broker's 404 for one entity, type or attribute becomes the gateway's own,
 * the very answer a resource hidden by the decision gets, so the two cannot be told apart.
 * Where roles alone decide nothing is hidden, and the broker's answer passes as it is.
 */
export function uniformNotFound(): (r: Forwarded) => Forwarded {
  return (r) => {
    if (r.upstream.status !== 404 || !decidedByContracts(r.decision)) return r;
    if (answersOneResource(r.ngsi.operation)) throw notVisible('upstream_not_found');
    return r;
  };
}
