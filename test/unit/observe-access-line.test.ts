/**
 * The access line names the route a request took, never its path or query: ids in a path
 * and values in a query can name a person. Its method is one a route can have, and the
 * decision fields come from the exchange's trail alone.
 */
import { describe, it, expect } from 'vitest';
import { accessLine, routeTemplate, operationOf, UNCLASSIFIED, UNMATCHED } from '../../src/observe/index.js';
import { compileBasePath, type NgsiRequest } from '../../src/ngsi/index.js';
import type { Trail } from '../../src/gateway/index.js';

const BASE = compileBasePath('/ngsi-ld/v1');

function trail(url: string, more: Partial<Trail> = {}): Trail {
  return {
    requestId: 'req-1', decisionId: 'dec-1', startedAt: 0, t0: 0,
    raw: { method: 'GET', url, headers: { authorization: 'Bearer secret-token', cookie: 'sid=secret-cookie' } },
    rawBody: undefined, params: {}, clientIp: '192.0.2.7', tls: true, certThumbprint: undefined,
    ...more,
  };
}

const facts = (method: string, url: string, status = 200, fastifyRoute: string | undefined = '/*') => ({ method, url, fastifyRoute, status, elapsedMs: 1.23456 });

describe('route template', () => {
  it('replaces every identifier of an NGSI-LD path by the name of its parameter', () => {
    const cases: Array<[string, string, string]> = [
      ['GET', '/ngsi-ld/v1/entities/urn:ngsi-ld:Person:alice?attrs=email', '/ngsi-ld/v1/entities/{entityId}'],
      ['PATCH', '/ngsi-ld/v1/entities/urn:ngsi-ld:Person:alice/attrs/email', '/ngsi-ld/v1/entities/{entityId}/attrs/{attrId}'],
      ['GET', '/ngsi-ld/v1/entities?q=email==%22alice@example.org%22', '/ngsi-ld/v1/entities'],
      ['DELETE', '/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:alice-home', '/ngsi-ld/v1/subscriptions/{resourceId}'],
      ['GET', '/ngsi-ld/v1/types/Person/', '/ngsi-ld/v1/types/{type}'],
    ];
    for (const [method, url, template] of cases) {
      expect(routeTemplate({ method, url, fastifyRoute: '/*', operation: operationOf(method, url, BASE) }, BASE), url).toBe(template);
    }
  });

  it('shows an unknown or malformed path as unmatched, never as written', () => {
    for (const url of ['/ngsi-ld/v1/people/alice', '/ngsi-ld/v1/entities/%2e%2e/x', '/eyJhbGciOiJSUzI1NiJ9.e30.c2ln', '/ngsi-ld/v1/entities/a/b/c/d/e']) {
      expect(routeTemplate({ method: 'GET', url, fastifyRoute: '/*', operation: operationOf('GET', url, BASE) }, BASE), url).toBe(UNMATCHED);
    }
    expect(routeTemplate({ method: 'GET', url: '/nowhere/alice', fastifyRoute: undefined, operation: undefined }, BASE)).toBe(UNMATCHED);
  });

  it("keeps the gateway's own routes as declared, parameters named", () => {
    expect(routeTemplate({ method: 'POST', url: '/relay/notify/relay-token-secret', fastifyRoute: '/relay/notify/:token', operation: 'subscription.notify' }, BASE)).toBe('/relay/notify/:token');
  });
});

describe('access line', () => {
  it('carries the decision of an exchange and nothing the caller sent', () => {
    const url = '/ngsi-ld/v1/entities/urn:ngsi-ld:Person:alice?attrs=email';
    const t = trail(url, { verdict: { effect: 'deny', reason: 'role_denied' } });
    const line = accessLine(facts('GET', url, 403), t, BASE);
    expect(line).toEqual({
      method: 'GET', route: '/ngsi-ld/v1/entities/{entityId}', status: 403, ms: 1.23,
      operation: 'entity.retrieve', decisionId: 'dec-1', effect: 'deny', reason: 'role_denied',
    });
    const text = JSON.stringify(line);
    for (const secret of ['alice', 'email', 'secret-token', 'secret-cookie', '192.0.2.7']) expect(text).not.toContain(secret);
  });

  it('takes the operation the exchange classified, over a guess from the path', () => {
    const url = '/ngsi-ld/v1/entities/urn:x';
    const t = trail(url, { ngsi: { operation: 'entity.retrieve' } as NgsiRequest, verdict: { effect: 'permit', reason: 'permitted' } });
    expect(accessLine(facts('GET', url), t, BASE)).toMatchObject({ operation: 'entity.retrieve', effect: 'permit', reason: 'permitted' });
    const admin = trail('/admin/contracts/x', { auditAs: { operation: 'contract.delete', action: 'manage', targets: { entityIds: [], types: [], attrs: [] } } });
    expect(accessLine(facts('DELETE', '/admin/contracts/x', 204, '/admin/contracts/:uid'), admin, BASE)).toMatchObject({ operation: 'contract.delete', route: '/admin/contracts/:uid' });
  });

  it('calls an exchange that ended before anything named it unclassified', () => {
    const url = '/ngsi-ld/v1/whatever';
    const line = accessLine(facts('GET', url, 404), trail(url, { verdict: { effect: 'deny', reason: 'unknown_path' } }), BASE);
    expect(line).toMatchObject({ operation: UNCLASSIFIED, route: UNMATCHED, reason: 'unknown_path' });
  });

  it('shows a method no route has as OTHER', () => {
    const url = '/ngsi-ld/v1/entities';
    expect(accessLine(facts('X-SECRET-VERB', url, 404), trail(url), BASE).method).toBe('OTHER');
  });

  it('has no decision fields for a route that is not an exchange', () => {
    expect(accessLine(facts('GET', '/health', 200, '/health'), undefined, BASE)).toEqual({ method: 'GET', route: '/health', status: 200, ms: 1.23 });
  });
});
