import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedCoreTerms, renderCoreTerms } from '../../scripts/generate-core-terms.mjs';

const committed = readFileSync(new URL('../../src/context/core-terms.ts', import.meta.url), 'utf8');
const core = { '@context': { 'ngsi-ld': 'https://uri.etsi.org/ngsi-ld/', '@vocab': 'https://uri.etsi.org/ngsi-ld/default-context/', Attribute: 'ngsi-ld:Attribute' } };

describe('generated core term table', () => {
  it('is committed exactly as scripts/generate-core-terms.mjs writes it from contexts/ngsi-ld/', () => {
    expect(committed).toBe(generatedCoreTerms());
  });

  it('keeps the IRI of expanded term definitions and quotes keys that are not identifiers', () => {
    const out = renderCoreTerms(
      { '@context': { ...core['@context'], 'odd-name': { '@id': "ngsi-ld:it's", '@type': '@id' } } },
      { '@context': { pick: 'ngsi-ld:pick' } },
    );
    expect(out).toContain("  'odd-name': 'ngsi-ld:it\\'s',\n");
    expect(out).toContain("  pick: 'ngsi-ld:pick',\n");
    expect(out).toContain("export const NGSI_LD_DEFAULT_VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';");
  });

  it('refuses an addition that would change a core term, and a core file without @vocab', () => {
    expect(() => renderCoreTerms(core, { '@context': { Attribute: 'ngsi-ld:Other' } })).toThrow(/not a new term/);
    expect(() => renderCoreTerms({ '@context': { 'ngsi-ld': 'https://uri.etsi.org/ngsi-ld/' } }, { '@context': {} })).toThrow(/@vocab/);
    expect(() => renderCoreTerms(core, { '@context': { broken: { '@type': '@id' } } })).toThrow(/has no IRI/);
  });
});
