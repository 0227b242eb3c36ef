/**
 * Usage contracts in numbers, for measuring how the gateway's cost grows with them: many
 * providers, entity types, roles, purposes, attribute lists and constraints, after the
 * Smart Data Models a city publishes. The benchmark caller (role `viewer`, no purpose,
 * reading one ParkingSpot by id) is addressed by one rule in twenty, as a widely held role
 * is; almost all of those ask for a purpose it does not declare, so they are looked at and
 * do not apply. One contract in 2,500 (the first included) grants it that ParkingSpot
 * outright, refined by entity id like fixtures/contracts-full, so the response is passed
 * unfiltered whatever the number of contracts.
 */

const CONTEXT = ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#', dpv: 'https://w3id.org/dpv#' }];
const PROFILE = 'https://mimtrust.org/ns/odrl-ngsi-ld';

const TYPES = ['ParkingSpot', 'OffStreetParking', 'AirQualityObserved', 'WaterQualityObserved', 'Streetlight', 'WasteContainer', 'TrafficFlowObserved', 'EnergyMeter', 'BikeHireDockingStation', 'Vehicle', 'NoiseLevelObserved', 'WeatherObserved'];
const ATTRIBUTES = ['status', 'location', 'name', 'description', 'address', 'dateObserved', 'areaServed', 'refDevice', 'owner', 'category', 'occupancyModified', 'temperature', 'NO2', 'PM10', 'intensity', 'fillingLevel'];
/** `viewer` is one role in twenty: the share of rules that reach the benchmark caller. */
const ROLES = ['viewer', ...Array.from({ length: 19 }, (_, i) => `department-${i + 1}`)];
const PURPOSES = ['dpv:ServiceProvision', 'dpv:ResearchAndDevelopment', 'dpv:PublicBenefit', 'dpv:ServiceOptimisation', 'dpv:CommercialResearch', 'dpv:Personalisation'];
const ACTIONS = [['ngsi:read'], ['ngsi:read', 'ngsi:readTemporal'], ['ngsi:read', 'ngsi:subscribe'], ['ngsi:readTemporal']];
const PROVIDERS = 40;
const MATCHING_EVERY = 2500;

const pick = (list, i) => list[i % list.length];
const attributes = (i) => [pick(ATTRIBUTES, i), pick(ATTRIBUTES, i * 7 + 3), pick(ATTRIBUTES, i * 13 + 5)].filter((a, k, all) => all.indexOf(a) === k);

/** The one kind of contract that lets the benchmark caller read the benchmark entity, whole. */
function matching(i, uid) {
  return {
    '@context': CONTEXT, '@type': 'Set', uid, profile: PROFILE,
    title: `Provider ${i % PROVIDERS}: viewers read the parking spots of Santander`,
    permission: [{
      uid: `${uid}:read`,
      target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityId', operator: 'ngsi:matches', rightOperand: 'urn:ngsi-ld:ParkingSpot:santander:[^ ]+' }] },
      assignee: { '@type': 'PartyCollection', refinement: [{ leftOperand: 'ngsi:role', operator: 'eq', rightOperand: 'viewer' }] },
      action: 'ngsi:read',
    }],
  };
}

/** Contract number i of a set (uids are distinct for distinct i). */
export function growthContract(i) {
  const uid = `urn:mimtrust:bench:growth:${i}`;
  if (i % MATCHING_EVERY === 0) return matching(i, uid);
  const type = pick(TYPES, i);
  const role = pick(ROLES, i);
  const assignee = i % 3 === 0
    ? [`app-${i % 500}`, { '@type': 'PartyCollection', refinement: [{ leftOperand: 'ngsi:role', operator: 'eq', rightOperand: role }] }]
    : { '@type': 'PartyCollection', refinement: [{ leftOperand: 'ngsi:role', operator: 'eq', rightOperand: role }] };
  const refinement = [
    { leftOperand: 'ngsi:entityType', operator: i % 4 === 0 ? 'isAnyOf' : 'eq', rightOperand: i % 4 === 0 ? [type, pick(TYPES, i + 5)] : type },
    { leftOperand: 'ngsi:attribute', operator: i % 2 ? 'isAnyOf' : 'isNoneOf', rightOperand: attributes(i) },
  ];
  const constraint = [
    { leftOperand: 'purpose', operator: 'isA', rightOperand: pick(PURPOSES, i) },
    { leftOperand: 'dateTime', operator: 'lt', rightOperand: `${2030 + (i % 5)}-01-01T00:00:00Z` },
  ];
  if (i % 5 === 0) constraint.push({ leftOperand: 'count', operator: 'lteq', rightOperand: 100000 + i, 'ngsi:period': 'PT1H' });
  return {
    '@context': CONTEXT, '@type': 'Set', uid, profile: PROFILE,
    title: `Provider ${i % PROVIDERS}: ${pick(ROLES, i)} reads ${type} for ${pick(PURPOSES, i)}`,
    permission: [{ uid: `${uid}:use`, target: { '@type': 'AssetCollection', refinement }, assignee, action: pick(ACTIONS, i), constraint }],
    // Prohibitions only for purposes the caller never declares: looked at, never applying.
    prohibition: i % 20 === 1
      ? [{ uid: `${uid}:no-marketing`, target: { '@type': 'AssetCollection', refinement: [refinement[0]] }, assignee, action: 'ngsi:read', constraint: [{ leftOperand: 'purpose', operator: 'isA', rightOperand: 'dpv:Marketing' }] }]
      : [],
  };
}

/** How many of the first n contracts grant the benchmark read. */
export const matchingContracts = (n) => Math.ceil(n / MATCHING_EVERY);
