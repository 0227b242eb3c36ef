/**
 * What the access line says about the path: the route it took, never the path itself.
 * Entity ids, attribute names and subscription ids in a path can name a person
 * (`urn:ngsi-ld:Person:…`), and a query string carries values (`q=name=="…"`), so the
 * line holds a template with its parameters named (`/ngsi-ld/v1/entities/{entityId}`),
 * whose count is also bounded, as a metric label must be.
 */
import { listRoutes, matchRoute, normalizePath, type BasePath } from '../ngsi/index.js';

/** A path that matches no route of the gateway's own nor of NGSI-LD. */
export const UNMATCHED = 'unmatched';

/** The fastify route that hands every other path to the NGSI-LD proxy. */
const PROXY_ROUTE = '/*';

const TEMPLATES: ReadonlyMap<string, string> = new Map(listRoutes().map((r) => [r.operation, r.path]));

export interface RouteFacts {
  method: string;
  /** The request target as received (path and query). */
  url: string;
  /** The fastify route that answered (`/admin/contracts/:uid`, `/*`), if any. */
  fastifyRoute: string | undefined;
  /** The exchange's operation, if known (NGSI-LD ones have a template). */
  operation: string | undefined;
}

/** The NGSI-LD operation a method and target name, without any caller context; undefined if none. */
export function operationOf(method: string, url: string, base: BasePath): string | undefined {
  try {
    return matchRoute(method, normalizePath(url, base).segments).operation;
  } catch {
    return undefined;
  }
}

/** The route template of a request: the gateway's own route, the NGSI-LD resource, or `unmatched`. */
export function routeTemplate(f: RouteFacts, base: BasePath): string {
  if (f.fastifyRoute !== undefined && f.fastifyRoute !== PROXY_ROUTE) return f.fastifyRoute;
  const template = f.operation === undefined ? undefined : TEMPLATES.get(f.operation);
  return template === undefined ? UNMATCHED : `${base.canonical}/${template}`;
}
