/**
 * Connections that never get to a request must not crowd out those that do: thousands of
 * idle TCP connections that never start TLS, from one address, while a client on another
 * address is served. Each address may hold only a few such connections, and a handshake
 * that does not finish in time is closed.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { startHarness, token, type Harness } from '../helpers/harness.js';

let h: Harness;
const ATTACKER = '127.0.0.2';
const IDLE = 3000;
const PER_ADDRESS = 50;
const WAVE = 250;

beforeAll(async () => {
  h = await startHarness({ limits: { maxPendingConnectionsPerAddress: PER_ADDRESS, handshakeTimeoutMs: 1000 } });
});
afterAll(async () => {
  await h?.close();
});

function port(): number {
  return Number(new URL(h.gateway.url).port);
}

describe('idle connections', () => {
  it('serves a client while another address holds thousands of connections that never start TLS', async () => {
    const sockets: Socket[] = [];
    let closed = 0;
    let allClosed!: () => void;
    const done = new Promise<void>((r) => { allClosed = r; });
    const open = () => new Promise<Socket | undefined>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: port(), localAddress: ATTACKER });
      s.on('connect', () => resolve(s));
      s.on('error', () => resolve(undefined));
      s.on('close', () => { if (++closed === IDLE) allClosed(); });
      sockets.push(s);
    });
    // In waves no larger than the kernel's accept queue, so no connection waits on SYN retries.
    const opened: Array<Socket | undefined> = [];
    for (let i = 0; i < IDLE; i += WAVE) opened.push(...await Promise.all(Array.from({ length: Math.min(WAVE, IDLE - i) }, open)));
    try {
      expect(opened.filter(Boolean).length).toBeGreaterThan(0);
      const res = await h.call('GET', '/ngsi-ld/v1/types', { token: await token(h.issuer) });
      expect(res.status, res.text).toBe(200);
      // Everything beyond the per-address allowance was closed by the gateway, and the
      // rest when their handshake did not come: wait for every close, however long it takes.
      await done;
      expect(closed).toBe(IDLE);
      const again = await h.call('GET', '/ngsi-ld/v1/types', { token: await token(h.issuer) });
      expect(again.status).toBe(200);
    } finally {
      for (const s of sockets) s.destroy();
    }
  }, 60_000);
});

/** Sends raw bytes over TLS and returns everything the gateway answers before it closes. */
function rawExchange(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: port(), ca: h.ca, servername: 'localhost' }, () => s.write(bytes));
    let got = '';
    s.on('data', (d: Buffer) => { got += d.toString(); });
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
}

function refusedRecords(): Array<{ reason: string }> {
  const db = new Database(join(h.dir, 'mimtrust.db'), { readonly: true });
  try {
    return db.prepare("SELECT reason FROM audit_records WHERE operation = 'http.refused' ORDER BY seq").all() as never;
  } finally {
    db.close();
  }
}

describe('requests the HTTP layer refuses', () => {
  it('answers broken framing and oversized headers as ProblemDetails, and audits them', async () => {
    const framing = await rawExchange('GET /ngsi-ld/v1/types HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n');
    expect(framing).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(framing.slice(framing.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    const big = await rawExchange(`GET /ngsi-ld/v1/types HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    // Records are appended in order and a response waits for its own: once a later request
    // is answered, the refusals before it are on disk.
    expect((await h.call('GET', '/ngsi-ld/v1/types', { token: await token(h.issuer) })).status).toBe(200);
    expect(refusedRecords().map((r) => r.reason)).toEqual(['malformed_framing', 'headers_too_large']);
  });
});

describe('idle connections over IPv6', () => {
  // On a dual-stack listener the guard sees IPv6 addresses; ::1 is the only one a test can
  // own, so this shows the wiring, and the unit tests of addressKey show the /64 keying.
  it('closes the connections of an IPv6 client beyond its allowance at once, and still serves', async () => {
    const v6 = await startHarness({ listen: { host: '::', port: 0 }, limits: { maxPendingConnectionsPerAddress: PER_ADDRESS, handshakeTimeoutMs: 5000 } });
    const sockets: Socket[] = [];
    const agent = new Agent({ connect: { ca: v6.ca, servername: 'localhost' } });
    try {
      const p = Number(new URL(v6.gateway.url).port);
      const closedEarly = await Promise.all(Array.from({ length: PER_ADDRESS + 20 }, () => new Promise<boolean>((resolve) => {
        const s = connect({ host: '::1', port: p });
        sockets.push(s);
        const t = setTimeout(() => resolve(false), 2000);
        s.on('close', () => { clearTimeout(t); resolve(true); });
        s.on('error', () => undefined);
      })));
      expect(closedEarly.filter(Boolean).length).toBe(20);
      // An IPv4 client on the same listener is another address.
      const res = await request(`https://127.0.0.1:${p}/ngsi-ld/v1/types`, {
        dispatcher: agent,
        headers: { authorization: `Bearer ${await token(v6.issuer)}` },
      });
      expect(res.statusCode).toBe(200);
      await res.body.text();
    } finally {
      for (const s of sockets) s.destroy();
      await agent.close();
      await v6.close();
    }
  }, 30_000);
});
