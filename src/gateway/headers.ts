/**
 * Which headers cross the gateway. Hop-by-hop headers (RFC 9110 §7.6.1) never do; the
 * caller's credentials only when configured; the X-Forwarded-* set is always ours; the
 * tenant and the `Link` are the ones decided on, rebuilt, never the caller's text.
 */
import { contextLinkHeader } from '../context/index.js';

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-authorization', 'proxy-authenticate', 'http2-settings',
]);

/** Request headers the gateway rewrites itself, so a caller's value never reaches the broker. */
const REWRITTEN = new Set([
  'host', 'content-length', 'ngsild-tenant', 'link', 'forwarded',
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip',
  'expect',
  // Read by the gateway (a declared recipient); the broker has no use for it.
  'mimtrust-recipient',
  // Refused by classification; never forwarded should a request reach here another way.
  'fiware-service', 'fiware-servicepath', 'x-http-method-override', 'x-http-method', 'x-method-override',
]);

export interface ForwardContext {
  clientIp: string;
  proto: 'http' | 'https';
  host: string | undefined;
  tenant: string | undefined;
  /** The JSON-LD context the request was decided with, from its Link header (none for the gateway's own lookups). */
  contextLink?: string | undefined;
  forwardAuthorization: boolean;
  /** Body length after re-serialisation, when there is a body. */
  bodyLength: number | undefined;
}

export function upstreamRequestHeaders(incoming: Record<string, string | string[] | undefined>, ctx: ForwardContext): Record<string, string> {
  const out: Record<string, string> = {};
  const connectionListed = listedInConnection(incoming.connection);
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined) continue;
    if (HOP_BY_HOP.has(name) || REWRITTEN.has(name) || connectionListed?.has(name)) continue;
    if (name === 'authorization' && !ctx.forwardAuthorization) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  out['x-forwarded-for'] = ctx.clientIp;
  out['x-forwarded-proto'] = ctx.proto;
  if (ctx.host) out['x-forwarded-host'] = ctx.host;
  if (ctx.tenant !== undefined) out['ngsild-tenant'] = ctx.tenant;
  if (ctx.contextLink !== undefined) out.link = contextLinkHeader(ctx.contextLink);
  if (ctx.bodyLength !== undefined) out['content-length'] = String(ctx.bodyLength);
  return out;
}

/** Response headers passed back as the broker sent them, less hop-by-hop, CORS and length (recomputed). */
export function clientResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
  upstreamOrigin: string,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connectionListed = listedInConnection(upstream.connection);
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined) continue;
    if (HOP_BY_HOP.has(name) || name === 'content-length' || connectionListed?.has(name)) continue;
    // Which sites may read an answer is the gateway's CORS policy (app/cors.ts), not the broker's.
    if (name.startsWith('access-control-')) continue;
    out[name] = value;
  }
  // A broker that answers with absolute URLs names itself; the caller only knows the gateway.
  const location = out.location;
  if (typeof location === 'string' && location.startsWith(upstreamOrigin + '/')) out.location = location.slice(upstreamOrigin.length);
  const link = out.link;
  if (typeof link === 'string' && link.includes(`<${upstreamOrigin}/`)) out.link = link.split(`<${upstreamOrigin}/`).join('</');
  return out;
}

function listedInConnection(value: string | string[] | undefined): Set<string> | undefined {
  if (!value) return undefined;
  const text = Array.isArray(value) ? value.join(',') : value;
  if (text.toLowerCase() === 'keep-alive' || text.toLowerCase() === 'close') return undefined;
  return new Set(text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
}
