// An organisation logging in to the city's issuer with a Verifiable Presentation, end to end
// (docs/credentials.md, "Organisations logging in with a presentation"):
//   1. a business registry (a did:key made here) is put on the trusted issuers list by the operator;
//   2. the registry signs an OrganisationCredential about the organisation (another did:key);
//   3. the organisation asks the issuer for a challenge, signs a presentation for it and for the
//      issuer as domain, and trades it for an access token at /oidc/token.
// Run from the repository: GATEWAY=https://localhost:8443 CA=keys/tls-cert.pem ADMIN_TOKEN=... node docs/examples/vp-login/login.mjs
import { readFileSync } from 'node:fs';
import { Agent, fetch } from 'undici';
import { createPresentation, issue, signPresentation } from '@digitalbazaar/vc';
import { from, generate } from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { contexts as credentialContexts } from '@digitalbazaar/credentials-context';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';

const gateway = process.env.GATEWAY ?? 'https://localhost:8443';
const dispatcher = new Agent({ connect: { ca: readFileSync(process.env.CA ?? 'keys/tls-cert.pem', 'utf8') } });
const adminToken = process.env.ADMIN_TOKEN;
if (!adminToken) throw new Error('ADMIN_TOKEN: an operator token, e.g. $(npx mimtrust token --sub carol --roles contract-admin)');

// Signing needs the contexts only, from the packages: nothing is fetched.
const contexts = new Map([...credentialContexts, ...dataIntegrityContexts]);
const documentLoader = async (url) => {
  if (!contexts.has(url)) throw new Error(`no context ${url}`);
  return { contextUrl: null, documentUrl: url, document: contexts.get(url) };
};
// The VC 2.0 context has no @vocab: the credential defines its own terms.
const TERMS = { OrganisationCredential: 'https://registry.example/vocab#OrganisationCredential', role: 'https://schema.org/roleName', legalName: 'https://schema.org/legalName' };

async function didKey() {
  const key = await generate();
  const did = `did:key:${key.publicKeyMultibase}`;
  return { did, pair: await from({ ...(await key.export({ publicKey: true, secretKey: true })), id: `${did}#${key.publicKeyMultibase}`, controller: did }) };
}

async function call(method, path, { token, json, form } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (json) headers['content-type'] = 'application/json';
  if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const body = json ? JSON.stringify(json) : form ? new URLSearchParams(form).toString() : undefined;
  const res = await fetch(`${gateway}${path}`, { method, headers, body, dispatcher });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

const registry = await didKey();
const org = await didKey();

// 1. The operator trusts the registry for organisation credentials: role dataUser gives the gateway role viewer.
await call('PUT', `/admin/trusted-issuers/${encodeURIComponent(registry.did)}`, {
  token: adminToken,
  json: { credentialTypes: ['OrganisationCredential'], roles: [{ claim: 'role', value: 'dataUser', roles: ['viewer'] }] },
});

// 2. The registry vouches for the organisation.
const credential = await issue({
  credential: {
    '@context': ['https://www.w3.org/ns/credentials/v2', TERMS],
    type: ['VerifiableCredential', 'OrganisationCredential'],
    issuer: registry.did,
    validFrom: new Date(Date.now() - 60_000).toISOString(),
    credentialSubject: { id: org.did, legalName: 'Lighting Co', role: 'dataUser' },
  },
  suite: new DataIntegrityProof({ signer: registry.pair.signer(), cryptosuite }),
  documentLoader,
});

// 3. The organisation logs in: a challenge, a presentation signed for it, a token.
const { challenge, domain } = await call('POST', '/oidc/vp-challenge');
const presentation = await signPresentation({
  presentation: createPresentation({ verifiableCredential: [credential], holder: org.did }),
  suite: new DataIntegrityProof({ signer: org.pair.signer(), cryptosuite }),
  documentLoader,
  challenge,
  domain,
});
const answer = await call('POST', '/oidc/token', {
  form: { grant_type: 'urn:ietf:params:oauth:grant-type:vp-token', client_id: 'vp-login', vp_token: JSON.stringify(presentation) },
});
const claims = JSON.parse(Buffer.from(answer.access_token.split('.')[1], 'base64url').toString());
console.log(JSON.stringify({ organisation: org.did, sub: claims.sub, org_id: claims.org_id, roles: claims.roles, expires_in: answer.expires_in }));
await dispatcher.close();
