import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';

let h: Harness;
let policies: string;

beforeAll(async () => {
  policies = mkdtempSync(join(tmpdir(), 'mimtrust-policies-'));
  cpSync(join(REPO, 'policies'), policies, { recursive: true });
  h = await startHarness({ policiesDir: policies });
});
afterAll(async () => h?.close());

async function statusFor(role: string): Promise<number> {
  return (await h.call('GET', '/ngsi-ld/v1/entities?type=ParkingSpot', { token: await token(h.issuer, { roles: [role] }) })).status;
}

async function until(role: string, expected: number): Promise<number> {
  let status = 0;
  for (let i = 0; i < 40 && status !== expected; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = await statusFor(role);
  }
  return status;
}

describe('role policy reload', () => {
  it('applies a changed roles.csv to the next requests, and keeps the policy when a change is broken', async () => {
    expect(await statusFor('auditor')).toBe(403);
    const csv = readFileSync(join(policies, 'roles.csv'), 'utf8');
    writeFileSync(join(policies, 'roles.csv'), csv + '\np, auditor, *, read\n');
    expect(await until('auditor', 200)).toBe(200);
    writeFileSync(join(policies, 'roles.csv'), csv + '\np, auditor, *, raed\n');
    await new Promise((r) => setTimeout(r, 600));
    expect(await statusFor('auditor')).toBe(200);
    writeFileSync(join(policies, 'roles.csv'), csv);
    expect(await until('auditor', 403)).toBe(403);
  });
});
