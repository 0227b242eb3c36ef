/**
 * receiver(): the origin each exchange is checked against (DPoP `htu`) comes from the Host
 * the request names, read once per Host, never from a Host that carries more than a host
 * and port, and is right for many different Hosts (the remembered ones are bounded).
 */
import { describe, it, expect } from 'vitest';
import Fastify from 'fastify';
import { receiver } from '../../src/gateway/index.js';

async function originServer() {
  const app = Fastify();
  const receive = receiver({ tls: false, clientCerts: false });
  app.get('/*', async (req) => ({ origin: receive(req).origin ?? null }));
  await app.ready();
  return async (host: string) => (await app.inject({ url: '/ngsi-ld/v1/entities', headers: { host } })).json<{ origin: string | null }>().origin;
}

describe('receiver origin', () => {
  it('reads scheme, host and port from the Host, the same on every request', async () => {
    const originOf = await originServer();
    for (let i = 0; i < 3; i++) expect(await originOf('gateway.city.example:8443')).toBe('http://gateway.city.example:8443');
    expect(await originOf('GATEWAY.city.example:80')).toBe('http://gateway.city.example');
  });

  it('names no origin for a Host with user information, a path or a query, however often it is sent', async () => {
    const originOf = await originServer();
    for (let i = 0; i < 2; i++) {
      for (const host of ['user:pw@gateway.city.example', 'gateway.city.example/x', 'gateway.city.example?q=1']) expect(await originOf(host)).toBeNull();
    }
  });

  it('stays right for more distinct Hosts than it remembers', async () => {
    const originOf = await originServer();
    for (let i = 0; i < 600; i++) expect(await originOf(`h${i}.city.example:${1000 + (i % 7)}`)).toBe(`http://h${i}.city.example:${1000 + (i % 7)}`);
    expect(await originOf('h3.city.example:1003')).toBe('http://h3.city.example:1003');
    expect(await originOf('user@h3.city.example:1003')).toBeNull();
  });
});
