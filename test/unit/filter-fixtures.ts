/**
 * Shared data for the response filter tests: an expander built from the official NGSI-LD
 * core context (v1.4) plus a small user context with aliases, views, and one ParkingSpot in
 * every representation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NGSI_LD_CONTEXTS } from '../helpers/shared.js';
import type { AttributeScope } from '../../src/policy/types.js';
import type { TermExpander, View } from '../../src/filter/index.js';
import { compileArea, type Area } from '../../src/geo/index.js';

export const NGSI_LD = 'https://uri.etsi.org/ngsi-ld/';
export const DEFAULT_VOCAB = `${NGSI_LD}default-context/`;
const SDM = 'https://smartdatamodels.org/dataModel.Parking/';

export const IRI = {
  ParkingSpot: `${SDM}ParkingSpot`,
  Sensor: 'https://smartdatamodels.org/dataModel.Device/Sensor',
  Vehicle: `${DEFAULT_VOCAB}Vehicle`,
  status: `${SDM}status`,
  name: 'https://schema.org/name',
  owner: 'https://schema.org/owner',
  temperature: `${DEFAULT_VOCAB}temperature`,
  battery: `${DEFAULT_VOCAB}battery`,
  location: `${NGSI_LD}location`,
  scope: `${NGSI_LD}scope`,
} as const;

const coreContext = JSON.parse(
  readFileSync(join(NGSI_LD_CONTEXTS, 'ngsi-ld-core-context-v1.4.jsonld'), 'utf8'),
) as { '@context': Record<string, string | { '@id': string }> };

const PREFIXES: Record<string, string> = {
  'ngsi-ld': NGSI_LD,
  geojson: 'https://purl.org/geojson/vocab#',
  schema: 'https://schema.org/',
  sdm: SDM,
};

/** Terms of the core context, resolved to IRIs. */
const CORE_TERMS = new Map<string, string>();
for (const [term, def] of Object.entries(coreContext['@context'])) {
  const id = typeof def === 'string' ? def : def['@id'];
  if (id.startsWith('@')) continue;
  CORE_TERMS.set(term, expandCurie(id));
}

/** Core terms added after v1.4 (v1.5+ contexts define them under the ngsi-ld prefix). */
for (const term of ['scope', 'LanguageProperty', 'ListProperty', 'ListRelationship', 'VocabProperty', 'JsonProperty']) {
  CORE_TERMS.set(term, NGSI_LD + term);
}

/** The caller's context: terms and aliases (`nombre` and `name` are the same IRI). */
const USER_TERMS = new Map<string, string>([
  ['ParkingSpot', IRI.ParkingSpot],
  ['Sensor', IRI.Sensor],
  ['status', IRI.status],
  ['name', IRI.name],
  ['nombre', IRI.name],
  ['owner', IRI.owner],
]);

function expandCurie(term: string): string {
  const colon = term.indexOf(':');
  if (colon < 0) return DEFAULT_VOCAB + term;
  const prefix = PREFIXES[term.slice(0, colon)];
  const rest = term.slice(colon + 1);
  return prefix !== undefined && !rest.startsWith('//') ? prefix + rest : term;
}

/** Counts calls so tests can see the filter expands through the caller's expander. */
export function makeExpander(): TermExpander & { calls: number } {
  const cache = new Map<string, string>();
  const expand = ((term: string): string => {
    expand.calls++;
    let iri = cache.get(term);
    if (iri === undefined) {
      iri = USER_TERMS.get(term) ?? CORE_TERMS.get(term) ?? expandCurie(term);
      cache.set(term, iri);
    }
    return iri;
  }) as TermExpander & { calls: number };
  expand.calls = 0;
  return expand;
}

export const only = (...attrs: string[]): AttributeScope => ({ kind: 'only', attrs: new Set(attrs) });
export const allExcept = (...attrs: string[]): AttributeScope => ({ kind: 'all', except: new Set(attrs) });
export const viewOf = (entries: Array<[string, AttributeScope]>): View => new Map(entries);

export const POINT_IN = { type: 'Point', coordinates: [2.5, 2.5] };
export const POINT_OUT = { type: 'Point', coordinates: [12, 12] };
/** The permitted area used by the spatial tests: the square (0,0)-(10,10). */
export const AREA_GEOJSON = { type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]] };

/** An area as a contract compiles it; a test that passes an invalid one fails here. */
export function areaOf(geometry: unknown): Area {
  const compiled = compileArea(geometry);
  if ('problem' in compiled) throw new Error(compiled.problem);
  return compiled.area;
}

export const AREA = areaOf(AREA_GEOJSON);
/** The default geometry size limit (`limits.maxGeometryPoints`). */
export const MAX_POINTS = 10_000;
/** A response filter's geometry size limit. */
export const LIMIT = { maxGeometryPoints: MAX_POINTS };
/** Every type of the view shown only within the square (the decision's `within`). */
export const allIn = (view: View): { within: Map<string, Area[]> } => ({ within: new Map([...view.keys()].map((t) => [t, [AREA]])) });

/** The same ParkingSpot in each representation. */
export function parkingSpot(location: object = POINT_IN) {
  return {
    normalized: {
      id: 'urn:ngsi-ld:ParkingSpot:1',
      type: 'ParkingSpot',
      status: { type: 'Property', value: 'free', observedAt: '2024-05-01T10:00:00Z', reliability: { type: 'Property', value: 0.9 } },
      location: { type: 'GeoProperty', value: location },
      name: { type: 'LanguageProperty', languageMap: { en: 'Spot 1', es: 'Plaza 1' } },
      owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:alice' },
      createdAt: '2024-01-01T00:00:00Z',
      modifiedAt: '2024-05-01T10:00:00Z',
    },
    concise: {
      id: 'urn:ngsi-ld:ParkingSpot:1',
      type: 'ParkingSpot',
      status: { value: 'free', observedAt: '2024-05-01T10:00:00Z', reliability: 0.9 },
      location,
      name: { languageMap: { en: 'Spot 1', es: 'Plaza 1' } },
      owner: { object: 'urn:ngsi-ld:Person:alice' },
    },
    keyValues: {
      id: 'urn:ngsi-ld:ParkingSpot:1',
      type: 'ParkingSpot',
      status: 'free',
      location,
      name: { en: 'Spot 1', es: 'Plaza 1' },
      owner: 'urn:ngsi-ld:Person:alice',
    },
  };
}

/** Deep copy for checking that filtering leaves its input untouched. */
export const snapshot = <T>(value: T): T => structuredClone(value);
