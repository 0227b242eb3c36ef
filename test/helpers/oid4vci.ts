/**
 * A citizen's own wallet app taking a consent receipt by OID4VCI, by hand: the offer read
 * off the wallet page, the code redeemed at the issuer's token endpoint, a nonce, and the
 * holder's key proof made with a fresh did:key (or bent, as an attacker might).
 */
import { expect } from 'vitest';
import { decodeJwt } from 'jose';
import { generate, type Ed25519KeyPair } from '@digitalbazaar/ed25519-multikey';
import { offerOf, PRE_AUTHORIZED_GRANT } from '../../src/credentials/index.js';
import type { Harness } from './harness.js';
import { IssuerBrowser, csrfOf, postForm } from './oidc.js';
import { appToken, walletSignIn, type AppClient, type Person } from './wallet.js';

export const CONFIGURATION = 'ConsentReceiptCredential_ldp_vc';

const unescapeHtml = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** `p` signed in to the wallet at `h`, with one fresh consent to `app`: the browser and the consent's id. */
export async function citizenWithConsent(h: Harness, app: AppClient, p: Person): Promise<{ b: IssuerBrowser; consentId: string }> {
  const b = new IssuerBrowser(h);
  await walletSignIn(b, p);
  const token = await appToken(h, app, p, ['totalActiveEnergyImport']);
  const consentId = (decodeJwt(token).consents as string[])[0] as string;
  return { b, consentId };
}

export interface OfferPage { status: number; text: string; uri: string; txCode: string; svg: string }

/** Presses "Add to my wallet" for the consent; the page with the offer read out of it. */
export async function offerFor(b: IssuerBrowser, consentId: string): Promise<OfferPage> {
  const page = await b.get('/wallet');
  const res = await b.post(`/wallet/consents/${encodeURIComponent(consentId)}/offer`, new URLSearchParams({ csrf: csrfOf(page.text) }));
  const href = /<a class="offer-link" href="([^"]+)">/.exec(res.text)?.[1];
  return {
    status: res.status,
    text: res.text,
    uri: href === undefined ? '' : unescapeHtml(href),
    txCode: /<strong class="tx-code">(\d+)<\/strong>/.exec(res.text)?.[1] ?? '',
    svg: /<svg [\s\S]*?<\/svg>/.exec(res.text)?.[0] ?? '',
  };
}

/** The pre-authorized code an offer URI carries. */
export const codeOf = (uri: string): string => offerOf(uri)?.grants[PRE_AUTHORIZED_GRANT]?.['pre-authorized_code'] ?? '';

/** The token request of the pre-authorized code grant at `h`, as a wallet sends it (no client_id). */
export const redeemAt = (h: Harness, code: string, txCode: string | undefined, extra: Record<string, string> = {}, headers: Record<string, string> = {}) => postForm(h, '/oidc/token', {
  grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': code, ...(txCode === undefined ? {} : { tx_code: txCode }), ...extra,
}, headers);

/** A c_nonce from `h`'s nonce endpoint. */
export async function nonceAt(h: Harness): Promise<string> {
  const res = await h.call('POST', '/oid4vci/nonce');
  expect(res.status, res.text).toBe(200);
  expect(res.headers['cache-control']).toBe('no-store');
  return res.json().c_nonce as string;
}

export interface Holder { did: string; kid: string; pair: Ed25519KeyPair }

/** A wallet's key, named by a fresh did:key. */
export async function holder(): Promise<Holder> {
  const pair = await generate();
  const did = `did:key:${pair.publicKeyMultibase}`;
  return { did, kid: `${did}#${pair.publicKeyMultibase}`, pair };
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A key proof for `audience`: header and claims as given (defaults: the right ones), signed by `signer` (default: the holder's own key). */
export async function keyProof(who: Holder, audience: string, claims: Record<string, unknown>, o: { header?: Record<string, unknown>; signer?: Holder } = {}): Promise<string> {
  const header = { typ: 'openid4vci-proof+jwt', alg: 'EdDSA', kid: who.kid, ...o.header };
  const input = `${b64(header)}.${b64({ aud: audience, iat: Math.floor(Date.now() / 1000), ...claims })}`;
  const signature = await (o.signer ?? who).pair.signer().sign({ data: new TextEncoder().encode(input) });
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}
