/**
 * `mimtrust audit list|tail|export` and `mimtrust health` on the files of a real gateway,
 * run while that gateway is serving (and holding its store): records written by real
 * requests, filtered by caller, decision, effect and time, as JSON lines and CSV.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, token, type Harness } from '../helpers/harness.js';
import { finished, runCli, startCli } from '../helpers/cli.js';
import type { AuditRecord } from '../../src/audit/index.js';

let h: Harness;
let config: string;
const ENTITY = '/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:1';
// A caller's name a spreadsheet would run as a formula, with a terminal escape sequence in it.
const HOSTILE_SUB = '=HYPERLINK("http://evil.example","x")\u001b[2J';

const cli = (args: string[]) => runCli([...args, '--config', config]);
const records = (stdout: string): AuditRecord[] => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord);

beforeAll(async () => {
  h = await startHarness();
  config = join(h.dir, 'mimtrust.json');
  h.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot', status: { type: 'Property', value: 'free' } });
  const alice = await token(h.issuer, { sub: 'alice' });
  expect((await h.call('GET', ENTITY, { token: alice })).status).toBe(200);
  expect((await h.call('GET', `${ENTITY}?attrs=status,name`, { token: alice })).status).toBe(200);
  expect((await h.call('GET', ENTITY, { token: await token(h.issuer, { sub: 'bob', roles: [], extra: { client_id: 'fleet' } }) })).status).toBe(403);
  expect((await h.call('GET', ENTITY)).status).toBe(401);
  expect((await h.call('GET', ENTITY, { token: await token(h.issuer, { sub: HOSTILE_SUB }) })).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('mimtrust audit list', () => {
  it('prints the newest records as JSON lines, oldest first, filtered by subject, client, effect and decision', async () => {
    const all = records((await cli(['audit', 'list'])).stdout);
    // Each read answered has two records, its decision and its outcome (1-2, 3-4, 7-8).
    expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const alice = await cli(['audit', 'list', '--subject', 'alice']);
    expect(alice.code).toBe(0);
    expect(records(alice.stdout).map((r) => [r.sub, r.effect, r.targets.attrs])).toEqual([
      ['alice', 'permit', []], ['alice', 'permit', []], ['alice', 'permit', ['status', 'name']], ['alice', 'permit', ['status', 'name']],
    ]);
    expect(records((await cli(['audit', 'list', '--client', 'fleet'])).stdout).map((r) => r.sub)).toEqual(['bob']);
    expect(records((await cli(['audit', 'list', '--effect', 'deny'])).stdout).map((r) => r.reason)).toEqual(['role_denied', 'token_missing']);
    const one = records((await cli(['audit', 'list', '--decision', all[2]!.decisionId])).stdout);
    expect(one).toEqual([all[2], all[3]]);
    expect(one.map((r) => r.reason)).toEqual(['before_effect', 'permitted']);
    expect(records((await cli(['audit', 'list', '--limit', '2'])).stdout).map((r) => r.seq)).toEqual([7, 8]);
  }, 60_000);

  it('bounds the time with ISO times and durations', async () => {
    expect(records((await cli(['audit', 'list', '--since', '1h'])).stdout)).toHaveLength(8);
    expect((await cli(['audit', 'list', '--until', '1h'])).stdout).toBe('');
    const all = records((await cli(['audit', 'list'])).stdout);
    const since = records((await cli(['audit', 'list', '--since', all[3]!.time])).stdout);
    expect(since[0]!.seq).toBeLessThanOrEqual(4);
    expect(since.every((r) => r.time >= all[3]!.time)).toBe(true);
    expect((await cli(['audit', 'list', '--since', '2999-01-01'])).stdout).toBe('');
  }, 60_000);

  it('writes CSV with a header row and quoting, and defuses what a caller put in', async () => {
    const r = await cli(['audit', 'list', '--format', 'csv']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\r\n');
    expect(rows[0]).toMatch(/^segment,seq,time,decisionId,requestId,issuer,sub,clientId,binding,operation,.*,consent,released,/);
    expect(rows).toHaveLength(10); // header, eight records, and the empty string after the last CRLF
    // Nested objects are kept with their keys in canonical order (the log's copy of an event).
    expect(rows[3]).toContain(',"{""attrs"":[""status"",""name""],""entityIds"":[""urn:ngsi-ld:ParkingSpot:1""],""types"":[]}",');
    const hostile = rows[7]!;
    expect(hostile).toContain(`,"'=HYPERLINK(""http://evil.example"",""x"")\\u001b[2J",`);
    expect(hostile).not.toContain('\u001b');
    expect((await cli(['audit', 'list'])).stdout).not.toContain('\u001b');
  }, 60_000);
});

describe('mimtrust audit export', () => {
  it('writes every matching record to a file only its owner can read, the same records list prints', async () => {
    const out = join(h.dir, 'export.jsonl');
    const r = await cli(['audit', 'export', '--effect', 'permit', '--out', out]);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const exported = readFileSync(out, 'utf8');
    expect(records(exported).map((r) => r.seq)).toEqual([1, 2, 3, 4, 7, 8]);
    expect(exported).toBe((await cli(['audit', 'list', '--effect', 'permit'])).stdout);
    const csv = await cli(['audit', 'export', '--subject', 'alice', '--format', 'csv']);
    expect(csv.stdout.split('\r\n').filter(Boolean)).toHaveLength(5);
  }, 60_000);
});

describe('mimtrust audit tail', () => {
  it('prints the newest records, then follows new ones, stopping after --count', async () => {
    const tail = startCli(['audit', 'tail', '--subject', 'alice', '--count', '5', '--config', config]);
    const done = finished(tail);
    let seen = '';
    await new Promise<void>((resolve) => {
      tail.stdout!.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.split('\n').length > 4) resolve();
      });
    });
    // The four existing records are out, so the next one can only come by following.
    const res = await h.call('GET', ENTITY, { token: await token(h.issuer, { sub: 'alice' }) });
    expect(res.status).toBe(200);
    const r = await done;
    expect(r.code).toBe(0);
    const followed = records(r.stdout);
    expect(followed.map((x) => x.seq)).toEqual([1, 2, 3, 4, 9]);
  }, 60_000);
});

describe('mimtrust health', () => {
  it('answers 0 while the gateway of the configuration serves on its port', async () => {
    const port = Number(new URL(h.gateway.url).port);
    const fixed = join(h.dir, 'mimtrust-fixed-port.json');
    writeFileSync(fixed, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), listen: { host: '0.0.0.0', port } }));
    expect(await runCli(['health', '--config', fixed])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    writeFileSync(fixed, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), listen: { host: '127.0.0.1', port: 9 } }));
    const down = await runCli(['health', '--config', fixed]);
    expect(down.code).toBe(1);
    expect(down.stderr).toBe('mimtrust: nothing answers at https://127.0.0.1:9/health (ECONNREFUSED)\n');
  }, 60_000);
});
