import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Upstream } from '../../src/gateway/index.js';
import { buildConfig } from '../../src/config/index.js';
import { refusal } from '../helpers/refusal.js';

/** A broker whose answer each test picks by path. */
let server: Server;
let url: string;
const seen: { method: string; url: string; body: string }[] = [];
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  // Written in several pieces, so the body arrives in more than one chunk.
  '/chunked': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/ld+json', 'set-cookie': ['a=1', 'b=2'], link: '</ctx>; rel="x"' });
    res.write('{"id":"urn:ngsi-ld:X:1",');
    setTimeout(() => res.end('"type":"X"}'), 10);
  },
  '/interim': (_req, res) => {
    res.writeProcessing();
    res.writeHead(201, { location: '/ngsi-ld/v1/entities/urn:x' });
    res.end();
  },
  '/large': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(Buffer.alloc(1500, 0x61));
    // Never ends on its own: only the gateway's limit stops this exchange (waiting would end in a timeout).
  },
  '/slow': () => undefined,
  '/echo': (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('busy');
    });
  },
};

beforeAll(async () => {
  server = createServer((req, res) => (routes[req.url!.split('?')[0]!] ?? ((_q, r) => r.writeHead(404).end()))(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function upstream(extra: Record<string, unknown> = {}, rounds: { seconds: number; failure: string | undefined }[] = []): Upstream {
  const cfg = buildConfig({ upstream: { url, maxResponseBytes: 1024, responseTimeoutMs: 3000, ...extra } }, { baseDir: process.cwd() }).upstream;
  return new Upstream(cfg, undefined, { roundTrip: (seconds, failure) => rounds.push({ seconds, failure }) });
}

describe('a round trip to the broker', () => {
  it('reads the whole answer, in several chunks, with the headers as the broker sent them', async () => {
    const rounds: { seconds: number; failure: string | undefined }[] = [];
    const up = upstream({}, rounds);
    try {
      const res = await up.send({ method: 'GET', path: '/chunked', headers: { accept: 'application/ld+json' } });
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('{"id":"urn:ngsi-ld:X:1","type":"X"}');
      expect(res.headers['content-type']).toBe('application/ld+json');
      expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(res.headers.link).toBe('</ctx>; rel="x"');
      expect(rounds).toEqual([{ seconds: expect.any(Number), failure: undefined }]);
    } finally {
      await up.close();
    }
  });

  it('skips an interim 1xx answer and returns the final one, with an empty body', async () => {
    const up = upstream();
    try {
      const res = await up.send({ method: 'POST', path: '/interim', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe('/ngsi-ld/v1/entities/urn:x');
      expect(res.body.length).toBe(0);
    } finally {
      await up.close();
    }
  });

  it('sends the method, path and body, and counts a 5xx answer as a failed round trip', async () => {
    const rounds: { seconds: number; failure: string | undefined }[] = [];
    const up = upstream({}, rounds);
    try {
      const res = await up.send({ method: 'PATCH', path: '/echo?x=1', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      expect(res.status).toBe(503);
      expect(res.body.toString()).toBe('busy');
      expect(seen.at(-1)).toEqual({ method: 'PATCH', url: '/echo?x=1', body: '{"a":1}' });
      expect(rounds.map((r) => r.failure)).toEqual(['server_error']);
    } finally {
      await up.close();
    }
  });

  it('refuses an answer larger than maxResponseBytes at once, without waiting for its end', async () => {
    const rounds: { seconds: number; failure: string | undefined }[] = [];
    const up = upstream({}, rounds);
    try {
      const e = await refusal(up.send({ method: 'GET', path: '/large', headers: {} }));
      expect(e.status).toBe(502);
      expect(e.reason).toBe('upstream_response_too_large');
      expect(rounds.map((r) => r.failure)).toEqual(['upstream_response_too_large']);
      // The pool still serves the next request.
      expect((await up.send({ method: 'GET', path: '/chunked', headers: {} })).status).toBe(200);
    } finally {
      await up.close();
    }
  });

  it('gives up when the caller aborts, before or during the exchange', async () => {
    const up = upstream();
    try {
      const during = new AbortController();
      const pending = refusal(up.send({ method: 'GET', path: '/slow', headers: {}, signal: during.signal }));
      setTimeout(() => during.abort(), 50);
      expect((await pending).reason).toBe('upstream_unreachable');
      const before = new AbortController();
      before.abort();
      expect((await refusal(up.send({ method: 'GET', path: '/chunked', headers: {}, signal: before.signal }))).reason).toBe('upstream_unreachable');
    } finally {
      await up.close();
    }
  });

  it('answers 504 when the broker does not answer in time', async () => {
    const up = upstream({ responseTimeoutMs: 100 });
    try {
      const e = await refusal(up.send({ method: 'GET', path: '/slow', headers: {} }));
      expect(e.status).toBe(504);
      expect(e.reason).toBe('upstream_timeout');
    } finally {
      await up.close();
    }
  });
});
