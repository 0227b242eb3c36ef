/**
 * classify(): from a raw request to what it touches. Every refusal is a MimtrustError;
 * anything unexpected becomes an internal error, so a request that could not be fully
 * understood is never forwarded.
 */
import { asMimtrustError } from '../errors/index.js';
import { applyBody, bodyHasContext } from './body.js';
import { compileBasePath, splitTarget } from './normalize-path.js';
import { LocatedPaths } from './located-paths.js';
import { knownParameters } from './parameters.js';
import { parseQuery } from './parse-query.js';
import { applyQueryParams } from './query-params.js';
import { readTenant } from './tenant.js';
import { refuseAmbiguousHeaders } from './request-headers.js';
import { contextLinkOf } from '../context/link-header.js';
import { Touches } from './touches.js';
import type { NgsiRequest, RawRequest } from './types.js';

export interface ClassifyOptions {
  /** The NGSI-LD API base path, e.g. '/ngsi-ld/v1'. */
  basePath: string;
}

export type Classifier = (raw: RawRequest) => NgsiRequest;

function classifyUnder(paths: LocatedPaths, raw: RawRequest): NgsiRequest {
  const { rawPath, rawQuery } = splitTarget(raw.url);
  const { located: { path }, route } = paths.route(rawPath, raw.method);
  const query = parseQuery(rawQuery, knownParameters(route.operation));
  refuseAmbiguousHeaders(raw.headers);
  const tenant = readTenant(raw.headers);
  const contextLink = contextLinkOf(raw.headers['link']);

  const t = new Touches();
  if (route.entityId !== undefined) t.entityIds.add(route.entityId);
  if (route.attrId !== undefined) t.attrs.add(route.attrId);
  if (route.type !== undefined) t.types.add(route.type);
  t.resourceId = route.resourceId;
  const format = applyQueryParams(query.params, raw.headers['accept'], t);
  applyBody(route.operation, raw.body, t);

  const req: NgsiRequest = {
    method: raw.method,
    operation: route.operation,
    action: route.action,
    path,
    query: query.entries,
    search: query.search,
    tenant,
    entityIds: [...t.entityIds],
    idPatterns: [...t.idPatterns],
    types: [...t.types],
    attrs: [...t.attrs],
    filterReads: t.filterReads(),
    options: [...t.options],
    bodyHasContext: bodyHasContext(raw.body),
  };
  if (t.resourceId !== undefined) req.resourceId = t.resourceId;
  if (route.entityId !== undefined) req.pathEntityId = route.entityId;
  if (route.attrId !== undefined) req.pathAttr = route.attrId;
  if (route.type !== undefined) req.pathType = route.type;
  if (format !== undefined) req.format = format;
  if (t.notificationEndpoint !== undefined) req.notificationEndpoint = t.notificationEndpoint;
  if (contextLink !== undefined) req.contextLink = contextLink;
  return req;
}

/** A classifier for one API base, with the base checked once. */
export function createClassifier(opts: ClassifyOptions): Classifier {
  const paths = new LocatedPaths(compileBasePath(opts.basePath));
  return (raw) => {
    try {
      return classifyUnder(paths, raw);
    } catch (err) {
      throw asMimtrustError(err);
    }
  };
}

const classifiers = new Map<string, Classifier>();

/** Classifies a request; throws MimtrustError for anything refused. */
export function classify(raw: RawRequest, opts: ClassifyOptions): NgsiRequest {
  let c = classifiers.get(opts.basePath);
  if (!c) {
    c = createClassifier(opts);
    classifiers.set(opts.basePath, c);
  }
  return c(raw);
}
