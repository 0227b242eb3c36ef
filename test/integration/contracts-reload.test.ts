/**
 * Contract reloads and start-up that do not break, end to end: the real gateway over
 * HTTPS with its SQLite store, a contracts folder on disk that is replaced, swapped the
 * way a Kubernetes ConfigMap is, and given links out of it; a real HTTP server on
 * 127.0.0.1 as the host of a contract's remote context, stopped and started again.
 * Every wait is on the gateway's own report (its log lines), never on a sleep.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startContextServer, type ContextServer } from '../helpers/context-server.js';

const E = '/ngsi-ld/v1/entities';
const VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';
const CITY = join(REPO, 'test', 'fixtures', 'contracts-city');
const CLI = join(REPO, 'dist', 'cli', 'index.js');

const contract = (uid: string, type: string, extra: Record<string, unknown> = {}) => ({
  '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
  '@type': 'Set',
  uid,
  profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
  permission: [{
    uid: `${uid}:read`,
    target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: type }] },
    action: 'ngsi:read',
  }],
  ...extra,
});

const spot = { id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot', status: { type: 'Property', value: 'free' }, name: { type: 'Property', value: 'Spot 1' } };

async function statusOf(h: Harness, type: string): Promise<number> {
  return (await h.call('GET', `${E}?type=${encodeURIComponent(type)}`, { token: await token(h.issuer, { roles: ['viewer'] }) })).status;
}

/**
 * Does `change`, then waits on the gateway's reports until `done` holds: the report that
 * answers a change may come after others (a folder swap is several steps on disk). Each
 * wait is registered before the check, so no report is missed; the test's own timeout
 * bounds it.
 */
async function afterReports(h: Harness, pattern: RegExp, change: () => void, done: () => Promise<boolean>): Promise<void> {
  let next = h.nextLog(pattern);
  change();
  for (;;) {
    await next;
    next = h.nextLog(pattern);
    if (await done()) return;
  }
}

describe('a contracts folder that is replaced', () => {
  let h: Harness;
  let root: string;
  let dir: string;
  beforeAll(async () => {
    root = makeTempDir('replaced');
    dir = join(root, 'contracts');
    cpSync(CITY, dir, { recursive: true });
    h = await startHarness({ contractsDir: dir });
  });
  afterAll(async () => h?.close());

  it('keeps reloading after `mv new contracts`, and after it is removed and made again', async () => {
    expect(await statusOf(h, 'Tram')).toBe(403);
    cpSync(CITY, join(root, 'next'), { recursive: true });
    writeFileSync(join(root, 'next', 'tram.jsonld'), JSON.stringify(contract('urn:test:tram', 'Tram')));
    await afterReports(h, /^contracts reloaded/, () => {
      renameSync(dir, join(root, 'previous'));
      renameSync(join(root, 'next'), dir);
    }, async () => (await statusOf(h, 'Tram')) === 200);

    // The gateway watches the new folder, not the one moved away.
    await afterReports(h, /^contracts reloaded/, () => {
      writeFileSync(join(dir, 'bus.jsonld'), JSON.stringify(contract('urn:test:bus', 'Bus')));
      writeFileSync(join(root, 'previous', 'metro.jsonld'), JSON.stringify(contract('urn:test:metro', 'Metro')));
    }, async () => (await statusOf(h, 'Bus')) === 200);
    expect(await statusOf(h, 'Metro')).toBe(403);

    await afterReports(h, /^contracts reloaded/, () => {
      rmSync(dir, { recursive: true });
      mkdirSync(dir);
      cpSync(CITY, dir, { recursive: true });
      writeFileSync(join(dir, 'ferry.jsonld'), JSON.stringify(contract('urn:test:ferry', 'Ferry')));
    }, async () => (await statusOf(h, 'Ferry')) === 200);
    expect(await statusOf(h, 'Bus')).toBe(403);
  });

  it('keeps the file contracts in force while the folder is missing', async () => {
    expect(await statusOf(h, 'Ferry')).toBe(200);
    const reported = h.nextLog(/^contracts reloaded/);
    renameSync(dir, join(root, 'away'));
    await reported;
    expect(await statusOf(h, 'Ferry')).toBe(200);
    await afterReports(h, /^contracts reloaded/, () => renameSync(join(root, 'away'), dir), async () => true);
  });
});

describe('a ConfigMap-style contracts folder', () => {
  let h: Harness;
  let dir: string;
  let outside: string;
  const SECRET = 'root:x:0:0:mimtrust-secret-7731:/root:/bin/bash';
  beforeAll(async () => {
    dir = makeTempDir('configmap');
    outside = makeTempDir('outside');
    // The layout kubelet makes: timestamped folder, ..data link to it, one link per key.
    cpSync(CITY, join(dir, '..2026_01_01_v1'), { recursive: true });
    symlinkSync('..2026_01_01_v1', join(dir, '..data'));
    for (const name of ['parking.jsonld', 'bench.jsonld']) symlinkSync(`..data/${name}`, join(dir, name));
    h = await startHarness({ contractsDir: dir });
  });
  afterAll(async () => h?.close());

  it('follows a ..data swap', async () => {
    expect(await statusOf(h, 'ParkingSpot')).toBe(200);
    cpSync(CITY, join(dir, '..2026_01_02_v2'), { recursive: true });
    writeFileSync(join(dir, '..2026_01_02_v2', 'tram.jsonld'), JSON.stringify(contract('urn:test:tram', 'Tram')));
    await afterReports(h, /^contracts reloaded/, () => {
      symlinkSync('..2026_01_02_v2', join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      symlinkSync('..data/tram.jsonld', join(dir, 'tram.jsonld'));
      rmSync(join(dir, '..2026_01_01_v1'), { recursive: true });
    }, async () => (await statusOf(h, 'Tram')) === 200);
    expect(await statusOf(h, 'ParkingSpot')).toBe(200);
  });

  it('refuses links to files outside the folder by name, and nothing of their content appears anywhere', async () => {
    writeFileSync(join(outside, 'passwd'), `${SECRET}\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n`);
    // Outside and valid: it would grant Metro, and its title carries the secret.
    writeFileSync(join(outside, 'grant.jsonld'), JSON.stringify(contract('urn:test:metro', 'Metro', { title: SECRET })));
    // Outside and shaped like JSON that is no contract: its keys would be quoted as unknown terms.
    writeFileSync(join(outside, 'keys.json'), JSON.stringify({ [SECRET]: SECRET }));
    const reported = h.nextLog(/^contract passwd\.jsonld not loaded/);
    const grant = h.nextLog(/^contract grant\.jsonld not loaded/);
    symlinkSync(join(outside, 'passwd'), join(dir, 'passwd.jsonld'));
    symlinkSync(join(outside, 'grant.jsonld'), join(dir, 'grant.jsonld'));
    symlinkSync('../' + join(outside, 'keys.json').split('/').slice(-2).join('/'), join(dir, 'keys.json'));
    expect(await reported).toContain('passwd.jsonld: is a link to a file outside the contracts folder: refused');
    await grant;
    expect(await statusOf(h, 'Metro')).toBe(403);

    const admin = await token(h.issuer, { roles: ['contract-admin'] });
    const documents = await h.call('GET', '/admin/contract-documents', { token: admin });
    expect(documents.status).toBe(200);
    const refused = (documents.json() as Array<{ source: string; state: string; problem?: { code: string } }>).filter((d) => d.problem?.code === 'ERR_CONTRACT_UNREADABLE');
    expect(refused.map((d) => [d.source, d.state]).sort()).toEqual([['grant.jsonld', 'absent'], ['keys.json', 'absent'], ['passwd.jsonld', 'absent']]);
    const contracts = await h.call('GET', '/admin/contracts', { token: admin });
    const validate = (() => {
      try {
        return execFileSync(process.execPath, [CLI, 'contracts', 'validate', dir], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        return (err as { stdout: string }).stdout;
      }
    })();
    expect(validate).toContain('keys.json:1:1: error: is a link to a file outside the contracts folder: refused [ERR_CONTRACT_UNREADABLE]');
    for (const text of [documents.text, contracts.text, validate, ...h.logs]) {
      expect(text).not.toContain('mimtrust-secret');
      expect(text).not.toContain('root:x');
    }
  });
});

describe('one broken document', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = makeTempDir('broken');
    cpSync(CITY, dir, { recursive: true });
    h = await startHarness({ contractsDir: dir });
  });
  afterAll(async () => h?.close());

  it('blocks neither a good edit to another file nor an admin write, and is reported by name and position', async () => {
    const reported = h.nextLog(/^contract broken\.jsonld not loaded/);
    writeFileSync(join(dir, 'broken.jsonld'), '{\n  "uid": "urn:test:broken",\n  "title": root:x:0:0\n}');
    expect(await reported).toContain('broken.jsonld:3:12: not valid JSON; nothing of it is in force');

    await afterReports(h, /^contracts reloaded/, () => {
      writeFileSync(join(dir, 'tram.jsonld'), JSON.stringify(contract('urn:test:tram', 'Tram')));
    }, async () => (await statusOf(h, 'Tram')) === 200);

    const admin = await token(h.issuer, { roles: ['contract-admin'] });
    const created = await h.call('POST', '/admin/contracts', { token: admin, body: contract('urn:test:bus', 'Bus') });
    expect(created.status, created.text).toBe(201);
    expect(await statusOf(h, 'Bus')).toBe(200);
    for (const text of h.logs) expect(text).not.toContain('root:x');
  });
});

describe('a contract whose remote context is down at start', () => {
  const LAMP = 'https://example.org/city#StreetLamp';
  // `status` is not defined here: it expands under the core's vocabulary, as in parking.jsonld.
  const DOCS = { '/street.jsonld': { '@context': { Lamp: LAMP, ParkingSpot: `${VOCAB}ParkingSpot` } } };
  /** The context host, while it is up; it always comes back on the same port. */
  let host: ContextServer | undefined;
  let port = 0;
  const hostUp = async (): Promise<void> => { host = await startContextServer(DOCS, port); };
  const hostDown = async (): Promise<void> => {
    await host?.close();
    host = undefined;
  };
  const street = (port: number) => ({
    ...contract('urn:test:street', 'Lamp'),
    'ngsi:context': `http://127.0.0.1:${port}/street.jsonld`,
    // Nobody may read the status of parking spots: parking.jsonld lets anybody read it otherwise.
    prohibition: [{
      uid: 'urn:test:street:no-status',
      target: { '@type': 'AssetCollection', refinement: [
        { leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: 'ParkingSpot' },
        { leftOperand: 'ngsi:attribute', operator: 'isAnyOf', rightOperand: ['status'] },
      ] },
      action: 'ngsi:read',
    }],
  });
  let dir: string;
  let store: string;
  const start = async (): Promise<Harness> => {
    const h = await startHarness({
      contractsDir: dir,
      store: { path: store },
      contexts: { allowList: [`http://127.0.0.1:${port}/`], maxAgeSec: 1, contractRetry: { minMs: 50, maxMs: 200 } },
    });
    h.broker.seed(spot);
    return h;
  };
  const read = async (h: Harness) => h.call('GET', `${E}?type=ParkingSpot`, { token: await token(h.issuer, { roles: ['viewer'] }) });
  const state = async (h: Harness): Promise<Record<string, unknown> | undefined> => {
    const res = await h.call('GET', '/admin/contract-documents', { token: await token(h.issuer, { roles: ['contract-admin'] }) });
    return (res.json() as Array<Record<string, unknown>>).find((d) => d.source === 'street.jsonld');
  };

  beforeAll(async () => {
    await hostUp();
    port = host?.port ?? 0;
    await hostDown();
    dir = makeTempDir('street');
    store = join(makeTempDir('street-store'), 'mimtrust.db');
    cpSync(CITY, dir, { recursive: true });
    writeFileSync(join(dir, 'street.jsonld'), JSON.stringify(street(port)));
  });
  afterAll(hostDown);

  it('starts; the contract is disabled and its prohibition denies; it enables itself when the host is back', async () => {
    const h = await start();
    try {
      expect(await state(h)).toMatchObject({ state: 'disabled', uid: 'urn:test:street', problem: { code: 'ERR_CONTRACT_CONTEXT_UNAVAILABLE' } });
      // No copy of the context: the prohibition cannot be expanded, so it denies every read it could govern.
      const denied = await read(h);
      expect(denied.status, denied.text).toBe(403);
      expect(denied.json().detail).toBe('A contract prohibits this request.');
      expect(await statusOf(h, LAMP)).toBe(403);
      const listed = (await h.call('GET', '/admin/contracts', { token: await token(h.issuer, { roles: ['contract-admin'] }) })).json() as Array<Record<string, unknown>>;
      expect(listed.find((c) => c.uid === 'urn:test:street')).toMatchObject({ status: 'disabled', disabled: { prohibitions: 'widened' }, permissions: [] });

      const enabled = h.nextLog(/^contract street\.jsonld enabled/);
      await hostUp();
      await enabled;
      expect(await state(h)).toMatchObject({ state: 'enabled' });
      expect(await statusOf(h, LAMP)).toBe(200);
      const permitted = await read(h);
      expect(permitted.status).toBe(200);
      expect(permitted.json()).toEqual([{ id: spot.id, type: 'ParkingSpot', name: spot.name }]);
    } finally {
      await h.close();
    }
  });

  it('after a restart with the host down, builds its prohibitions from the stored copy of the context', async () => {
    await hostDown();
    const h = await start();
    try {
      expect(await state(h)).toMatchObject({ state: 'disabled' });
      // The copy says exactly what the prohibition covers: the status alone is cut.
      const res = await read(h);
      expect(res.status, res.text).toBe(200);
      expect(res.json()).toEqual([{ id: spot.id, type: 'ParkingSpot', name: spot.name }]);
      expect(await statusOf(h, LAMP)).toBe(403);

      const enabled = h.nextLog(/^contract street\.jsonld enabled/);
      await hostUp();
      await enabled;
      expect(await statusOf(h, LAMP)).toBe(200);
    } finally {
      await h.close();
    }
  });
});
