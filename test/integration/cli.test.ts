import { describe, it, expect, afterEach } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { REPO } from '../helpers/harness.js';
import { startMiniBroker } from '../helpers/mini-broker.mjs';
import { makeTempDir } from '../helpers/temp-dir.js';
import { CLI, waitForLine } from '../helpers/cli.js';

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

describe('mimtrust command', () => {
  // Three node processes one after another (start, token, audit verify): a loaded machine needs room.
  it('starts on embedded defaults (generated TLS certificate and keys), mints a local token and proxies with it', async () => {
    const broker = await startMiniBroker();
    broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot', status: { type: 'Property', value: 'free' } });
    const dir = makeTempDir('cli');
    const env = { ...process.env, MIMTRUST_PORT: '0', MIMTRUST_UPSTREAM_URL: broker.url, MIMTRUST_POLICIES_DIR: join(REPO, 'policies'), MIMTRUST_CONTRACTS_DIR: join(REPO, 'contracts'), MIMTRUST_LOG_LEVEL: 'info' };
    child = spawn(process.execPath, [CLI, 'start'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await waitForLine(child, /listening on (https:\/\/[^,\s]+)/);
    const url = /https:\/\/[^,\s]+/.exec(line)![0].replace('127.0.0.1', 'localhost');
    const token = execFileSync(process.execPath, [CLI, 'token', '--sub', 'alice', '--roles', 'viewer'], { cwd: dir, env, encoding: 'utf8' }).trim();
    const ca = (await import('node:fs')).readFileSync(join(dir, 'keys', 'tls-cert.pem'));
    const agent = new Agent({ connect: { ca } });
    const health = await agent.request({ origin: url, path: '/health', method: 'GET' });
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    const res = await agent.request({ origin: url, path: '/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:1', method: 'GET', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({ id: 'urn:ngsi-ld:ParkingSpot:1' });
    await agent.close();
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    const verify = execFileSync(process.execPath, [CLI, 'audit', 'verify'], { cwd: dir, env, encoding: 'utf8' });
    expect(verify).toMatch(/intact: 1 records/);
    await broker.close();
  }, 60_000);

  it('serves plain HTTP only when told to, and warns about it', async () => {
    const broker = await startMiniBroker();
    const dir = makeTempDir('cli');
    const env = { ...process.env, MIMTRUST_PORT: '0', MIMTRUST_TLS_ENABLED: 'false', MIMTRUST_UPSTREAM_URL: broker.url, MIMTRUST_POLICIES_DIR: join(REPO, 'policies'), MIMTRUST_CONTRACTS_DIR: join(REPO, 'contracts') };
    child = spawn(process.execPath, [CLI, 'start'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    const line = await waitForLine(child, /listening on (http:\/\/[^,\s]+)/);
    // Not a terminal: one JSON object per line, the level by name.
    const warning = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((r) => String(r.msg).startsWith('TLS is disabled'));
    expect(warning).toMatchObject({ level: 'warn' });
    const url = /http:\/\/[^,\s]+/.exec(line)![0];
    const res = await fetch(url + '/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('strict-transport-security')).toBeNull();
    await broker.close();
  });

  it('refuses to start on a wrong config, naming the key', () => {
    const dir = makeTempDir('cli');
    writeFileSync(join(dir, 'mimtrust.yaml'), 'upstream:\n  url: http://127.0.0.1:1026\n  timeout: 5\n');
    let out = '';
    let code = 0;
    try {
      execFileSync(process.execPath, [CLI, 'start'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { status: number; stderr: string };
      code = e.status;
      out = e.stderr;
    }
    expect(code).toBe(1);
    expect(out).toContain('config key "upstream.timeout": is not a known key');
  });
});

describe('mimtrust contracts validate', () => {
  function run(dir: string, config?: string): { code: number; out: string } {
    const args = [CLI, 'contracts', 'validate', dir, ...(config ? ['--config', config] : [])];
    try {
      return { code: 0, out: execFileSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string };
      return { code: e.status, out: e.stdout + e.stderr };
    }
  }

  it('accepts the shipped example contracts', () => {
    const r = run(join(REPO, 'contracts'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/4 contract file\(s\) valid/);
  });

  it('names the file, rule and term of a contract outside the profile', () => {
    const dir = makeTempDir('cv');
    writeFileSync(join(dir, 'bad.jsonld'), JSON.stringify({
      '@context': ['http://www.w3.org/ns/odrl.jsonld'], '@type': 'Set', uid: 'urn:x', profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
      permission: [{ uid: 'urn:x:r1', target: { '@type': 'AssetCollection' }, action: 'ngsi:read', duty: [{ action: 'compensate' }] }],
    }));
    const r = run(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('bad.jsonld');
    expect(r.out).toContain('urn:x:r1');
    expect(r.out).toContain('compensate');
  });

  it('resolves issuer prefixes against the issuers the configuration trusts', () => {
    const dir = makeTempDir('cv');
    writeFileSync(join(dir, 'fleet.jsonld'), JSON.stringify({
      '@context': ['http://www.w3.org/ns/odrl.jsonld'], '@type': 'Set', uid: 'urn:x', profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
      permission: [{ uid: 'urn:x:r1', target: { '@type': 'AssetCollection' }, assignee: '@partner-idp/fleet-client', action: 'ngsi:read' }],
    }));
    const config = join(makeTempDir('cv-config'), 'mimtrust.json');
    writeFileSync(config, JSON.stringify({ issuers: [{ issuer: 'https://idp.partner.example', name: 'partner-idp', jwksUri: 'https://idp.partner.example/jwks', audience: 'mimtrust' }] }));
    const trusted = run(dir, config);
    expect(trusted.out).toMatch(/1 contract file\(s\) valid/);
    expect(trusted.code).toBe(0);
    const unknown = run(dir);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain('"partner-idp" is not the name of a trusted issuer (trusted: local) ("@partner-idp/fleet-client") [ERR_CONTRACT_UNKNOWN_ISSUER]');
  });
});
