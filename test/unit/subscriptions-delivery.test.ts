/**
 * Delivery to a real HTTP server on 127.0.0.1, with the resolver injected so that a host
 * name can be made to resolve anywhere: the address connected to is checked inside the
 * connection (DNS rebinding), redirects are not followed, receiverInfo becomes headers.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { MimtrustError } from '../../src/errors/index.js';
import { NotificationDelivery, type EndpointPolicy } from '../../src/subscriptions/index.js';

let server: Server;
let port = 0;
let hits: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];

const toLoopback = async () => [{ address: '127.0.0.1', family: 4 }];
const policy = (allowLoopback: boolean): EndpointPolicy => ({ allowSchemes: ['http'], allowHosts: ['*'], allowPrivateNetworks: false, allowLoopback });
const options = { connectTimeoutMs: 1000, responseTimeoutMs: 2000, connections: 2, resolve: toLoopback };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (req.url === '/moved') res.writeHead(307, { location: `http://127.0.0.1:${port}/target` }).end();
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  hits = [];
});

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MimtrustError);
    return (err as MimtrustError).reason;
  }
  throw new Error('expected a failure');
}

describe('notification delivery', () => {
  it('refuses a host that resolves to loopback at delivery time; nothing reaches the address', async () => {
    const d = new NotificationDelivery({ policy: policy(false), ...options });
    try {
      expect(await failure(d.deliver({ uri: `http://rebind.test:${port}/n` }, { type: 'Notification', data: [] }, undefined))).toBe('delivery_failed');
      expect(await failure(d.deliver({ uri: `http://127.0.0.1:${port}/n` }, { type: 'Notification', data: [] }, undefined))).toBe('endpoint_not_allowed');
      expect(hits).toHaveLength(0);
    } finally {
      await d.close();
    }
  });

  it('delivers through the checked lookup, with receiverInfo as headers and the context link', async () => {
    const d = new NotificationDelivery({ policy: policy(true), ...options });
    try {
      const link = '<https://ctx.example/c.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"';
      const res = await d.deliver({ uri: `http://rebind.test:${port}/n?x=1`, receiverInfo: [{ key: 'X-Api-Key', value: 'k1' }] }, { type: 'Notification', data: [{ id: 'e' }] }, link);
      expect(res.status).toBe(204);
      expect(hits).toHaveLength(1);
      expect(hits[0]!.path).toBe('/n?x=1');
      expect(hits[0]!.headers['x-api-key']).toBe('k1');
      expect(hits[0]!.headers['content-type']).toBe('application/json');
      expect(hits[0]!.headers.link).toBe(link);
      expect(JSON.parse(hits[0]!.body)).toEqual({ type: 'Notification', data: [{ id: 'e' }] });
    } finally {
      await d.close();
    }
  });

  it('does not follow a redirect', async () => {
    const d = new NotificationDelivery({ policy: policy(true), ...options });
    try {
      expect(await failure(d.deliver({ uri: `http://127.0.0.1:${port}/moved` }, { type: 'Notification', data: [] }, undefined))).toBe('delivery_refused');
      expect(hits.map((h) => h.path)).toEqual(['/moved']);
    } finally {
      await d.close();
    }
  });
});
