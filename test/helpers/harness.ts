/**
 * Starts the real gateway over HTTPS in front of the in-memory broker, with its own
 * temporary keys and SQLite store, plus an external token issuer serving a JWKS over
 * HTTP on 127.0.0.1. Tests talk to it with undici, trusting the generated certificate.
 */
import { EventEmitter } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { Agent } from 'undici';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type CryptoKey } from 'jose';
import { buildConfig, type Config } from '../../src/config/index.js';
import { startGateway, type Gateway } from '../../src/app/index.js';
import { createLogger, type DestinationStream } from '../../src/observe/index.js';
import { startMiniBroker, type MiniBroker } from './mini-broker.mjs';
import { makeTempDir } from './temp-dir.js';

export const ISSUER = 'https://issuer.test.mimtrust';
export const AUDIENCE = 'mimtrust-gateway';
export const REPO = new URL('../..', import.meta.url).pathname;

export interface Issuer {
  url: string;
  privateKey: CryptoKey;
  kid: string;
  jwks: { keys: JWK[] };
  fetches: number;
  close(): Promise<void>;
}

export async function startIssuer(): Promise<Issuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  const issuer: Issuer = {
    url: '',
    privateKey,
    kid: 'key-1',
    jwks: { keys: [jwk] },
    fetches: 0,
    close: async () => undefined,
  };
  const server: Server = createServer((_req, res) => {
    issuer.fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.jwks));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  issuer.url = `http://127.0.0.1:${port}/jwks`;
  issuer.close = () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });
  return issuer;
}

export interface TokenOptions {
  sub?: string;
  roles?: string[];
  iss?: string;
  aud?: string;
  expOffsetSec?: number;
  nbfOffsetSec?: number;
  /** `iat` relative to now; null leaves `iat` out. Default 0. */
  iatOffsetSec?: number | null;
  typ?: string | null;
  kid?: string;
  extra?: Record<string, unknown>;
}

export async function token(issuer: Issuer, o: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const header: Record<string, unknown> = { alg: 'RS256', kid: o.kid ?? issuer.kid };
  if (o.typ !== null) header.typ = o.typ ?? 'at+jwt';
  const jwt = new SignJWT({ roles: o.roles ?? ['viewer'], client_id: 'test-client', ...(o.extra ?? {}) })
    .setProtectedHeader(header as { alg: string })
    .setIssuer(o.iss ?? ISSUER)
    .setAudience(o.aud ?? AUDIENCE)
    .setSubject(o.sub ?? 'alice')
    .setExpirationTime(now + (o.expOffsetSec ?? 300));
  if (o.iatOffsetSec !== null) jwt.setIssuedAt(now + (o.iatOffsetSec ?? 0));
  if (o.nbfOffsetSec !== undefined) jwt.setNotBefore(now + o.nbfOffsetSec);
  return jwt.sign(issuer.privateKey);
}

/**
 * A token signed over exactly the given header and claims, for headers jose refuses to
 * produce (an unknown `crit`). RS256 with the issuer's key.
 */
export async function rawToken(issuer: Issuer, header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${enc({ alg: 'RS256', kid: issuer.kid, typ: 'at+jwt', ...header })}.${enc(claims)}`;
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', issuer.privateKey, new TextEncoder().encode(input));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

export interface Harness {
  gateway: Gateway;
  broker: MiniBroker;
  issuer: Issuer;
  config: Config;
  dir: string;
  ca: string;
  agent: Agent;
  call(method: string, path: string, opts?: { token?: string; headers?: Record<string, string | string[]>; body?: unknown; rawBody?: string }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; json: () => any }>;
  /**
   * Resolves with the next gateway log line matching `pattern` (e.g. /^roles reloaded/):
   * tests wait on what the gateway reports instead of sleeping. Call it before causing
   * the event.
   */
  nextLog(pattern: RegExp): Promise<string>;
  /** The message of every line the gateway has logged so far, start-up included; an error line is followed by its error as logged. */
  logs: string[];
  /** Every line exactly as the gateway wrote it (JSON). */
  logLines: string[];
  /** Resolves with the next logged line (parsed) that `match` accepts. Call it before causing the event. */
  nextRecord(match: (record: Record<string, any>) => boolean): Promise<Record<string, any>>;
  close(): Promise<void>;
}

/** Where the gateway's logger writes: every line is kept and told to listeners; nothing is printed. */
function observedLog(): { destination: DestinationStream; logs: string[]; logLines: string[]; records: EventEmitter } {
  const records = new EventEmitter();
  const logs: string[] = [];
  const logLines: string[] = [];
  const destination = {
    write(line: string): void {
      logLines.push(line);
      const record = JSON.parse(line) as Record<string, unknown>;
      logs.push(String(record.msg));
      if (record.err !== undefined) logs.push(JSON.stringify(record.err));
      records.emit('record', record);
    },
  };
  return { destination, logs, logLines, records };
}

function nextOf(records: EventEmitter, match: (record: Record<string, any>) => boolean): Promise<Record<string, any>> {
  return new Promise((resolve) => {
    const listener = (record: Record<string, any>): void => {
      if (!match(record)) return;
      records.off('record', listener);
      resolve(record);
    };
    records.on('record', listener);
  });
}

/**
 * `moreIssuers` are trusted next to the harness's own issuer, which stands for the city's
 * identity service (`cityOwn`). `alongside`: a second gateway instance beside another
 * harness's, as a deployment runs several: the same broker, issuer and keys folder (token
 * and audit keys are the deployment's), a data folder of its own; closing it leaves the
 * shared parts to their harness.
 */
export async function startHarness(
  overrides: Record<string, unknown> = {},
  opts: { moreIssuers?: Array<Record<string, unknown>>; alongside?: Harness } = {},
): Promise<Harness> {
  const shared = opts.alongside;
  const broker = shared?.broker ?? await startMiniBroker();
  const issuer = shared?.issuer ?? await startIssuer();
  const dir = makeTempDir('it');
  const keysDir = shared?.config.keysDir ?? join(dir, 'keys');
  const input = {
    listen: { host: '127.0.0.1', port: 0 },
    issuers: [{ issuer: ISSUER, jwksUri: issuer.url, audience: AUDIENCE, rolesClaim: 'roles', cityOwn: true }, ...(opts.moreIssuers ?? [])],
    keysDir,
    store: { path: join(dir, 'mimtrust.db') },
    policiesDir: join(REPO, 'policies'),
    contractsDir: join(REPO, 'test', 'fixtures', 'contracts-open'),
    logLevel: 'info',
    ...overrides,
    upstream: { url: broker.url, connectTimeoutMs: 500, responseTimeoutMs: 1500, ...((overrides.upstream as object | undefined) ?? {}) },
  };
  // Also written out, so the CLI can be run against the same gateway's files.
  writeFileSync(join(dir, 'mimtrust.json'), JSON.stringify(input, null, 2));
  const config = buildConfig(input, { baseDir: dir });
  const log = observedLog();
  let gateway: Gateway;
  try {
    gateway = await startGateway(config, { logger: createLogger({ ...config, logFormat: 'json' }, log.destination) });
  } catch (err) {
    // A gateway that does not start leaves nothing running behind it.
    if (!shared) {
      await broker.close();
      await issuer.close();
    }
    throw err;
  }
  const ca = readFileSync(join(config.keysDir, 'tls-cert.pem'), 'utf8');
  const agent = new Agent({ connect: { ca, servername: 'localhost' } });
  const base = gateway.url.replace('127.0.0.1', 'localhost');
  return {
    gateway, broker, issuer, config, dir, ca, agent,
    nextLog: async (pattern) => String((await nextOf(log.records, (r) => pattern.test(String(r.msg)))).msg),
    nextRecord: (match) => nextOf(log.records, match),
    logs: log.logs,
    logLines: log.logLines,
    async call(method, path, opts = {}) {
      const headers: Record<string, string | string[]> = { ...(opts.headers ?? {}) };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined = opts.rawBody;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      // The dispatcher API sends the path as written: no URL parser normalises dot segments away.
      const res = await agent.request({ origin: base, path, method: method, headers, body });
      const text = await res.body.text();
      // A read's outcome record follows its answer: a call returns once it is written, so
      // a test reads every record of what it was answered.
      await gateway.auditSettled();
      return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
    },
    async close() {
      await gateway.close();
      await agent.close();
      if (shared) return;
      await broker.close();
      await issuer.close();
    },
  };
}
