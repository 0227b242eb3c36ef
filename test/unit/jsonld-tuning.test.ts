/**
 * jsonld with contexts that share term definitions when copied (jsonld-tuning.ts) reads
 * every document exactly as jsonld as shipped does: the same canonical N-Quads for a
 * consent receipt with its proof options, a presentation, and documents built to exercise
 * type-scoped contexts (propagating or not), property-scoped contexts, nested types and
 * protected terms; a protected term redefined is refused the same way. And the credential
 * module's jsonld is the one tuned.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { createRequire } from 'node:module';
import jsonld from 'jsonld';
import { PACKAGED_CONTEXTS, CONSENT_CONTEXT_DOCUMENT, consentContextUrl } from '../../src/credentials/contexts.js';
import { receiptCredential } from '../../src/credentials/index.js';
import { shareTermDefinitions, tuneJsonld, type JsonldContextApi } from '../../src/credentials/jsonld-tuning.js';

const BASE = 'https://city.example';
const require = createRequire(import.meta.url);
const contextApi = require('jsonld/lib/context.js') as JsonldContextApi;
const EXAMPLE = 'https://example.org/scoped/v1';
const contexts = new Map<string, unknown>([...PACKAGED_CONTEXTS, [consentContextUrl(BASE), CONSENT_CONTEXT_DOCUMENT], [EXAMPLE, {
  '@context': {
    '@version': 1.1,
    '@vocab': 'https://example.org/vocab#',
    ex: 'https://example.org/vocab#',
    Outer: { '@id': 'ex:Outer', '@context': { inner: { '@id': 'ex:inner', '@type': '@id' }, label: 'ex:outerLabel' } },
    Loud: { '@id': 'ex:Loud', '@context': { '@propagate': true, label: 'ex:loudLabel' } },
    Inner: { '@id': 'ex:Inner', '@context': { label: 'ex:innerLabel', when: { '@id': 'ex:when', '@type': 'http://www.w3.org/2001/XMLSchema#dateTime' } } },
    part: { '@id': 'ex:part', '@context': { label: 'ex:partLabel', '@vocab': 'https://example.org/part#' } },
    label: 'ex:label',
  },
}]]);
// Untagged, so jsonld processes every context again in each call, with the copy under test.
const documentLoader = async (url: string) => {
  const document = contexts.get(url);
  if (document === undefined) throw new Error(`no context ${url}`);
  return { contextUrl: null, documentUrl: url, document };
};
const canonical = (doc: unknown, safe = true) => jsonld.canonize(doc as jsonld.JsonLdDocument, { algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe } as unknown as jsonld.Options.Normalize);

const receipt = receiptCredential({
  record: {
    id: 'urn:uuid:00000000-0000-4000-8000-000000000001',
    dataSubject: { issuer: 'https://id.city.example', sub: 'alice', id: 'urn:ngsi-ld:Person:alice' },
    recipient: 'supplier-app',
    purposes: ['https://w3id.org/dpv#ServiceProvision'],
    personalData: [{ type: 'https://uri.fiware.org/ns/data-models#EnergyMeter', attributes: ['https://uri.fiware.org/ns/data-models#totalActiveEnergyImport'] }],
    legalBasis: 'https://w3id.org/dpv#Consent',
    givenAt: '2026-01-01T10:00:00.000Z',
    events: [{ event: 'given', at: '2026-01-01T10:00:00.000Z' }],
  },
  issuer: 'did:web:city.example',
  baseUrl: BASE,
  status: { id: `${BASE}/credentials/status/1#5`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '5', statusListCredential: `${BASE}/credentials/status/1` },
});
const proofOptions = {
  '@context': receipt['@context'], type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', created: '2026-01-01T10:00:00Z',
  verificationMethod: 'did:web:city.example#z6Mk', proofPurpose: 'assertionMethod',
};
const presentation = {
  '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], holder: 'did:example:org',
  verifiableCredential: [{ ...receipt, proof: { ...Object.fromEntries(Object.entries(proofOptions).filter(([k]) => k !== '@context')), proofValue: 'z3' } }],
};
const scoped = {
  '@context': EXAMPLE,
  '@type': 'Outer', label: 'outer',
  inner: { '@id': 'https://example.org/i/1', '@type': 'Inner', label: 'inner', when: '2026-01-01T00:00:00Z' },
  part: { '@type': 'Loud', label: 'loud', deeper: { label: 'still loud', kind: 'k' } },
  nested: { label: 'not scoped' },
};
const documents: Array<[string, unknown]> = [['receipt', receipt], ['proof options', proofOptions], ['presentation', presentation], ['scoped contexts', scoped]];

let restore: (() => void) | false = false;
afterEach(() => {
  if (restore) restore();
  restore = false;
});

describe('jsonld with shared term definitions', () => {
  it('canonicalises every document exactly as jsonld as shipped', async () => {
    const shipped = await Promise.all(documents.map(([, d]) => canonical(d)));
    restore = shareTermDefinitions(contextApi);
    expect(restore).toBeTypeOf('function');
    const shared = await Promise.all(documents.map(([, d]) => canonical(d)));
    for (const [i, [name]] of documents.entries()) {
      expect(shipped[i], name).toMatch(/^(<|_:)/);
      expect(shared[i], name).toBe(shipped[i]);
    }
  });

  it('refuses a protected term redefined, as jsonld as shipped does', async () => {
    const redefined = { '@context': ['https://www.w3.org/ns/credentials/v2', { name: 'https://attacker.example/name' }], type: 'VerifiableCredential', name: 'x' };
    const shipped = await canonical(redefined, false).then(() => 'accepted', (e: Error) => e.message);
    restore = shareTermDefinitions(contextApi);
    const shared = await canonical(redefined, false).then(() => 'accepted', (e: Error) => e.message);
    expect(shipped).toMatch(/redefine a protected term/);
    expect(shared).toBe(shipped);
  });

  it('changes nothing in a jsonld that does not look as expected', () => {
    expect(shareTermDefinitions({} as JsonldContextApi)).toBe(false);
    expect(shareTermDefinitions({ getInitialContext: () => ({}) } as unknown as JsonldContextApi)).toBe(false);
  });

  it('is applied to the jsonld the credential libraries load', () => {
    expect(tuneJsonld()).toBe(true);
  });
});
