import { describe, expect, it } from 'vitest';
import { badRequestReason } from '../helpers/refusal.js';
import { join } from 'node:path';
import { NGSI_LD_CONTEXTS } from '../helpers/shared.js';
import { builtinCoreContext, loadCoreContextFile, processContext } from '../../src/context/index.js';
import type { ActiveContext } from '../../src/context/index.js';

const core = builtinCoreContext();
const TEMP = 'https://smartdatamodels.org/temperature';
const VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';

function ctx(local: unknown, remote: Record<string, unknown> = {}): ActiveContext {
  return processContext(local, {
    core,
    load: (url) => {
      if (!(url in remote)) throw new Error(`unexpected load of ${url}`);
      return remote[url];
    },
  });
}

const reasonOf = badRequestReason;

describe('name expansion', () => {
  it('gives an alias, a compact IRI and the full IRI of one attribute the same IRI', () => {
    const active = ctx({ sdm: 'https://smartdatamodels.org/', temp: TEMP });
    expect(active.expandTerm('temp')).toBe(TEMP);
    expect(active.expandTerm('sdm:temperature')).toBe(TEMP);
    expect(active.expandTerm(TEMP)).toBe(TEMP);
    // and the reverse: the caller's own name for the IRI
    expect(active.compactIri(TEMP)).toBe('temp');
  });

  it('supports object term definitions, with @type and @container ignored for names', () => {
    const active = ctx({ sdm: 'https://smartdatamodels.org/', refRoad: { '@id': 'sdm:refRoad', '@type': '@id' }, tags: { '@id': 'sdm:tags', '@container': '@list' } });
    expect(active.expandTerm('refRoad')).toBe('https://smartdatamodels.org/refRoad');
    expect(active.expandTerm('tags')).toBe('https://smartdatamodels.org/tags');
  });

  it('resolves terms defined through other terms, in any order', () => {
    const active = ctx({ a: 'b', b: 'ex:thing', ex: 'https://example.org/ns#' });
    expect(active.expandTerm('a')).toBe('https://example.org/ns#thing');
    expect(active.expandTerm('b')).toBe('https://example.org/ns#thing');
  });

  it('refuses cyclic term definitions', () => {
    expect(reasonOf(() => ctx({ a: 'b', b: 'a' }))).toBe('cyclic_term_definition');
    expect(reasonOf(() => ctx({ a: { '@id': 'a:x' } }))).toBe('cyclic_term_definition');
  });

  it('uses core prefixes inside caller definitions and keeps absolute IRIs as they are', () => {
    const active = ctx({ temp: 'ngsi-ld:temperature', pt: 'geojson:Point2' });
    expect(active.expandTerm('temp')).toBe('https://uri.etsi.org/ngsi-ld/temperature');
    expect(active.expandTerm('pt')).toBe('https://purl.org/geojson/vocab#Point2');
    expect(active.expandTerm('urn:ngsi-ld:attr:x')).toBe('urn:ngsi-ld:attr:x');
    expect(active.expandTerm('http://example.org/a')).toBe('http://example.org/a');
  });

  it('only uses prefix-shaped terms as compact-IRI prefixes (JSON-LD 1.1)', () => {
    const active = ctx({ temp: TEMP, ex: 'https://example.org/' });
    // `temp` does not end in a gen-delim: `temp:x` is an IRI with scheme `temp`
    expect(active.expandTerm('temp:x')).toBe('temp:x');
    expect(active.expandTerm('ex:x')).toBe('https://example.org/x');
    const explicit = ctx({ t: { '@id': 'https://example.org/t', '@prefix': true } });
    expect(explicit.expandTerm('t:x')).toBe('https://example.org/tx');
  });

  it('refuses blank nodes, as names and as mappings', () => {
    const active = ctx({});
    expect(reasonOf(() => active.expandTerm('_:b0'))).toBe('blank_node_not_allowed');
    expect(reasonOf(() => ctx({ temp: '_:b1' }))).toBe('blank_node_not_allowed');
    expect(reasonOf(() => ctx({ '@vocab': '_:v' }))).toBe('blank_node_not_allowed');
  });

  it('keeps the core keyword aliases and accepts them repeated unchanged', () => {
    const active = ctx({ id: '@id', type: '@type' });
    expect(active.expandTerm('id')).toBe('@id');
    expect(active.expandTerm('type')).toBe('@type');
    expect(reasonOf(() => ctx({ '@id': 'https://example.org/x' }))).toBe('keyword_redefinition');
    expect(reasonOf(() => ctx({ ctx: '@context' }))).toBe('invalid_keyword_alias');
  });

  it('refuses every caller alias of a JSON-LD keyword, however it is spelled', () => {
    const keywords = ['@id', '@type', '@nest', '@included', '@reverse', '@graph', '@value', '@list', '@set', '@index', '@language', '@json', '@none'];
    for (const k of keywords) {
      expect(reasonOf(() => ctx({ x: k })), k).toBe('keyword_alias');
      expect(reasonOf(() => ctx({ x: { '@id': k } })), k).toBe('keyword_alias');
    }
    // through a core term that is itself an alias, and through a remote document
    expect(reasonOf(() => ctx({ t: 'type' }))).toBe('keyword_alias');
    expect(reasonOf(() => ctx({ i: 'id' }))).toBe('keyword_alias');
    expect(reasonOf(() => ctx('https://ctx.example/k.jsonld', { 'https://ctx.example/k.jsonld': { x: '@nest' } }))).toBe('keyword_alias');
    // a core alias moved onto another keyword is refused too
    expect(reasonOf(() => ctx({ type: '@id' }))).toBe('keyword_alias');
  });

  it('says which names the caller context gives another meaning than the core', async () => {
    // The official v1.4 core does not define `receiverInfo`, so a caller context can.
    const v14 = await loadCoreContextFile(join(NGSI_LD_CONTEXTS, 'ngsi-ld-core-context-v1.4.jsonld'));
    const active = processContext({ receiverInfo: 'https://uri.etsi.org/ngsi-ld/q', temp: TEMP, same: `${VOCAB}same`, gone: null, type: '@type' }, { core: v14 });
    expect(active.redefines('receiverInfo')).toBe(true);
    expect(active.redefines('temp')).toBe(true);
    expect(active.redefines('same')).toBe(false);
    expect(active.redefines('gone')).toBe(false);
    expect(active.redefines('type')).toBe(false);
    expect(active.redefines('q')).toBe(false);
    expect(processContext({}, { core: v14 }).redefines('receiverInfo')).toBe(false);
    // the built-in core carries every member name of query and subscription bodies: redefining one is refused outright
    expect(reasonOf(() => ctx({ receiverInfo: 'https://uri.etsi.org/ngsi-ld/q' }))).toBe('protected_term_redefined');
  });

  it('refuses term definitions that would rename or restructure what lies below them', () => {
    // a type-scoped context renaming status for every ParkingSpot
    expect(reasonOf(() => ctx({ ParkingSpot: { '@id': `${VOCAB}ParkingSpot`, '@context': { status: `${VOCAB}ownerReference` } } }))).toBe('unsupported_context_feature');
    expect(reasonOf(() => ctx({ data: { '@id': 'https://example.org/data', '@container': '@graph' } }))).toBe('unsupported_context_feature');
    expect(reasonOf(() => ctx({ byId: { '@id': 'https://example.org/byId', '@container': ['@id', '@set'] } }))).toBe('unsupported_context_feature');
    expect(reasonOf(() => ctx({ byType: { '@id': 'https://example.org/byType', '@container': '@type' } }))).toBe('unsupported_context_feature');
    expect(reasonOf(() => ctx({ idx: { '@id': 'https://example.org/idx', '@container': '@index', '@index': 'https://example.org/p' } }))).toBe('unsupported_context_feature');
    // lists, sets and language maps keep their keys as values
    expect(ctx({ tags: { '@id': 'https://example.org/tags', '@container': ['@list'] }, label: { '@id': 'https://example.org/label', '@container': '@language' } }).expandTerm('tags')).toBe('https://example.org/tags');
  });

  it('refuses a term shaped like an IRI that is mapped to another IRI', () => {
    expect(reasonOf(() => ctx({ 'https://example.org/a': 'https://example.org/b' }))).toBe('invalid_iri_mapping');
    expect(reasonOf(() => ctx({ ex: 'https://example.org/', 'ex:a': 'https://evil.example/b' }))).toBe('invalid_iri_mapping');
    // the same IRI is fine
    expect(ctx({ ex: 'https://example.org/', 'ex:a': 'https://example.org/a' }).expandTerm('ex:a')).toBe('https://example.org/a');
  });

  it('memoizes expansions per active context', () => {
    const active = ctx({ temp: TEMP });
    expect(active.expandTerm('temp')).toBe(TEMP);
    expect(active.expandTerm('temp')).toBe(active.expandTerm('temp'));
    const other = ctx({ temp: 'https://example.org/other' });
    expect(other.expandTerm('temp')).toBe('https://example.org/other');
    expect(active.expandTerm('temp')).toBe(TEMP);
  });

  it('compacts so that expanding the result gives the IRI back', () => {
    const active = ctx({ ex: 'https://example.org/', temp: TEMP, t2: TEMP });
    for (const iri of [TEMP, 'https://example.org/humidity', `${VOCAB}speed`, 'https://uri.etsi.org/ngsi-ld/location', 'https://other.example/x', '@type']) {
      expect(active.expandTerm(active.compactIri(iri))).toBe(iri);
    }
    expect(active.compactIri(TEMP)).toBe('t2'); // shortest synonym wins, deterministically
    expect(active.compactIri('https://example.org/humidity')).toBe('ex:humidity');
    expect(active.compactIri('https://other.example/x')).toBe('https://other.example/x');
  });

  it('refuses @import and other @version values; ignores @base', () => {
    expect(reasonOf(() => ctx({ '@import': 'https://example.org/c.jsonld' }))).toBe('unsupported_context_feature');
    expect(reasonOf(() => ctx({ '@version': 1.0 }))).toBe('invalid_context');
    expect(reasonOf(() => ctx({ rev: { '@reverse': 'https://example.org/r' } }))).toBe('unsupported_context_feature');
    expect(reasonOf(() => ctx({ bad: 42 }))).toBe('invalid_term_definition');
    expect(reasonOf(() => ctx({ bad: { '@id': 'https://example.org/x', '@bogus': 1 } }))).toBe('invalid_term_definition');
    expect(reasonOf(() => ctx(42))).toBe('invalid_local_context');
    expect(ctx({ '@base': 'https://example.org/', '@version': 1.1, temp: TEMP }).expandTerm('temp')).toBe(TEMP);
  });
});

describe('the core context is protected', () => {
  for (const term of ['id', 'type', 'location', 'ngsi-ld', 'value', 'observedAt', 'pick']) {
    it(`refuses a caller context that redefines "${term}"`, () => {
      expect(reasonOf(() => ctx({ [term]: 'https://evil.example/x' }))).toBe('protected_term_redefined');
      expect(reasonOf(() => ctx({ [term]: { '@id': 'https://evil.example/x' } }))).toBe('protected_term_redefined');
      expect(reasonOf(() => ctx({ [term]: null }))).toBe('protected_term_redefined');
    });
  }

  it('accepts repeating core terms with their own meaning, as data-model contexts do', () => {
    const active = ctx({ id: '@id', type: '@type', 'ngsi-ld': 'https://uri.etsi.org/ngsi-ld/', location: 'ngsi-ld:location', temp: TEMP });
    expect(active.expandTerm('location')).toBe('https://uri.etsi.org/ngsi-ld/location');
    expect(active.expandTerm('temp')).toBe(TEMP);
  });

  it('cannot be escaped through a remote context or an array', () => {
    const remote = { 'https://ctx.example/evil.jsonld': { location: 'https://evil.example/loc' } };
    expect(reasonOf(() => ctx(['https://ctx.example/evil.jsonld'], remote))).toBe('protected_term_redefined');
    expect(reasonOf(() => ctx([{ temp: TEMP }, [{ type: 'https://evil.example/t' }]]))).toBe('protected_term_redefined');
  });
});

describe('precedence across context lists', () => {
  it('lets later caller definitions win, through nested arrays and remote documents', () => {
    const remote = {
      'https://ctx.example/a.jsonld': { temp: 'https://a.example/temp', hum: 'https://a.example/hum' },
      'https://ctx.example/b.jsonld': [{ temp: 'https://b.example/temp' }, 'https://ctx.example/c.jsonld'],
      'https://ctx.example/c.jsonld': { wind: 'https://c.example/wind' },
    };
    const active = ctx(['https://ctx.example/a.jsonld', ['https://ctx.example/b.jsonld', { hum: 'https://inline.example/hum' }]], remote);
    expect(active.expandTerm('temp')).toBe('https://b.example/temp');
    expect(active.expandTerm('hum')).toBe('https://inline.example/hum');
    expect(active.expandTerm('wind')).toBe('https://c.example/wind');
    expect(active.expandTerm('location')).toBe('https://uri.etsi.org/ngsi-ld/location');
  });

  it('treats a core context URL in the list as the core, without loading anything', () => {
    const active = ctx(['https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld', { temp: TEMP }]);
    expect(active.expandTerm('temp')).toBe(TEMP);
    expect(active.expandTerm('location')).toBe('https://uri.etsi.org/ngsi-ld/location');
  });

  it('resets caller definitions on null but keeps the core', () => {
    const active = ctx([{ temp: TEMP }, null, { hum: 'https://example.org/hum' }]);
    expect(active.expandTerm('temp')).toBe(`${VOCAB}temp`);
    expect(active.expandTerm('hum')).toBe('https://example.org/hum');
    expect(active.expandTerm('location')).toBe('https://uri.etsi.org/ngsi-ld/location');
  });

  it('honours @protected in caller contexts', () => {
    expect(reasonOf(() => ctx([{ '@protected': true, temp: TEMP }, { temp: 'https://other.example/t' }]))).toBe('protected_term_redefined');
    expect(reasonOf(() => ctx([{ temp: { '@id': TEMP, '@protected': true } }, null]))).toBe('invalid_context_nullification');
    expect(ctx([{ '@protected': true, temp: TEMP }, { temp: TEMP }]).expandTerm('temp')).toBe(TEMP);
  });

  it('applies a caller @vocab to caller definitions only; undefined names fall to the core @vocab', () => {
    const active = ctx({ '@vocab': 'https://smartdatamodels.org/', temp: { '@type': 'Number' }, hum: 'humidity' });
    expect(active.expandTerm('temp')).toBe('https://smartdatamodels.org/temp');
    expect(active.expandTerm('hum')).toBe('https://smartdatamodels.org/humidity');
    expect(active.expandTerm('speed')).toBe(`${VOCAB}speed`);
  });

  it('sends a term mapped to null to the core @vocab', () => {
    const active = ctx([{ temp: TEMP }, { temp: null }]);
    expect(active.expandTerm('temp')).toBe(`${VOCAB}temp`);
  });

  it('refuses remote contexts that include themselves', () => {
    const remote = {
      'https://ctx.example/a.jsonld': ['https://ctx.example/b.jsonld'],
      'https://ctx.example/b.jsonld': ['https://ctx.example/a.jsonld'],
    };
    expect(reasonOf(() => ctx('https://ctx.example/a.jsonld', remote))).toBe('recursive_context_inclusion');
  });

  it('refuses remote contexts when no loader is given', () => {
    expect(reasonOf(() => processContext('https://ctx.example/a.jsonld', { core }))).toBe('context_not_allowed');
  });
});
