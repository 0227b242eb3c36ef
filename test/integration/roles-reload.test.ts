import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let h: Harness;
let policies: string;

beforeAll(async () => {
  policies = makeTempDir('policies');
  cpSync(join(REPO, 'policies'), policies, { recursive: true });
  h = await startHarness({ policiesDir: policies });
});
afterAll(async () => h?.close());

async function statusFor(role: string): Promise<number> {
  return (await h.call('GET', '/ngsi-ld/v1/entities?type=ParkingSpot', { token: await token(h.issuer, { roles: [role] }) })).status;
}

/** Writes roles.csv and waits until the gateway reports the outcome (reloaded, or refused). */
async function writeRoles(csv: string, outcome: RegExp): Promise<void> {
  const reported = h.nextLog(outcome);
  writeFileSync(join(policies, 'roles.csv'), csv);
  await reported;
}

describe('role policy reload', () => {
  it('applies a changed roles.csv to the next requests, and keeps the policy when a change is broken', async () => {
    expect(await statusFor('auditor')).toBe(403);
    const csv = readFileSync(join(policies, 'roles.csv'), 'utf8');
    await writeRoles(csv + '\np, auditor, *, read\n', /^roles reloaded/);
    expect(await statusFor('auditor')).toBe(200);
    await writeRoles(csv + '\np, auditor, *, raed\n', /^roles not reloaded/);
    expect(await statusFor('auditor')).toBe(200);
    await writeRoles(csv, /^roles reloaded/);
    expect(await statusFor('auditor')).toBe(403);
  });
});
