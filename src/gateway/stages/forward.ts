import type { Upstream } from '../upstream.js';
import { upstreamRequestHeaders } from '../headers.js';
import { extend, type Forwarded, type Planned } from '../exchange.js';

export interface ForwardDeps {
  upstream: Upstream;
  forwardAuthorization: boolean;
}

/** Forward the plan: canonical path and query, re-serialised body, the gateway's own forwarding headers. */
export function forward(deps: ForwardDeps): (r: Planned) => Promise<Forwarded> {
  return async (r) => {
    const { plan } = r;
    const headers = upstreamRequestHeaders(r.raw.headers, {
      clientIp: r.clientIp,
      proto: r.tls ? 'https' : 'http',
      host: typeof r.raw.headers.host === 'string' ? r.raw.headers.host : undefined,
      tenant: r.ngsi.tenant,
      contextLink: r.ngsi.contextLink,
      forwardAuthorization: deps.forwardAuthorization,
      bodyLength: plan.body === undefined ? undefined : Buffer.byteLength(plan.body),
    });
    const upstream = await deps.upstream.send({ method: plan.method, path: plan.target, headers, body: plan.body });
    return extend(r, { upstream });
  };
}
