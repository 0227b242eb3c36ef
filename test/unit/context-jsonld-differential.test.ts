/**
 * Differential test: mimtrust's name expansion (src/context/) against a JSON-LD 1.1
 * processor (`jsonld`), both served only the vendored contexts and the caller contexts
 * written below; nothing is fetched. NGSI-LD applies the core context underneath and on
 * top of the caller's, so the processor gets `[core, ...caller, core]`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsonld from 'jsonld';
import type { RemoteDocument } from 'jsonld/jsonld-spec.js';
import { describe, expect, it } from 'vitest';
import {
  builtinCoreContext, coreOnlyContext, CORE_CONTEXT_TERMS, loadCoreContextFile, processContext,
} from '../../src/context/index.js';
import type { ActiveContext, CoreContext } from '../../src/context/index.js';
import { NGSI_LD_CONTEXTS } from '../helpers/shared.js';

const coreUrl = (v: string): string => `https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v${v}.jsonld`;
const ADDITIONS_URL = 'https://mimtrust.test/contexts/core-additions-v1.6-v1.9.jsonld';
const vendored = (file: string): unknown => JSON.parse(readFileSync(join(NGSI_LD_CONTEXTS, file), 'utf8'));

/** Caller contexts reachable by URL, for both sides. */
const CALLER_DOCS: Record<string, { '@context': unknown }> = {
  'https://city.test/ctx/parking.jsonld': {
    '@context': {
      park: 'https://smartdatamodels.org/dataModel.Parking/',
      OffStreetParking: 'park:OffStreetParking',
      availableSpotNumber: 'park:availableSpotNumber',
      totalSpotNumber: { '@id': 'park:totalSpotNumber', '@type': 'xsd:integer' },
    },
  },
  'https://city.test/ctx/nested.jsonld': {
    '@context': ['https://city.test/ctx/parking.jsonld', { occupancy: 'park:occupancy', refDevice: { '@id': 'https://city.test/refDevice', '@type': '@id' } }],
  },
  'https://city.test/ctx/loop-a.jsonld': { '@context': ['https://city.test/ctx/loop-b.jsonld'] },
  'https://city.test/ctx/loop-b.jsonld': { '@context': ['https://city.test/ctx/loop-a.jsonld'] },
};

const SERVED: Record<string, unknown> = {
  [coreUrl('1.3')]: vendored('ngsi-ld-core-context-v1.3.jsonld'),
  [coreUrl('1.4')]: vendored('ngsi-ld-core-context-v1.4.jsonld'),
  [ADDITIONS_URL]: vendored('core-additions-v1.6-v1.9.jsonld'),
  ...CALLER_DOCS,
};

const documentLoader = async (url: string): Promise<RemoteDocument> => {
  const document = SERVED[url];
  if (document === undefined) throw new Error(`not served in this test: ${url}`);
  return { contextUrl: undefined, documentUrl: url, document: document as RemoteDocument['document'] };
};

const callerLoader = (url: string): unknown => {
  const doc = CALLER_DOCS[url];
  if (doc === undefined) throw new Error(`not served in this test: ${url}`);
  return doc['@context'];
};

const PROBE = 'urn:test:probe';

/**
 * The IRI the JSON-LD processor gives `name` as a key under `context`, or `null` when it
 * drops the key. A fixed absolute-IRI key keeps the node from being dropped as empty.
 */
async function processorIri(context: unknown[], name: string): Promise<string | null> {
  const doc = { '@context': context, [PROBE]: 'p', [name]: 'urn:test:value' };
  const [node] = await jsonld.expand(doc as jsonld.JsonLdDocument, { documentLoader });
  const keys = Object.keys(node ?? {}).filter((k) => k !== PROBE);
  expect(keys.length).toBeLessThanOrEqual(1);
  return keys[0] ?? null;
}

/** Names no core term defines: default vocab, compact IRIs with core prefixes, absolute IRIs. */
const UNDEFINED_NAMES = [
  'temperature', 'OffStreetParking', 'refDevice', 'ngsi-ld:somethingNew', 'geojson:Feature', 'geojson:other',
  'https://example.org/attr', 'urn:ngsi-ld:thing', 'http://purl.org/dc/terms/title', 'a.b', 'dash-name', 'name_1',
];

async function expectSameExpansion(active: ActiveContext, context: unknown[], names: readonly string[]): Promise<void> {
  const mismatches: Array<{ name: string; mimtrust: string; processor: string | null }> = [];
  for (const name of names) {
    const mine = active.expandTerm(name);
    const theirs = await processorIri(context, name);
    if (mine !== theirs) mismatches.push({ name, mimtrust: mine, processor: theirs });
  }
  expect(mismatches).toEqual([]);
}

const termsOf = (ctx: Record<string, unknown>): string[] => Object.keys(ctx).filter((t) => !t.startsWith('@'));
const officialTerms = (v: string): string[] =>
  termsOf((vendored(`ngsi-ld-core-context-v${v}.jsonld`) as { '@context': Record<string, unknown> })['@context']);

describe('name expansion agrees with a JSON-LD processor', () => {
  const builtin = builtinCoreContext();

  for (const version of ['1.3', '1.4']) {
    it(`for every term of the official v${version} core, loaded from the vendored file`, async () => {
      const core = await loadCoreContextFile(join(NGSI_LD_CONTEXTS, `ngsi-ld-core-context-v${version}.jsonld`));
      const names = [...officialTerms(version), ...UNDEFINED_NAMES];
      expect(names.length).toBeGreaterThan(100);
      await expectSameExpansion(coreOnlyContext(core), [coreUrl(version)], names);
    });
  }

  it('for every term of the built-in table (v1.4 with the v1.6 to v1.9 additions)', async () => {
    const names = [...termsOf(CORE_CONTEXT_TERMS), 'ngsi-ld', 'geojson', ...UNDEFINED_NAMES];
    await expectSameExpansion(coreOnlyContext(builtin), [coreUrl('1.4'), ADDITIONS_URL], names);
  });

  describe('with caller contexts over the built-in core', () => {
    const core: CoreContext = builtin;
    const processor = (caller: unknown[]): unknown[] => [coreUrl('1.4'), ADDITIONS_URL, ...caller, coreUrl('1.4'), ADDITIONS_URL];
    const cases: Array<{ name: string; caller: unknown[]; names: string[] }> = [
      {
        name: 'aliases, caller prefixes and compact IRIs',
        caller: [{ ex: 'https://example.org/ns#', temp: 'https://example.org/temperature', speed: 'ex:speed', 'ex:same': 'ex:same' }],
        names: ['temp', 'speed', 'ex:speed', 'ex:unknown', 'ex:same', 'ex', 'temperature', 'location', 'value'],
      },
      {
        name: 'caller terms built on core prefixes and core terms repeated unchanged',
        caller: [{ temp2: 'ngsi-ld:temperature', feature: 'geojson:Feature', location: 'ngsi-ld:location', observedAt: { '@id': 'ngsi-ld:observedAt', '@type': 'DateTime' } }],
        names: ['temp2', 'feature', 'location', 'observedAt', 'ngsi-ld:location'],
      },
      {
        name: 'a caller @vocab for its own definitions; undefined names still go to the core @vocab',
        caller: [{ '@vocab': 'https://example.org/v/', speed: 'speedKmh', kind: { '@id': 'category' } }],
        names: ['speed', 'kind', 'brandName', 'Vehicle'],
      },
      {
        name: 'remote caller contexts including remote contexts',
        caller: ['https://city.test/ctx/nested.jsonld', { extra: 'https://example.org/extra' }],
        names: ['OffStreetParking', 'availableSpotNumber', 'totalSpotNumber', 'occupancy', 'refDevice', 'park:anything', 'extra', 'name'],
      },
      {
        name: 'later caller definitions replacing earlier ones, and null resetting the caller layer',
        caller: [{ a: 'https://example.org/a1', b: 'https://example.org/b' }, { a: 'https://example.org/a2' }, null, { c: 'https://example.org/c' }],
        names: ['a', 'b', 'c'],
      },
      {
        name: 'the core context URL named by the caller',
        caller: [coreUrl('1.4'), { speed: 'https://example.org/speed' }],
        names: ['speed', 'location', 'Property'],
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const active = processContext(c.caller, { core, load: callerLoader });
        await expectSameExpansion(active, processor(c.caller), c.names);
      });
    }

    const refusals: Array<{ name: string; caller: unknown[] }> = [
      { name: 'a protected caller term redefined', caller: [{ '@protected': true, t: 'https://example.org/t1' }, { t: 'https://example.org/t2' }] },
      { name: 'a remote context including itself', caller: ['https://city.test/ctx/loop-a.jsonld'] },
      { name: 'a term definition that is not a string or object', caller: [{ t: 5 }] },
      { name: 'a compact-IRI-shaped term mapped to another IRI', caller: [{ ex: 'https://example.org/', 'ex:t': 'https://example.org/other' }] },
      { name: 'a cyclic IRI mapping', caller: [{ a: 'b:x', b: 'a:y', t: 'a:t' }] },
    ];
    for (const r of refusals) {
      it(`refuses what the processor refuses: ${r.name}`, async () => {
        const probe = jsonld.expand({ '@context': processor(r.caller), [PROBE]: 'p', t: 'x' } as jsonld.JsonLdDocument, { documentLoader });
        await expect(probe).rejects.toThrow();
        expect(() => processContext(r.caller, { core, load: callerLoader }).expandTerm('t')).toThrow();
      });
    }
  });

  it('expands every attribute and type of a normalized entity as the processor does', async () => {
    const caller = ['https://city.test/ctx/parking.jsonld', { name: 'https://schema.org/name', ex: 'https://example.org/' }];
    const entity = {
      id: 'urn:ngsi-ld:OffStreetParking:1',
      type: 'OffStreetParking',
      name: { type: 'Property', value: 'Downtown' },
      availableSpotNumber: {
        type: 'Property', value: 121, observedAt: '2026-01-01T00:00:00Z', unitCode: 'C62',
        reliability: { type: 'Property', value: 0.7, 'ex:method': { type: 'Property', value: 'camera' } },
      },
      refDevice: { type: 'Relationship', object: 'urn:ngsi-ld:Device:7', datasetId: 'urn:ngsi-ld:Dataset:a' },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [-8.5, 41.2] } },
      'ex:free': { type: 'Property', value: { street: 'Rua A', number: 3 } },
      'https://example.org/absolute': { type: 'Property', value: true },
    };
    const active = processContext(caller, { core: builtin, load: callerLoader });
    const [expanded] = await jsonld.expand(
      { '@context': [coreUrl('1.4'), ADDITIONS_URL, ...caller, coreUrl('1.4'), ADDITIONS_URL], ...entity },
      { documentLoader },
    );
    const compared = compareNode(active, entity, expanded as Record<string, unknown>);
    expect(compared.mismatches).toEqual([]);
    expect(compared.names).toBeGreaterThan(25);
  });
});

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Walks a compacted node and its expanded form side by side, checking every key and type name. */
function compareNode(active: ActiveContext, compacted: Node, expanded: Node): { mismatches: string[]; names: number } {
  const mismatches: string[] = [];
  let names = 0;
  for (const [key, value] of Object.entries(compacted)) {
    names += 1;
    const iri = active.expandTerm(key);
    if (iri === '@id') continue;
    if (iri === '@type') {
      names += 1;
      const types = expanded['@type'];
      if (!Array.isArray(types) || !types.includes(active.expandTerm(String(value)))) mismatches.push(`type ${String(value)} -> ${active.expandTerm(String(value))}`);
      continue;
    }
    const values = expanded[iri];
    if (!Array.isArray(values)) {
      mismatches.push(`${key} -> ${iri} (processor keys: ${Object.keys(expanded).join(', ')})`);
      continue;
    }
    const inner: unknown = values[0];
    if (isNode(value) && isNode(inner) && !('@value' in inner) && !('@list' in inner)) {
      const sub = compareNode(active, value, inner);
      mismatches.push(...sub.mismatches);
      names += sub.names;
    }
  }
  return { mismatches, names };
}
