/**
 * The whole round in a real headless Chromium: a citizen logs in at the city's issuer for
 * an app, sees the consent screen and grants; the app (this test, a registered client)
 * finishes the code flow and reads the citizen's data through the gateway; the citizen
 * opens the wallet, sees the consent and the read, and withdraws; the app's same,
 * unexpired token is refused on its next call. Screenshots go to test-output/wallet/.
 * The steps are functions, so later legs (relayed notifications) can join the round.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startHarness, REPO, type Harness } from '../helpers/harness.js';
import { assertionParams, clientKey, pkce, postForm, type ClientKey } from '../helpers/oidc.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { Accounts } from '../../src/accounts/index.js';
import { openSqlite, SqliteAccountStore } from '../../src/store/index.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(REPO, 'test-output', 'wallet');
const APP_REDIRECT = 'https://supplier.example/callback';
const PASSWORD = 'alice has a long password';
const METER = 'urn:ngsi-ld:EnergyMeter:alice';

/** A port free now: the issuer's identifier must name the port the browser reaches. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe.skipIf(!existsSync(CHROMIUM))('wallet in a browser', () => {
  let h: Harness;
  let app: ClientKey;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  /** Where the issuer sent the browser back to the app, caught before it leaves the machine. */
  let backToApp: string | undefined;

  beforeAll(async () => {
    app = await clientKey();
    const port = await freePort();
    base = `https://localhost:${port}`;
    h = await startHarness({
      listen: { host: '127.0.0.1', port },
      contractsDir: join(REPO, 'test', 'fixtures', 'contracts-issuer'),
      oidc: {
        enabled: true,
        issuer: `${base}/oidc`,
        clients: [{
          clientId: 'supplier-app', name: 'Supplier App', organisation: 'urn:org:supplier', grantTypes: ['authorization_code'],
          redirectUris: [APP_REDIRECT], jwks: { keys: [app.publicJwk] }, purposes: ['dpv:ServiceProvision'], roles: ['viewer'],
        }],
      },
    });
    const db = openSqlite(h.config.store.path);
    let aliceId: string;
    try {
      aliceId = (await new Accounts(new SqliteAccountStore(db)).add('alice', PASSWORD, Date.now())).id;
    } finally {
      db.close();
    }
    h.broker.seed({
      id: METER, type: 'EnergyMeter',
      owner: { type: 'Relationship', object: `urn:ngsi-ld:Person:${aliceId}` },
      totalActiveEnergyImport: { type: 'Property', value: 1234.5 },
      serialNumber: { type: 'Property', value: 'S-1' },
    });
    mkdirSync(SHOTS, { recursive: true });
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(makeTempDir('chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      ignoreHTTPSErrors: true,
      locale: 'en-GB',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    await context.route('https://supplier.example/**', async (route) => {
      backToApp = route.request().url();
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><html lang="en"><title>Supplier App</title><p>Back at the app.</p></html>' });
    });
    page = context.pages()[0] ?? await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await h?.close();
  });

  async function logIn(): Promise<void> {
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  /** The app's leg: authorize in the browser, the citizen grants, the app redeems the code. */
  async function appGetsToken(): Promise<string> {
    const { verifier, challenge } = pkce();
    const q = new URLSearchParams({
      client_id: 'supplier-app', response_type: 'code', redirect_uri: APP_REDIRECT, scope: 'openid',
      code_challenge: challenge, code_challenge_method: 'S256', state: 'app-state', purpose: 'dpv:ServiceProvision',
    });
    await page.goto(`${base}/oidc/auth?${q.toString()}`);
    await logIn();
    await page.getByRole('heading', { name: 'Share your data?', level: 1 }).waitFor();
    expect(await page.getByText('providing the service you use').isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, '1-consent-screen.png'), fullPage: true });
    await page.getByRole('button', { name: 'Share what I ticked' }).click();
    await page.waitForURL(/^https:\/\/supplier\.example\//);
    const back = new URL(backToApp as string);
    expect(back.searchParams.get('state')).toBe('app-state');
    const res = await postForm(h, '/oidc/token', {
      grant_type: 'authorization_code', code: back.searchParams.get('code') as string, redirect_uri: APP_REDIRECT, code_verifier: verifier,
      ...(await assertionParams('supplier-app', app, `${base}/oidc`)),
    });
    expect(res.status, res.text).toBe(200);
    return res.json().access_token as string;
  }

  const readMeter = (accessToken: string) => h.call('GET', `/ngsi-ld/v1/entities/${encodeURIComponent(METER)}`, { token: accessToken });

  it('grant, read, see it in the wallet, withdraw: the same token is refused', async () => {
    const accessToken = await appGetsToken();
    const read = await readMeter(accessToken);
    expect(read.status, read.text).toBe(200);
    expect(read.json().totalActiveEnergyImport.value).toBe(1234.5);

    // The wallet asks for the password again (its own sign-in), then shows the consent and the read.
    await page.goto(`${base}/wallet`);
    await page.getByRole('heading', { name: 'Log in', level: 1 }).waitFor();
    await logIn();
    await page.getByRole('heading', { name: 'Your consents', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/wallet');
    const card = page.getByRole('article', { name: 'Supplier App (urn:org:supplier)' });
    expect(await card.textContent()).toMatch(/active[\s\S]*providing the service you use[\s\S]*EnergyMeter: owner, serialNumber, totalActiveEnergyImport[\s\S]*Your consent/);
    const readRow = page.getByRole('row', { name: /Supplier App/ });
    expect(await readRow.textContent()).toMatch(/EnergyMeter: .*totalActiveEnergyImport.*providing the service you use/);
    // Keyboard first: the first Tab reaches the skip link.
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to content');
    await page.screenshot({ path: join(SHOTS, '2-wallet-before-withdrawal.png'), fullPage: true });

    await card.getByRole('button', { name: 'Withdraw this consent' }).click();
    const status = page.getByRole('status');
    await status.waitFor();
    expect(await status.textContent()).toContain('Your consent is withdrawn.');
    expect(await page.getByRole('article', { name: 'Supplier App (urn:org:supplier)' }).textContent()).toContain('withdrawn');
    await page.screenshot({ path: join(SHOTS, '3-wallet-after-withdrawal.png'), fullPage: true });

    const refused = await readMeter(accessToken);
    expect(refused.status).toBe(401);
    expect(refused.json().reason).toBe('consent_withdrawn');
  });
});

if (!existsSync(CHROMIUM)) console.warn(`wallet browser test skipped: no ${CHROMIUM} (apt-get install -y chromium)`);
