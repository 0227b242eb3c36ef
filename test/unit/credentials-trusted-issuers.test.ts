/**
 * The trusted issuers list applied to a credential (pure), and the challenges of a
 * presentation login: single use, short-lived, bounded in number.
 */
import { afterEach, describe, it, expect } from 'vitest';
import { sqliteKeys, type OpenedKeys } from '../helpers/expiring-keys.js';
import { trustedClaims, PresentationLogin, CredentialError, type Verification } from '../../src/credentials/index.js';
import type { TrustedIssuerSettings } from '../../src/config/index.js';

const REGISTRY = 'did:key:z6MkRegistry';
const ORG = 'did:key:z6MkOrganisation';
const NOW = Date.parse('2025-06-01T00:00:00Z');

const list: TrustedIssuerSettings[] = [
  {
    did: REGISTRY, credentialTypes: ['OrganisationCredential'], validFrom: '2025-01-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z',
    roles: [{ claim: 'role', value: 'dataUser', roles: ['viewer'] }, { claim: 'sector', value: 'energy', roles: ['energy-reader', 'viewer'] }],
  },
];

const vc = (o: Record<string, unknown> = {}, subject: Record<string, unknown> = {}) => ({
  type: ['VerifiableCredential', 'OrganisationCredential'], issuer: REGISTRY, credentialSubject: { id: ORG, role: 'dataUser', ...subject }, ...o,
});

const reason = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(CredentialError);
    return (err as CredentialError).reason;
  }
  throw new Error('did not throw');
};

describe('trustedClaims', () => {
  it('gives the roles of every claim that matches, once each, sorted, for the subject', () => {
    expect(trustedClaims(vc({}, { sector: ['transport', 'energy'] }), list, NOW)).toEqual({ organisation: ORG, issuer: REGISTRY, roles: ['energy-reader', 'viewer'] });
    expect(trustedClaims(vc({ issuer: { id: REGISTRY, name: 'Registry' } }), list, NOW).roles).toEqual(['viewer']);
  });

  it('refuses an issuer not on the list, a type it is not trusted for, outside its window, or claims it gives nothing for', () => {
    expect(reason(() => trustedClaims(vc({ issuer: 'did:key:z6MkOther' }), list, NOW))).toBe('issuer_untrusted');
    expect(reason(() => trustedClaims(vc({ issuer: undefined }), list, NOW))).toBe('issuer_untrusted');
    expect(reason(() => trustedClaims(vc({ type: ['VerifiableCredential', 'MembershipCredential'] }), list, NOW))).toBe('credential_type_untrusted');
    expect(reason(() => trustedClaims(vc(), list, Date.parse('2024-12-31T23:59:59Z')))).toBe('issuer_trust_expired');
    expect(reason(() => trustedClaims(vc(), list, Date.parse('2026-01-01T00:00:00Z')))).toBe('issuer_trust_expired');
    expect(reason(() => trustedClaims(vc({}, { role: 'cityAdmin' }), list, NOW))).toBe('claims_untrusted');
    // A claim named like a role is not a role: only what the list maps counts.
    expect(reason(() => trustedClaims(vc({}, { role: { value: 'dataUser' } }), list, NOW))).toBe('claims_untrusted');
  });

  it('refuses a credential about no one, or about several', () => {
    expect(reason(() => trustedClaims(vc({ credentialSubject: { role: 'dataUser' } }), list, NOW))).toBe('subject_missing');
    expect(reason(() => trustedClaims(vc({ credentialSubject: [{ id: ORG, role: 'dataUser' }, { id: 'did:key:z6MkB', role: 'dataUser' }] }), list, NOW))).toBe('subject_missing');
    expect(reason(() => trustedClaims('not a credential', list, NOW))).toBe('credential_malformed');
  });
});

describe('PresentationLogin, its challenges in a real SQLite store', () => {
  const passes = async (): Promise<Verification> => ({ verified: true, checks: [], warnings: [], errors: [] });
  const stores: OpenedKeys[] = [];
  afterEach(async () => { for (const s of stores.splice(0)) await s.close(); });
  const make = async (o: { now: () => number; max?: number; verify?: () => Promise<Verification> }) => {
    const store = await sqliteKeys.open(o.now);
    stores.push(store);
    return new PresentationLogin({
      verify: o.verify ?? passes, trusted: () => list, domain: 'https://city.example/oidc', challengeTtlMs: 60_000, maxChallenges: o.max ?? 100, now: o.now, keys: store.keys,
    });
  };
  const vp = (challenge: string) => ({ holder: ORG, verifiableCredential: [vc()], proof: { challenge } });
  const refusal = async (p: Promise<unknown>) => p.then(() => 'passed', (err: CredentialError) => err.reason);

  it('takes each challenge once, and only while it is fresh', async () => {
    let now = NOW;
    const login = await make({ now: () => now });
    const a = await login.challenge();
    expect(a).toMatchObject({ domain: 'https://city.example/oidc', expiresIn: 60 });
    expect(await login.login(vp(a.challenge))).toEqual({ organisation: ORG, issuer: REGISTRY, roles: ['viewer'] });
    expect(await refusal(login.login(vp(a.challenge)))).toBe('challenge_unknown');
    const b = await login.challenge();
    now += 60_000;
    expect(await refusal(login.login(vp(b.challenge)))).toBe('challenge_unknown');
  });

  it('uses a challenge up even when the presentation fails, and hands out at most maxChallenges at once', async () => {
    const failing = await make({ now: () => NOW, verify: async () => ({ verified: false, checks: [], warnings: [], errors: [{ code: 'credential_revoked', message: 'revoked' }] }) });
    const c = await failing.challenge();
    expect(await refusal(failing.login(vp(c.challenge)))).toBe('credential_revoked');
    expect(await refusal(failing.login(vp(c.challenge)))).toBe('challenge_unknown');
    const small = await make({ now: () => NOW, max: 2 });
    const [first, second] = [await small.challenge(), await small.challenge()];
    // A third is refused, not made by forgetting one handed out.
    expect(await small.challenge().then(() => undefined, (e: unknown) => e)).toMatchObject({ status: 503, reason: 'shared_state_full' });
    expect(await refusal(small.login(vp(first.challenge)))).toBe('passed');
    expect(await refusal(small.login(vp(second.challenge)))).toBe('passed');
    expect(await small.challenge()).toMatchObject({ expiresIn: 60 });
  });

  it('refuses a presentation of no credential or of several, before verifying it', async () => {
    let verified = 0;
    const login = await make({ now: () => NOW, verify: async () => { verified += 1; return passes(); } });
    expect(await refusal(login.login({ ...vp((await login.challenge()).challenge), verifiableCredential: [] }))).toBe('presentation_credentials');
    expect(await refusal(login.login({ ...vp((await login.challenge()).challenge), verifiableCredential: [vc(), vc()] }))).toBe('presentation_credentials');
    expect(await refusal(login.login('x'))).toBe('presentation_malformed');
    expect(verified).toBe(0);
  });
});
