/**
 * `mimtrust credentials rotate-key` from dist/ against a gateway's own files: after the
 * restart the city's did:web document lists both keys, new receipts are signed with the
 * new one, and a receipt signed before the rotation still verifies.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, token, REPO } from '../helpers/harness.js';

const CLI = join(REPO, 'dist', 'cli', 'index.js');
// A fixed address: the DID and the status list URLs stay the same across the restart.
const SETTINGS = { credentials: { baseUrl: 'https://city.test' } };
const GIVE = { recipient: 'test-client', purposes: ['dpv:ServiceProvision'], personalData: [{ type: 'EnergyMeter' }] };

describe('mimtrust credentials rotate-key', () => {
  it('keeps receipts signed with the old key verifiable', { timeout: 120_000 }, async () => {
    const first = await startHarness(SETTINGS);
    const alice = await token(first.issuer, { sub: 'alice', roles: [], extra: { scope: 'consents' } });
    const given = (await first.call('POST', '/consents', { token: alice, body: GIVE })).json();
    const before = (await first.call('GET', `/consents/${encodeURIComponent(given.id)}/receipt`, { token: alice })).json();
    await first.close();

    const rotated = spawnSync(process.execPath, [CLI, 'credentials', 'rotate-key', '--config', join(first.dir, 'mimtrust.json')], { cwd: first.dir, encoding: 'utf8' });
    expect(rotated.status, rotated.stderr).toBe(0);
    const keys = JSON.parse(readFileSync(join(first.dir, 'keys', 'vc-assertion.pub.multikeys.json'), 'utf8')).keys;
    expect(keys).toHaveLength(2);
    expect(rotated.stdout).toContain(keys[0].publicKeyMultibase);
    expect(readFileSync(join(first.dir, 'keys', 'vc-assertion.pub.multikeys.json'), 'utf8')).not.toContain('secretKeyMultibase');

    const second = await startHarness({ ...SETTINGS, keysDir: join(first.dir, 'keys'), store: { path: join(first.dir, 'mimtrust.db') } });
    try {
      const doc = (await second.call('GET', '/.well-known/did.json')).json();
      expect(doc.id).toBe('did:web:city.test');
      expect(doc.assertionMethod).toEqual(keys.map((k: { publicKeyMultibase: string }) => `did:web:city.test#${k.publicKeyMultibase}`));
      const bob = await token(second.issuer, { sub: 'bob', roles: [], extra: { scope: 'consents' } });
      const newer = (await second.call('GET', `/consents/${encodeURIComponent((await second.call('POST', '/consents', { token: bob, body: GIVE })).json().id)}/receipt`, { token: bob })).json();
      expect(newer.proof.verificationMethod).toBe(doc.assertionMethod[0]);
      expect(before.proof.verificationMethod).toBe(doc.assertionMethod[1]);
      for (const vc of [before, newer]) {
        expect((await second.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } })).json()).toMatchObject({ verified: true });
      }
    } finally {
      await second.close();
    }
  });
});
