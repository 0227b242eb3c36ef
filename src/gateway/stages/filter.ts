import { MimtrustError } from '../../errors/index.js';
import { needsFiltering, shownBy } from '../../policy/index.js';
import { checkShownCount, filterResponseInSlices, type Released } from '../../filter/index.js';
import { clientResponseHeaders } from '../headers.js';
import { extend, type Answered, type Forwarded, type Reply } from '../exchange.js';
import { parseJson } from '../../lib/index.js';

const JSON_CONTENT = /^application\/(?:[\w.+-]+\+)?json\b/i;

export interface FilterStageDeps {
  upstreamOrigin: string;
  /** `limits.maxGeometryPoints`: the largest geometry checked against an area. */
  maxGeometryPoints: number;
}

/**
 * Filter: the broker's answer as it sent it, cut down to the decision's view where the
 * decision says so; a result count is only let through where it cannot include a hidden
 * entity (see the count stage). The cutting runs in slices, so a large response does not
 * hold up the requests the gateway serves meanwhile.
 */
export function filterByDecision(deps: FilterStageDeps): (r: Forwarded) => Promise<Answered> {
  return async (r) => {
    const up = r.upstream;
    const reply: Reply = {
      status: up.status,
      headers: clientResponseHeaders(up.headers, deps.upstreamOrigin),
      body: up.body.length > 0 ? up.body : undefined,
    };
    const ob = r.decision.obligations;
    const released = needsFiltering(ob) && reply.status >= 200 && reply.status < 300 && reply.body !== undefined ? await cut(r, reply, deps.maxGeometryPoints) : undefined;
    return extend(r, { reply, outcome: up.status < 400 ? 'permitted' : 'permitted_upstream_error', ...(released === undefined ? {} : { released }) });
  };
}

/** Temporal answers whose instances are placed in time by the query's `timeproperty`. */
const TEMPORAL_READS: ReadonlySet<string> = new Set(['temporal.query', 'temporal.retrieve']);

/** Cuts the answer in place; returns whose data it shows under consent. */
async function cut(r: Forwarded, res: Reply, maxGeometryPoints: number): Promise<ReadonlyMap<string, Released> | undefined> {
  const ob = r.decision.obligations;
  const type = res.headers['content-type'];
  if (typeof type !== 'string' || !JSON_CONTENT.test(type)) {
    throw new MimtrustError('BAD_GATEWAY', 'The broker answered in a form the gateway cannot filter.', { reason: 'unfilterable_response' });
  }
  let body: unknown;
  try {
    body = parseJson(res.body!.toString());
  } catch {
    throw new MimtrustError('BAD_GATEWAY', 'The broker answered with invalid JSON.', { reason: 'upstream_invalid_json' });
  }
  const { ngsi, context } = r;
  const expand = context ? (t: string): string => context.expandTerm(t) : (t: string): string => t;
  const geometryProperty = ngsi.query.find(([n]) => n === 'geometryProperty')?.[1];
  const out = await filterResponseInSlices({
    operation: ngsi.operation,
    body,
    ...shownBy(ob),
    maxGeometryPoints,
    expand,
    ...(geometryProperty ? { geometryProperty } : {}),
    ...(ngsi.format === 'geojson' ? { format: 'geojson' as const } : {}),
    options: ngsi.options,
    fetched: r.plan.fetched,
    ...(TEMPORAL_READS.has(ngsi.operation) ? { history: { timeproperty: ngsi.query.find(([n]) => n === 'timeproperty')?.[1] ?? 'observedAt' } } : {}),
  });
  const shown = r.plan.reshape === 'attributeList' ? toAttributeList(out.body, r.decisionId) : out.body;
  // A Buffer, not a string: fastify would otherwise add a charset to the broker's content type.
  res.body = Buffer.from(JSON.stringify(shown));
  checkShownCount(res.headers['ngsild-results-count'], out.droppedEntities);
  return out.released;
}

/** An AttributeList built from the Attribute details the broker was asked for instead. */
function toAttributeList(details: unknown, decisionId: string): unknown {
  if (!Array.isArray(details)) {
    throw new MimtrustError('BAD_GATEWAY', 'The broker answered attribute details in an unexpected form.', { reason: 'unfilterable_response' });
  }
  const names: string[] = [];
  for (const d of details) {
    const name = (d as { attributeName?: unknown }).attributeName;
    if (typeof name === 'string') names.push(name);
  }
  return { id: `urn:ngsi-ld:AttributeList:${decisionId}`, type: 'AttributeList', attributeList: names };
}
