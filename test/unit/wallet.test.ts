/** The wallet's pure parts: the sign-in request and the ID token's check, the access history, its configuration. */
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { accessesOf, walletClient } from '../../src/wallet/index.js';
import { authorizeLocation, citizenOf, pendingSignIn, tokenRequest } from '../../src/wallet/sign-in.js';
import { buildConfig } from '../../src/config/index.js';
import type { AuditRecord } from '../../src/audit/index.js';

const ISSUER = 'https://city.example/oidc';

describe('wallet sign-in', () => {
  const client = walletClient(ISSUER, 'a secret of the issuer, long enough');

  it('is a client on the issuer\'s origin whose secret is derived, not stored', () => {
    expect(client.redirectUri).toBe('https://city.example/wallet/callback');
    expect(client.secret).toHaveLength(43);
    expect(walletClient(ISSUER, 'a secret of the issuer, long enough').secret).toBe(client.secret);
    expect(walletClient(ISSUER, 'another secret of the issuer').secret).not.toBe(client.secret);
  });

  it('asks for a code with PKCE S256, a state and a nonce, and the password every time; only the hash of the verifier leaves', () => {
    const p = pendingSignIn();
    const url = new URL(authorizeLocation('/oidc/auth', client, p, 'de'), 'https://city.example');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'mimtrust-wallet', response_type: 'code', redirect_uri: client.redirectUri, scope: 'openid', state: p.state, nonce: p.nonce,
      code_challenge: createHash('sha256').update(p.verifier).digest('base64url'), code_challenge_method: 'S256', prompt: 'login', ui_locales: 'de',
    });
    expect(url.toString()).not.toContain(p.verifier);
    const t = tokenRequest(client, 'the-code', p);
    expect(new URLSearchParams(t.body).get('code_verifier')).toBe(p.verifier);
    expect(Buffer.from(t.authorization.slice(6), 'base64').toString()).toBe(`mimtrust-wallet:${client.secret}`);
  });

  it('takes the citizen from an ID token of the issuer, for the wallet, of this sign-in only', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const other = await generateKeyPair('ES256');
    const keys = [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }];
    const idToken = (o: { aud?: string; nonce?: string; iss?: string; key?: CryptoKey } = {}) => new SignJWT({ nonce: o.nonce ?? 'n-1' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(o.iss ?? ISSUER).setAudience(o.aud ?? 'mimtrust-wallet').setSubject('alice')
      .setIssuedAt().setExpirationTime('1h').sign(o.key ?? privateKey);
    const check = async (token: unknown) => citizenOf(token, { issuer: ISSUER, clientId: 'mimtrust-wallet', keys, nonce: 'n-1' });
    expect(await check(await idToken())).toMatchObject({ issuer: ISSUER, sub: 'alice' });
    for (const bad of [await idToken({ nonce: 'n-2' }), await idToken({ aud: 'supplier-app' }), await idToken({ iss: 'https://else.example' }), await idToken({ key: other.privateKey }), undefined, 'x.y.z']) {
      await expect(check(bad)).rejects.toMatchObject({ reason: 'wallet_sign_in_failed', status: 401 });
    }
  });
});

describe('access history', () => {
  const record = (seq: number, time: string, subjects: Array<{ id: string; attrs: string[] }>, effect: 'permit' | 'deny' = 'permit'): AuditRecord => ({
    seq, time, decisionId: `d${seq}`, requestId: `r${seq}`, issuer: ISSUER, clientId: 'supplier-app', operation: 'entity.query', action: 'read',
    targets: { entityIds: [], types: [], attrs: [] }, effect, reason: 'permitted', latencyMs: 1, method: 'GET', path: '/ngsi-ld/v1/entities',
    prevHash: '', hash: '',
    released: { purpose: 'https://w3id.org/dpv#ServiceProvision', consents: ['urn:uuid:1'], subjects: subjects.map((s) => ({ id: s.id, types: ['https://x/EnergyMeter'], attrs: s.attrs })) },
  });

  it('shows a person only their own entry of each read, newest first, and no refusals', () => {
    const records = [
      record(1, '2026-01-01T10:00:00.000Z', [{ id: 'urn:p:alice', attrs: ['https://x/a'] }, { id: 'urn:p:bob', attrs: ['https://x/secret-of-bob'] }]),
      record(2, '2026-01-02T10:00:00.000Z', [{ id: 'urn:p:bob', attrs: ['https://x/b'] }]),
      record(3, '2026-01-03T10:00:00.000Z', [{ id: 'urn:p:alice', attrs: ['https://x/c'] }]),
      record(4, '2026-01-04T10:00:00.000Z', [{ id: 'urn:p:alice', attrs: ['https://x/d'] }], 'deny'),
    ];
    const mine = accessesOf(records, 'urn:p:alice');
    expect(mine.map((a) => a.attrs)).toEqual([['https://x/c'], ['https://x/a']]);
    expect(JSON.stringify(mine)).not.toContain('bob');
    expect(mine[0]).toMatchObject({ clientId: 'supplier-app', issuer: ISSUER, purpose: 'https://w3id.org/dpv#ServiceProvision' });
  });

  it('shows an exchange recorded twice (a notification, before delivery and when done) once', () => {
    const before = record(1, '2026-01-01T10:00:00.000Z', [{ id: 'urn:p:alice', attrs: ['https://x/a'] }]);
    const done = { ...record(2, '2026-01-01T10:00:00.000Z', [{ id: 'urn:p:alice', attrs: ['https://x/a'] }]), decisionId: before.decisionId };
    const other = record(3, '2026-01-01T10:00:01.000Z', [{ id: 'urn:p:alice', attrs: ['https://x/a'] }]);
    expect(accessesOf([before, done, other], 'urn:p:alice')).toHaveLength(2);
  });
});

describe('wallet configuration', () => {
  const oidc = { enabled: true, issuer: ISSUER };
  const build = (input: Record<string, unknown>) => buildConfig(input, { baseDir: '/srv/mimtrust', env: {} });
  it('is on with the issuer unless switched off, and never without it', () => {
    expect(build({ oidc }).wallet.enabled).toBe(true);
    expect(build({}).wallet.enabled).toBe(false);
    expect(build({ oidc, wallet: { enabled: false } }).wallet.enabled).toBe(false);
    expect(() => build({ wallet: { enabled: true } })).toThrow(/wallet\.enabled/);
  });
});
