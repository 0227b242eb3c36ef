import { MimtrustError } from '../../errors/index.js';
import { classify } from '../../ngsi/index.js';
import { parseRequestJson } from '../json-body.js';
import { extend, type Authenticated, type Classified, type Received } from '../exchange.js';

const JSON_BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The JSON body, if any; only methods that carry a body may have one. Parsed only after authentication. */
export function readJsonBody(r: Received): unknown {
  if (r.rawBody === undefined || r.rawBody.length === 0) return undefined;
  if (!JSON_BODY_METHODS.has(r.raw.method)) {
    throw new MimtrustError('BAD_REQUEST', 'This method takes no request body.', { reason: 'unexpected_body' });
  }
  return parseRequestJson(r.rawBody);
}

/** Classify: what the request touches (operation, tenant, ids, types, attributes, filters). */
export function classifyRequest(deps: { basePath: string }): (r: Authenticated) => Classified {
  return (r) => {
    const body = readJsonBody(r);
    if (body !== undefined) r.raw.body = body;
    const ngsi = classify(r.raw, { basePath: deps.basePath });
    return extend(r, { ngsi, body: body === undefined ? undefined : JSON.stringify(body) });
  };
}
