/**
 * The provider console over HTTPS: who gets a session and how it is kept (a random id in
 * an HttpOnly, Secure, SameSite=Strict cookie; never the token), CSRF on every form, the
 * page policy; then the whole round in a real headless Chromium: sign in, list, edit a
 * contract with an error and see it, save it fixed, a dry run, who sees what.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { doc, target, attrsAnyOf } from '../unit/contracts-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(REPO, 'test-output', 'console');
const lights = doc('urn:test:lights', { permission: [{ uid: 'urn:test:lights:open', action: 'ngsi:read', target: target('Streetlight', attrsAnyOf('status')) }] });
const meters = (attrs: string[]) => doc('urn:test:meters', { permission: [{ uid: 'urn:test:meters:read', description: 'Meters for the statistics office.', action: 'ngsi:read', target: target('WaterMeter', attrsAnyOf(...attrs)) }] });

let h: Harness;
let base: string;
beforeAll(async () => {
  const dir = makeTempDir('console-contracts');
  writeFileSync(join(dir, 'lights.jsonld'), JSON.stringify(lights));
  h = await startHarness({ contractsDir: dir });
  base = h.gateway.url.replace('127.0.0.1', 'localhost');
  const made = await h.call('POST', '/admin/contracts', { token: await admin(), body: meters(['totalConsumption']) });
  expect(made.status, made.text).toBe(201);
});
afterAll(async () => h?.close());

const admin = () => token(h.issuer, { roles: ['contract-admin'] });
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const cookies = (res: { headers: Record<string, string | string[] | undefined> }): string[] => {
  const c = res.headers['set-cookie'];
  return c === undefined ? [] : Array.isArray(c) ? c : [c];
};
const hiddenCsrf = (text: string) => /name="csrf" value="([^"]+)"/.exec(text)?.[1] ?? '';

/** Signs in over plain HTTP calls; returns the session cookie and the session's CSRF token. */
async function signIn(bearer: string): Promise<{ status: number; cookie?: string; csrf?: string; text: string; setCookies: string[] }> {
  const start = await h.call('GET', '/console/sign-in');
  const pre = cookies(start)[0]!.split(';')[0]!;
  const res = await h.call('POST', '/console/sign-in', { headers: { ...FORM, cookie: pre }, rawBody: form({ csrf: hiddenCsrf(start.text), token: bearer }) });
  const session = cookies(res).find((c) => c.startsWith('__Host-mimtrust-console=') && !c.startsWith('__Host-mimtrust-console=;'));
  if (session === undefined) return { status: res.status, text: res.text, setCookies: cookies(res) };
  const cookie = session.split(';')[0]!;
  const list = await h.call('GET', '/console', { headers: { cookie } });
  return { status: res.status, cookie, csrf: hiddenCsrf(list.text), text: list.text, setCookies: cookies(res) };
}

describe('console: sessions and forms', () => {
  it('sends a caller without a session to sign in, for pages and forms alike', async () => {
    for (const [method, path] of [['GET', '/console'], ['GET', '/console/who-sees-what'], ['POST', '/console/dry-run']] as const) {
      const res = await h.call(method, path, method === 'POST' ? { headers: FORM, rawBody: form({ csrf: 'x' }) } : {});
      expect(res.status, path).toBe(303);
      expect(res.headers.location).toBe('/console/sign-in');
    }
    const forged = await h.call('GET', '/console', { headers: { cookie: '__Host-mimtrust-console=not-a-session' } });
    expect(forged.status).toBe(303);
  });

  it('keeps the token on the server: the cookie is a random id, HttpOnly, Secure, SameSite=Strict', async () => {
    const bearer = await admin();
    const s = await signIn(bearer);
    expect(s.status).toBe(303);
    const session = s.setCookies.find((c) => c.startsWith('__Host-mimtrust-console='))!;
    expect(session).toMatch(/; Path=\/; Secure; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    expect(session).not.toContain(bearer.split('.')[1]!);
    expect(s.cookie!.length).toBeLessThan(80);
    expect(s.text).toContain('urn:test:meters');
    expect(s.text).not.toContain(bearer);
  });

  it('refuses a sign-in without its CSRF token, and a token that grants no contract administration', async () => {
    const noCsrf = await h.call('POST', '/console/sign-in', { headers: FORM, rawBody: form({ token: await admin() }) });
    expect(noCsrf.status).toBe(403);
    expect(cookies(noCsrf).some((c) => c.startsWith('__Host-mimtrust-console='))).toBe(false);
    const viewer = await signIn(await token(h.issuer, { roles: ['viewer'] }));
    expect(viewer.status).toBe(403);
    expect(viewer.cookie).toBeUndefined();
    expect(viewer.text).toContain('No role of the caller allows managing contracts.');
    const forged = await signIn('not.a.token');
    expect(forged.status).toBe(401);
    expect(forged.text).not.toContain('not.a.token');
  });

  it('refuses every form of a session without its CSRF token, or with another', async () => {
    const s = await signIn(await admin());
    const other = await signIn(await admin());
    const post = (fields: Record<string, string>) => h.call('POST', '/console/contracts/urn%3Atest%3Ameters', { headers: { ...FORM, cookie: s.cookie! }, rawBody: form({ intent: 'save', document: JSON.stringify(meters(['owner'])), ...fields }) });
    for (const fields of [{}, { csrf: '' }, { csrf: 'wrong' }, { csrf: other.csrf! }] as Array<Record<string, string>>) {
      const res = await post(fields);
      expect(res.status, JSON.stringify(fields)).toBe(403);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
    }
    const kept = await h.call('GET', '/admin/contracts/urn%3Atest%3Ameters', { token: await admin() });
    expect(kept.json().document).toEqual(meters(['totalConsumption']));
    const signedOut = await h.call('POST', '/console/sign-out', { headers: { ...FORM, cookie: s.cookie! }, rawBody: form({ csrf: s.csrf! }) });
    expect(signedOut.status).toBe(303);
    expect((await h.call('GET', '/console', { headers: { cookie: s.cookie! } })).status).toBe(303);
  });

  it('validates a document without saving it: every error at its line and column, or valid', async () => {
    const s = await signIn(await admin());
    const check = (d: unknown) => h.call('POST', '/console/contracts/urn%3Atest%3Ameters', { headers: { ...FORM, cookie: s.cookie! }, rawBody: form({ csrf: s.csrf!, intent: 'validate', document: JSON.stringify(d, null, 2) }) });
    const broken = meters(['owner']);
    (broken.permission as Array<Record<string, unknown>>)[0]!.action = 'ngsi:sell';
    const bad = await check(broken);
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/<p class="error" role="alert">line \d+, column \d+: [^<]*sell/);
    const good = await check(meters(['owner']));
    expect(good.status, good.text).toBe(200);
    expect(good.text).toContain('Valid: the document is within the profile.');
    const kept = await h.call('GET', '/admin/contracts/urn%3Atest%3Ameters', { token: await admin() });
    expect(kept.json().document).toEqual(meters(['totalConsumption']));
  });

  it('serves pages with a policy that allows no script, and escapes what it shows', async () => {
    const s = await signIn(await admin());
    const res = await h.call('POST', '/console/who-sees-what', { headers: { ...FORM, cookie: s.cookie! }, rawBody: form({ csrf: s.csrf!, roles: 'viewer', purpose: '<script>alert(1)</script>' }) });
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'; script-src 'none'/);
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toContain('<script>');
    expect(res.text).toMatch(/^<!doctype html>\n<html lang="en">/);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('console in a browser', () => {
  it('signs in, lists, shows an edit\'s error, saves it fixed, runs a dry run and shows who sees what', async () => {
    const { chromium } = await import('playwright-core');
    mkdirSync(SHOTS, { recursive: true });
    const context = await chromium.launchPersistentContext(makeTempDir('chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      ignoreHTTPSErrors: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = context.pages()[0] ?? await context.newPage();
      await page.goto(`${base}/console`);
      expect(new URL(page.url()).pathname).toBe('/console/sign-in');
      await page.screenshot({ path: join(SHOTS, '1-sign-in.png') });
      await page.getByLabel('Access token').fill(await admin());
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Contracts', level: 1 }).waitFor();
      await page.screenshot({ path: join(SHOTS, '2-contracts.png') });

      await page.getByRole('link', { name: 'urn:test:meters' }).click();
      const editor = page.getByLabel('Contract document (JSON-LD)');
      const broken = meters(['totalConsumption']);
      (broken.permission as Array<Record<string, unknown>>)[0]!.action = 'ngsi:sell';
      await editor.fill(JSON.stringify(broken, null, 2));
      await page.getByRole('button', { name: 'Save' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/sell/);
      await page.screenshot({ path: join(SHOTS, '3-contract-error.png'), fullPage: true });
      await page.getByLabel('Contract document (JSON-LD)').fill(JSON.stringify(meters(['totalConsumption', 'location']), null, 2));
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').waitFor();
      expect(await page.getByRole('status').textContent()).toContain('Saved');
      await page.screenshot({ path: join(SHOTS, '4-contract-saved.png'), fullPage: true });
      const stored = await h.call('GET', '/admin/contracts/urn%3Atest%3Ameters', { token: await admin() });
      expect(stored.json().document).toEqual(meters(['totalConsumption', 'location']));

      await page.getByRole('link', { name: 'Dry run' }).click();
      await page.getByLabel('Path and query').fill('/ngsi-ld/v1/entities?type=WaterMeter&attrs=location');
      await page.getByLabel('Roles').fill('viewer');
      await page.getByRole('button', { name: 'Decide' }).click();
      await page.getByRole('heading', { name: /Decision: permit/ }).waitFor();
      await page.screenshot({ path: join(SHOTS, '5-dry-run.png'), fullPage: true });

      await page.getByRole('link', { name: 'Who sees what' }).click();
      await page.getByLabel('Roles').fill('viewer');
      await page.getByRole('button', { name: 'Explain' }).click();
      const meterRow = page.getByRole('row', { name: /WaterMeter/ });
      await meterRow.waitFor();
      expect(await meterRow.textContent()).toMatch(/permit: location, totalConsumption/);
      expect(await page.getByRole('row', { name: /Streetlight/ }).textContent()).toMatch(/permit: status/);
      await page.screenshot({ path: join(SHOTS, '6-who-sees-what.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});

if (!existsSync(CHROMIUM)) console.warn(`console browser test skipped: no ${CHROMIUM} (apt-get install -y chromium)`);
