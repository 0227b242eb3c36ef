import { readFileSync, writeFileSync } from 'node:fs';
import { NGSI_LD_CONTEXTS } from '../helpers/shared.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  builtinCoreContext, coreOnlyContext, loadCoreContextFile, isCoreContextUrl, NGSI_LD_DEFAULT_VOCAB,
} from '../../src/context/index.js';
import { MimtrustError } from '../../src/errors/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const SHARED = NGSI_LD_CONTEXTS;
const officialPath = (v: string): string => join(SHARED, `ngsi-ld-core-context-v${v}.jsonld`);

function officialContext(v: string): Record<string, unknown> {
  return (JSON.parse(readFileSync(officialPath(v), 'utf8')) as { '@context': Record<string, unknown> })['@context'];
}

/**
 * The IRI the official file gives a term, worked out directly from the file: the core
 * only uses its own `ngsi-ld`/`geojson` prefixes, absolute IRIs, keywords, and terms
 * mapped to themselves (which fall to @vocab).
 */
function officialIri(ctx: Record<string, unknown>, term: string): string {
  const raw = ctx[term];
  const id = typeof raw === 'string' ? raw : (raw as { '@id': string })['@id'];
  if (id.startsWith('@')) return id;
  if (id === term) return `${ctx['@vocab'] as string}${term}`;
  const colon = id.indexOf(':');
  const prefix = id.slice(0, colon);
  const prefixIri = ctx[prefix];
  if (colon > 0 && typeof prefixIri === 'string' && !id.slice(colon + 1).startsWith('//')) return prefixIri + id.slice(colon + 1);
  return id;
}

describe('built-in core context table', () => {
  const core = coreOnlyContext(builtinCoreContext());

  for (const version of ['1.3', '1.4']) {
    it(`expands every term of the official v${version} core exactly as the official file does`, () => {
      const ctx = officialContext(version);
      const terms = Object.keys(ctx).filter((t) => !t.startsWith('@'));
      expect(terms.length).toBeGreaterThan(100);
      for (const term of terms) {
        expect({ term, iri: core.expandTerm(term) }).toEqual({ term, iri: officialIri(ctx, term) });
      }
      expect(ctx['@vocab']).toBe(NGSI_LD_DEFAULT_VOCAB);
    });
  }

  it('sends names no context defines to the NGSI-LD default @vocab', () => {
    expect(core.expandTerm('temperature')).toBe('https://uri.etsi.org/ngsi-ld/default-context/temperature');
    expect(core.expandTerm('OffStreetParking')).toBe('https://uri.etsi.org/ngsi-ld/default-context/OffStreetParking');
    // v1.3/v1.4 meaning of the two terms that later versions changed
    expect(core.expandTerm('attributeCount')).toBe('https://uri.etsi.org/ngsi-ld/default-context/attributeCount');
  });

  it('knows the terms added in v1.6 to v1.9', () => {
    const ns = 'https://uri.etsi.org/ngsi-ld/';
    const expected: Record<string, string> = {
      pick: `${ns}pick`, omit: `${ns}omit`, scopeQ: `${ns}scopeQ`, join: `${ns}join`, joinLevel: `${ns}hasJoinLevel`,
      jsonKeys: `${ns}jsonKeys`, LanguageProperty: `${ns}LanguageProperty`, ListProperty: `${ns}ListProperty`,
      ListRelationship: `${ns}ListRelationship`, VocabProperty: `${ns}VocabProperty`, JsonProperty: `${ns}JsonProperty`,
      expandValues: `${ns}expandValues`, linkedMaps: `${ns}linkedMaps`, entityMap: `${ns}hasEntityMap`,
      contextSourceAlias: `${ns}contextSourceAlias`, containedBy: `${ns}isContainedBy`, dataset: `${ns}hasDataset`,
    };
    for (const [term, iri] of Object.entries(expected)) expect(core.expandTerm(term)).toBe(iri);
  });

  it('marks every core term protected and compacts core IRIs back to core terms', () => {
    const builtin = builtinCoreContext();
    for (const def of builtin.terms.values()) expect(def.protected).toBe(true);
    expect(core.compactIri('https://uri.etsi.org/ngsi-ld/location')).toBe('location');
    expect(core.compactIri('https://uri.etsi.org/ngsi-ld/hasValue')).toBe('value');
    expect(core.compactIri('@id')).toBe('id');
    expect(core.compactIri('https://uri.etsi.org/ngsi-ld/default-context/temperature')).toBe('temperature');
    expect(core.compactIri('https://uri.etsi.org/ngsi-ld/somethingNew')).toBe('ngsi-ld:somethingNew');
  });

  it('recognises the official core context URLs', () => {
    expect(isCoreContextUrl('https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld')).toBe(true);
    expect(isCoreContextUrl('https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld')).toBe(true);
    expect(isCoreContextUrl('https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.1.jsonld')).toBe(true);
    expect(isCoreContextUrl('https://uri.etsi.org.evil.com/ngsi-ld/v1/ngsi-ld-core-context.jsonld')).toBe(false);
    expect(isCoreContextUrl('https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld?x')).toBe(false);
  });
});

describe('loadCoreContextFile', () => {
  const dir = makeTempDir('core');

  for (const version of ['1.3', '1.4']) {
    it(`loads the official v${version} file and expands its terms as the file says`, async () => {
      const loaded = await loadCoreContextFile(officialPath(version));
      const active = coreOnlyContext(loaded);
      const ctx = officialContext(version);
      for (const term of Object.keys(ctx).filter((t) => !t.startsWith('@'))) {
        expect(active.expandTerm(term)).toBe(officialIri(ctx, term));
      }
      expect(loaded.vocab).toBe(NGSI_LD_DEFAULT_VOCAB);
      // v1.3 has no aggregation terms: they fall to @vocab there
      if (version === '1.3') expect(active.expandTerm('avg')).toBe(`${NGSI_LD_DEFAULT_VOCAB}avg`);
    });
  }

  it('loads a newer-style core (@version 1.1, @protected, scoped contexts) and uses its meanings', async () => {
    const ctx = {
      ...officialContext('1.4'),
      '@version': 1.1,
      '@protected': true,
      attributeCount: 'ngsi-ld:attributeCount',
      ngsildproof: { '@id': 'ngsi-ld:ngsildproof', '@context': [{ entityIdSealed: 'ngsi-ld:entityIdSealed' }, 'https://w3id.org/security/data-integrity/v2'] },
    };
    const path = join(dir, 'newer.jsonld');
    writeFileSync(path, JSON.stringify({ '@context': ctx }));
    const active = coreOnlyContext(await loadCoreContextFile(path));
    expect(active.expandTerm('attributeCount')).toBe('https://uri.etsi.org/ngsi-ld/attributeCount');
    expect(active.expandTerm('ngsildproof')).toBe('https://uri.etsi.org/ngsi-ld/ngsildproof');
  });

  async function refusal(doc: unknown): Promise<MimtrustError> {
    const path = join(dir, `bad-${Math.random().toString(36).slice(2)}.jsonld`);
    writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
    const err = await loadCoreContextFile(path).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(MimtrustError);
    return err as MimtrustError;
  }

  it('refuses files that are not an NGSI-LD core context', async () => {
    const wrongLocation = { '@context': { ...officialContext('1.4'), location: 'https://evil.example/location' } };
    expect((await refusal(wrongLocation)).reason).toBe('invalid_core_context');
    const noVocab = { ...officialContext('1.4') };
    delete noVocab['@vocab'];
    expect((await refusal({ '@context': noVocab })).reason).toBe('invalid_core_context');
    expect((await refusal('{ not json')).reason).toBe('invalid_core_context');
    expect((await refusal({ nothing: true })).reason).toBe('invalid_core_context');
    expect((await refusal({ '@context': ['https://example.org/other.jsonld', officialContext('1.4')] })).reason).toBe('invalid_core_context');
  });
});
