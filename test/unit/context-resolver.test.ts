import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createContextResolver, type ContextResolverOptions } from '../../src/context/index.js';
import { MimtrustError } from '../../src/errors/index.js';

const TEMP = 'https://smartdatamodels.org/temperature';
const hits = new Map<string, number>();
let server: Server;
let base = '';
let flakyFailuresLeft = 0;

function json(res: import('node:http').ServerResponse, body: unknown, delayMs = 0): void {
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/ld+json' });
    res.end(JSON.stringify(body));
  }, delayMs);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    switch (path) {
      case '/ctx/sdm.jsonld':
        return json(res, { '@context': { sdm: 'https://smartdatamodels.org/', temp: 'sdm:temperature' } }, 30);
      case '/ctx/nested.jsonld':
        return json(res, { '@context': [`${base}/ctx/sdm.jsonld`, { hum: 'sdm:humidity' }] });
      case '/ctx/outside.jsonld':
        return json(res, { '@context': [`${base}/other/x.jsonld`] });
      case '/ctx/evil-location.jsonld':
        return json(res, { '@context': { location: 'https://evil.example/location' } });
      case '/ctx/a.jsonld': return json(res, { '@context': { a: 'https://example.org/a' } });
      case '/ctx/b.jsonld': return json(res, { '@context': { b: 'https://example.org/b' } });
      case '/ctx/c.jsonld': return json(res, { '@context': { c: 'https://example.org/c' } });
      case '/ctx/loop1.jsonld': return json(res, { '@context': [`${base}/ctx/loop2.jsonld`] });
      case '/ctx/loop2.jsonld': return json(res, { '@context': [`${base}/ctx/loop1.jsonld`] });
      case '/ctx/missing.jsonld':
        res.writeHead(404).end('not here');
        return;
      case '/ctx/slow.jsonld':
        setTimeout(() => json(res, { '@context': {} }), 3000).unref();
        return;
      case '/ctx/big-chunked.jsonld':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`{"@context": {"x": "${'a'.repeat(3000)}"`);
        res.end('}}');
        return;
      case '/ctx/big-declared.jsonld': {
        const body = JSON.stringify({ '@context': { x: 'b'.repeat(3000) } });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      case '/ctx/not-json.jsonld':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
        return;
      case '/ctx/no-context.jsonld':
        return json(res, { hello: 'world' });
      case '/ctx/redirect-in':
        res.writeHead(302, { location: '/ctx/sdm.jsonld' }).end();
        return;
      case '/ctx/redirect-out':
        res.writeHead(302, { location: `${base}/other/x.jsonld` }).end();
        return;
      case '/ctx/flaky.jsonld':
        if (flakyFailuresLeft > 0) {
          flakyFailuresLeft--;
          res.writeHead(500).end();
          return;
        }
        return json(res, { '@context': { flaky: 'https://example.org/flaky' } });
      case '/other/x.jsonld':
        return json(res, { '@context': { other: 'https://example.org/other' } });
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  hits.clear();
});

interface Harness {
  resolver: ReturnType<typeof createContextResolver>;
  clock: { now: number };
  fetchCalls: string[];
}

function harness(overrides: Partial<ContextResolverOptions> = {}): Harness {
  const clock = { now: 1_000_000 };
  const fetchCalls: string[] = [];
  const resolver = createContextResolver({
    allowList: [`${base}/ctx/`, 'https://allowed.example'],
    maxEntries: 100,
    maxAgeMs: 60_000,
    maxBytes: 2000,
    // Long enough for a loaded machine; the timeout case sets its own.
    fetchTimeoutMs: 10_000,
    failureBackoffMs: 1000,
    now: () => clock.now,
    fetch: (input, init) => {
      fetchCalls.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    },
    ...overrides,
  });
  return { resolver, clock, fetchCalls };
}

async function failure(p: Promise<unknown>): Promise<MimtrustError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MimtrustError);
  return err as MimtrustError;
}

describe('context resolver: remote contexts', () => {
  it('fetches an allow-listed context once for 50 concurrent resolves', async () => {
    const { resolver } = harness();
    const url = `${base}/ctx/sdm.jsonld`;
    const results = await Promise.all(Array.from({ length: 50 }, () => resolver.resolve(url)));
    expect(hits.get('/ctx/sdm.jsonld')).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(results[0]!.expandTerm('temp')).toBe(TEMP);
    expect(results[0]!.expandTerm('sdm:temperature')).toBe(TEMP);
    expect(results[0]!.id).toBe(url);
    // and afterwards from the cache
    await resolver.resolve(url);
    expect(hits.get('/ctx/sdm.jsonld')).toBe(1);
  });

  it('follows nested remote contexts under the same rules, fetching each document once', async () => {
    const { resolver } = harness();
    const active = await resolver.resolve([`${base}/ctx/nested.jsonld`, `${base}/ctx/sdm.jsonld`]);
    expect(active.expandTerm('hum')).toBe('https://smartdatamodels.org/humidity');
    expect(active.expandTerm('temp')).toBe(TEMP);
    expect(hits.get('/ctx/nested.jsonld')).toBe(1);
    expect(hits.get('/ctx/sdm.jsonld')).toBe(1);
  });

  it('refuses a context that is not allow-listed without any request', async () => {
    const { resolver, fetchCalls } = harness();
    for (const url of [
      `${base}/other/x.jsonld`,
      `${base}/ctx-evil/x.jsonld`,
      `${base}/ctx/../other/x.jsonld`,
      `${base}/ctx/%2e%2e/other/x.jsonld`,
      `${base}/ctx/..%2Fother/x.jsonld`,
      'https://allowed.example.evil.com/ctx.jsonld',
      'https://allowed.example@evil.com/ctx.jsonld',
      'http://allowed.example/ctx.jsonld',
      'https://allowed.example:8443/ctx.jsonld',
      'file:///etc/passwd',
    ]) {
      const err = await failure(resolver.resolve(url));
      expect({ url, code: err.code, reason: err.reason }).toEqual({ url, code: 'BAD_REQUEST', reason: 'context_not_allowed' });
    }
    expect(fetchCalls).toEqual([]);
    expect(hits.size).toBe(0);
  });

  it('refuses a nested context outside the allow-list, and a redirect out of it', async () => {
    const { resolver } = harness();
    expect((await failure(resolver.resolve(`${base}/ctx/outside.jsonld`))).reason).toBe('context_not_allowed');
    expect(hits.get('/other/x.jsonld')).toBeUndefined();
    const out = await failure(resolver.resolve(`${base}/ctx/redirect-out`));
    expect(out.code).toBe('LD_CONTEXT_NOT_AVAILABLE');
    expect(hits.get('/other/x.jsonld')).toBeUndefined();
    const inside = await resolver.resolve(`${base}/ctx/redirect-in`);
    expect(inside.expandTerm('temp')).toBe(TEMP);
  });

  for (const [name, path] of [
    ['a 404', '/ctx/missing.jsonld'],
    ['a timeout', '/ctx/slow.jsonld'],
    ['an oversized chunked body', '/ctx/big-chunked.jsonld'],
    ['an oversized declared body', '/ctx/big-declared.jsonld'],
    ['a non-JSON body', '/ctx/not-json.jsonld'],
    ['a document without @context', '/ctx/no-context.jsonld'],
  ] as const) {
    it(`answers LD_CONTEXT_NOT_AVAILABLE for ${name}`, async () => {
      // The slow document never completes: the fetch timeout is what ends this test.
      const { resolver } = harness(path === '/ctx/slow.jsonld' ? { fetchTimeoutMs: 300 } : {});
      const err = await failure(resolver.resolve(`${base}${path}`));
      expect(err.code).toBe('LD_CONTEXT_NOT_AVAILABLE');
      expect(err.reason).toBe('context_unavailable');
      expect(err.status).toBe(503);
    });
  }

  it('refuses remote documents that redefine core terms, or include themselves', async () => {
    const { resolver } = harness();
    expect((await failure(resolver.resolve(`${base}/ctx/evil-location.jsonld`))).reason).toBe('protected_term_redefined');
    expect((await failure(resolver.resolve(`${base}/ctx/loop1.jsonld`))).reason).toBe('recursive_context_inclusion');
  });

  it('remembers a failure for a short backoff, then tries again', async () => {
    const { resolver, clock } = harness();
    const url = `${base}/ctx/flaky.jsonld`;
    flakyFailuresLeft = 1;
    expect((await failure(resolver.resolve(url))).code).toBe('LD_CONTEXT_NOT_AVAILABLE');
    const flood = await Promise.all(Array.from({ length: 20 }, () => failure(resolver.resolve(url))));
    expect(flood.every((e) => e.code === 'LD_CONTEXT_NOT_AVAILABLE')).toBe(true);
    expect(hits.get('/ctx/flaky.jsonld')).toBe(1);
    clock.now += 1001;
    const active = await resolver.resolve(url);
    expect(active.expandTerm('flaky')).toBe('https://example.org/flaky');
    expect(hits.get('/ctx/flaky.jsonld')).toBe(2);
  });

  it('respects the cache max age', async () => {
    const { resolver, clock } = harness({ maxAgeMs: 10_000 });
    const url = `${base}/ctx/sdm.jsonld`;
    const first = await resolver.resolve(url);
    clock.now += 9_999;
    expect(await resolver.resolve(url)).toBe(first);
    expect(hits.get('/ctx/sdm.jsonld')).toBe(1);
    clock.now += 2;
    const second = await resolver.resolve(url);
    expect(hits.get('/ctx/sdm.jsonld')).toBe(2);
    expect(second).not.toBe(first);
    expect(second.expandTerm('temp')).toBe(TEMP);
  });

  it('expires an inline context with the remote documents it pulled in', async () => {
    const { resolver, clock } = harness({ maxAgeMs: 10_000 });
    const inline = [`${base}/ctx/sdm.jsonld`, { wind: 'sdm:windSpeed' }];
    const first = await resolver.resolve(inline);
    expect(first.expandTerm('wind')).toBe('https://smartdatamodels.org/windSpeed');
    expect(first.id).toMatch(/^sha256:/);
    clock.now += 10_001;
    await resolver.resolve(inline);
    expect(hits.get('/ctx/sdm.jsonld')).toBe(2);
  });

  it('bounds the caches by maxEntries', async () => {
    const { resolver } = harness({ maxEntries: 2 });
    await resolver.resolve(`${base}/ctx/a.jsonld`);
    await resolver.resolve(`${base}/ctx/b.jsonld`);
    await resolver.resolve(`${base}/ctx/b.jsonld`);
    expect(hits.get('/ctx/b.jsonld')).toBe(1);
    await resolver.resolve(`${base}/ctx/c.jsonld`); // evicts a, the oldest
    await resolver.resolve(`${base}/ctx/a.jsonld`);
    expect(hits.get('/ctx/a.jsonld')).toBe(2);
  });
});

describe('context resolver: without fetching', () => {
  it('answers undefined and the official core URLs with the built-in core, fetching nothing', async () => {
    const { resolver, fetchCalls } = harness();
    const none = await resolver.resolve(undefined);
    expect(none.id).toBe('core');
    expect(none.expandTerm('location')).toBe('https://uri.etsi.org/ngsi-ld/location');
    for (const url of [
      'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
      'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld',
    ]) {
      expect((await resolver.resolve(url)).id).toBe('core');
    }
    const mixed = await resolver.resolve(['https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld', { temp: TEMP }]);
    expect(mixed.expandTerm('temp')).toBe(TEMP);
    expect(fetchCalls).toEqual([]);
  });

  it('caches inline contexts, and gives equal contexts one id whatever the key order', async () => {
    const { resolver } = harness();
    const a = await resolver.resolve({ sdm: 'https://smartdatamodels.org/', temp: 'sdm:temperature' });
    expect(await resolver.resolve({ sdm: 'https://smartdatamodels.org/', temp: 'sdm:temperature' })).toBe(a);
    const b = await resolver.resolve({ temp: 'sdm:temperature', sdm: 'https://smartdatamodels.org/' });
    expect(b.id).toBe(a.id);
    expect(a.id).toMatch(/^sha256:/);
    const c = await resolver.resolve({ temp: 'https://example.org/t' });
    expect(c.id).not.toBe(a.id);
    // large inline contexts are keyed by digest and still cached
    const big = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`t${i}`, `https://example.org/t${i}`]));
    const first = await resolver.resolve(big);
    expect(await resolver.resolve(big)).toBe(first);
    expect(first.expandTerm('t299')).toBe('https://example.org/t299');
  });

  it('refuses an inline context redefining a core term', async () => {
    const { resolver } = harness();
    const err = await failure(resolver.resolve({ type: 'https://evil.example/type' }));
    expect(err.reason).toBe('protected_term_redefined');
  });
});

describe('context resolver: fromRequest', () => {
  const linkTo = (url: string): string => `<${url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;

  it('uses the Link header for GET', async () => {
    const { resolver } = harness();
    const active = await resolver.fromRequest({ link: linkTo(`${base}/ctx/sdm.jsonld`) }, undefined);
    expect(active.expandTerm('temp')).toBe(TEMP);
    expect((await resolver.fromRequest({}, undefined)).id).toBe('core');
  });

  it('uses the body @context for application/ld+json', async () => {
    const { resolver } = harness();
    const active = await resolver.fromRequest(
      { 'content-type': 'application/ld+json' },
      { id: 'urn:ngsi-ld:X:1', type: 'X', '@context': [`${base}/ctx/sdm.jsonld`, { t: 'sdm:temperature' }] },
    );
    expect(active.expandTerm('t')).toBe(TEMP);
    expect(active.expandTerm('temp')).toBe(TEMP);
  });

  it('rejects rather than falling back to the core', async () => {
    const { resolver } = harness();
    const ldWithLink = await failure(resolver.fromRequest(
      { 'content-type': 'application/ld+json', link: linkTo(`${base}/ctx/sdm.jsonld`) },
      { id: 'x', type: 'X', '@context': {} },
    ));
    expect(ldWithLink.reason).toBe('link_with_ld_json');
    const twoLinks = await failure(resolver.fromRequest({ link: [linkTo(`${base}/ctx/a.jsonld`), linkTo(`${base}/ctx/b.jsonld`)] }, undefined));
    expect(twoLinks.reason).toBe('multiple_context_links');
    const unavailable = await failure(resolver.fromRequest({ link: linkTo(`${base}/ctx/missing.jsonld`) }, undefined));
    expect(unavailable.code).toBe('LD_CONTEXT_NOT_AVAILABLE');
    const notAllowed = await failure(resolver.fromRequest({ link: linkTo(`${base}/other/x.jsonld`) }, undefined));
    expect(notAllowed.reason).toBe('context_not_allowed');
  });
});
