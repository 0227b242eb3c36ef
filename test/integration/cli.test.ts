import { describe, it, expect, afterEach } from 'vitest';
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
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
    // One process: the workers' start is cli-workers-sqlite.test.ts's; a loaded machine starts one faster.
    const env = { ...process.env, MIMTRUST_PORT: '0', MIMTRUST_UPSTREAM_URL: broker.url, MIMTRUST_POLICIES_DIR: join(REPO, 'policies'), MIMTRUST_CONTRACTS_DIR: join(REPO, 'contracts'), MIMTRUST_LOG_LEVEL: 'info', MIMTRUST_WORKERS: '1' };
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
    // The read's decision and its outcome.
    expect(verify).toMatch(/intact: 2 records/);
    await broker.close();
  }, 60_000);

  it('serves plain HTTP only when told to, and warns about it', async () => {
    const broker = await startMiniBroker();
    const dir = makeTempDir('cli');
    const env = { ...process.env, MIMTRUST_PORT: '0', MIMTRUST_WORKERS: '1', MIMTRUST_TLS_ENABLED: 'false', MIMTRUST_UPSTREAM_URL: broker.url, MIMTRUST_POLICIES_DIR: join(REPO, 'policies'), MIMTRUST_CONTRACTS_DIR: join(REPO, 'contracts') };
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

describe('mimtrust contracts validate: every problem of every file in one run', () => {
  const head = { '@context': ['http://www.w3.org/ns/odrl.jsonld'], '@type': 'Set', profile: 'https://mimtrust.org/ns/odrl-ngsi-ld' };
  const tram = (uid: string, refinement: unknown[], more: Record<string, unknown> = {}) => ({
    ...head, uid, permission: [{ uid: `${uid}:read`, target: { '@type': 'AssetCollection', refinement }, action: 'ngsi:read', ...more }],
  });

  const typos = JSON.stringify(tram('urn:b', [
    { leftOperand: 'ngsi:attribute', operator: 'isNonOf', rightOperand: ['driver'] },
  ], { assigne: 'viewer' }), null, 2);
  const warning = JSON.stringify(tram('urn:c', [
    { leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: 'Tram' },
  ], { assignee: { '@type': 'PartyCollection', refinement: [{ leftOperand: 'ngsi:role', operator: 'eq', rightOperand: 'veiwer' }] } }), null, 2);

  /** A folder of three files: one not JSON, one with two mistakes, one valid with a warning. */
  function folder(): string {
    const dir = makeTempDir('cv-all');
    writeFileSync(join(dir, 'a-broken-json.jsonld'), '{\n  "uid": "urn:a",\n  "permission": [,]\n}\n');
    writeFileSync(join(dir, 'b-typos.jsonld'), typos);
    writeFileSync(join(dir, 'c-warning.json'), warning);
    return dir;
  }

  /** Line and column where `needle` starts in `text`, found independently of the code under test. */
  function where(text: string, needle: string): { line: number; column: number } {
    const before = text.slice(0, text.indexOf(needle)).split('\n');
    return { line: before.length, column: before.at(-1)!.length + 1 };
  }
  const place = (text: string, needle: string): string => { const p = where(text, needle); return `${p.line}:${p.column}`; };

  /** Runs the command without blocking this process, which may be serving the mini-broker. */
  function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI, 'contracts', 'validate', ...args], { cwd: REPO, encoding: 'utf8' }, (error, stdout, stderr) => {
        resolve({ code: error ? (error.code as number) : 0, out: stdout, err: stderr });
      });
    });
  }

  it('reports each file\'s problems at their line and column, with suggestions, and exits 1', async () => {
    const dir = folder();
    const r = await run(dir);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines).toEqual([
      `${join(dir, 'a-broken-json.jsonld')}:3:18: error: not valid JSON [ERR_CONTRACT_MALFORMED]`,
      `${join(dir, 'b-typos.jsonld')}:${place(typos, '"isNonOf"')}: error: rule "urn:b:read": unknown operator ("isNonOf"); did you mean "isNoneOf"? [ERR_CONTRACT_UNKNOWN_TERM]`,
      `${join(dir, 'b-typos.jsonld')}:${place(typos, '"assigne"')}: error: rule "urn:b:read": key outside the profile ("assigne"); did you mean "assignee"? [ERR_CONTRACT_UNKNOWN_TERM]`,
      `${join(dir, 'c-warning.json')}:${place(warning, '"Tram"')}: warning: entity type "Tram" is not defined by the contract's context: it expands to https://uri.etsi.org/ngsi-ld/default-context/Tram, the NGSI-LD default vocabulary [ERR_CONTRACT_UNDEFINED_TERM]`,
      `${join(dir, 'c-warning.json')}:${place(warning, '"veiwer"')}: warning: no line of roles.csv grants anything to role "veiwer", so no caller holds it; did you mean "viewer"? [ERR_CONTRACT_UNKNOWN_ROLE]`,
      '3 contract file(s) checked: 3 error(s), 2 warning(s)',
    ]);
  });

  it('passes a file with warnings alone, unless --strict; --json prints one object per problem', async () => {
    const dir = folder();
    const file = join(dir, 'c-warning.json');
    const lenient = await run(file);
    expect(lenient.code).toBe(0);
    expect(lenient.out).toMatch(/1 contract file\(s\) valid: 1 contracts, 1 rules, 2 warning\(s\)\n$/);
    const strict = await run(file, '--strict');
    expect(strict.code).toBe(1);
    expect(strict.out).toContain(`c-warning.json:${place(warning, '"veiwer"')}: error: no line of roles.csv grants anything to role "veiwer"`);
    const json = await run(dir, '--json');
    expect(json.code).toBe(1);
    const problems = json.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(problems).toHaveLength(5);
    expect(problems[1]).toEqual({
      file: join(dir, 'b-typos.jsonld'), ...where(typos, '"isNonOf"'), severity: 'error', code: 'ERR_CONTRACT_UNKNOWN_TERM',
      message: 'rule "urn:b:read": unknown operator ("isNonOf"); did you mean "isNoneOf"?', suggestion: 'isNoneOf',
    });
    expect(problems[4]).toMatchObject({ file, severity: 'warning', code: 'ERR_CONTRACT_UNKNOWN_ROLE', suggestion: 'viewer' });
    expect(json.err).toContain('3 contract file(s) checked');
  });

  it('exits 2 when used wrongly', async () => {
    expect((await run('--bogus')).code).toBe(2);
    expect((await run(join(makeTempDir('cv-none'), 'missing.jsonld'))).code).toBe(2);
    expect((await run(folder(), '--broker', 'not a url')).code).toBe(2);
  });

  it('--broker warns of types and attributes the broker\'s discovery does not list', async () => {
    const broker = await startMiniBroker();
    try {
      broker.seed({ id: 'urn:ngsi-ld:Tram:1', type: 'Tram', delay: { type: 'Property', value: 3 } });
      const dir = makeTempDir('cv-broker');
      writeFileSync(join(dir, 'trams.jsonld'), JSON.stringify({
        ...tram('urn:t', [
          { leftOperand: 'ngsi:entityType', operator: 'isAnyOf', rightOperand: ['Tram', 'Bus'] },
          { leftOperand: 'ngsi:attribute', operator: 'isAnyOf', rightOperand: ['delay', 'dealy'] },
        ]),
        // Defined on purpose in the default vocabulary: only the broker can say whether it holds them.
        'ngsi:context': { Tram: 'https://uri.etsi.org/ngsi-ld/default-context/Tram', Bus: 'https://uri.etsi.org/ngsi-ld/default-context/Bus', delay: 'https://uri.etsi.org/ngsi-ld/default-context/delay', dealy: 'https://uri.etsi.org/ngsi-ld/default-context/dealy' },
      }, null, 2));
      const r = await run(dir, '--json', '--broker', broker.url);
      expect(r.code, r.err).toBe(0);
      const problems = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(problems.map((p) => [p.code, p.message, p.suggestion])).toEqual([
        ['ERR_CONTRACT_UNKNOWN_TO_BROKER', 'the broker knows no entity type https://uri.etsi.org/ngsi-ld/default-context/Bus ("Bus")', undefined],
        ['ERR_CONTRACT_UNKNOWN_TO_BROKER', 'the broker knows no attribute https://uri.etsi.org/ngsi-ld/default-context/dealy ("dealy"); did you mean "https://uri.etsi.org/ngsi-ld/default-context/delay"?', 'https://uri.etsi.org/ngsi-ld/default-context/delay'],
      ]);
      expect(broker.requests.map((q) => q.url)).toEqual(expect.arrayContaining(['/ngsi-ld/v1/types?details=true', '/ngsi-ld/v1/attributes?details=true']));
      const down = await run(dir, '--broker', 'http://127.0.0.1:9');
      expect(down.code).toBe(1);
      expect(down.err).toContain('cannot read the broker\'s discovery');
    } finally {
      await broker.close();
    }
  });
});
