/** Builders for contract documents and policy requests used by the contract and decide tests. */
import { compileContracts, defaultExpander, partyNames, type PolicySnapshot } from '../../src/contracts/index.js';
import type { PolicyRequest, Subject } from '../../src/policy/types.js';

export const CTX = ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#', dpv: 'https://w3id.org/dpv#' }];
export const PROFILE = 'https://mimtrust.org/ns/odrl-ngsi-ld';
export const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
export const DPV = 'https://w3id.org/dpv#';

export function doc(uid: string, body: Record<string, unknown>): Record<string, unknown> {
  return { '@context': CTX, '@type': 'Set', uid, profile: PROFILE, ...body };
}

/** A target refining the entity type (short names, expanded with the default @vocab) and more. */
export function target(types: string | string[] | null, ...more: Array<Record<string, unknown>>): Record<string, unknown> {
  const refinement: Array<Record<string, unknown>> = [];
  if (types !== null) {
    refinement.push(Array.isArray(types)
      ? { leftOperand: 'ngsi:entityType', operator: 'isAnyOf', rightOperand: types }
      : { leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: types });
  }
  return { '@type': 'AssetCollection', refinement: [...refinement, ...more] };
}

export const attrsAnyOf = (...a: string[]) => ({ leftOperand: 'ngsi:attribute', operator: 'isAnyOf', rightOperand: a });
export const attrsNoneOf = (...a: string[]) => ({ leftOperand: 'ngsi:attribute', operator: 'isNoneOf', rightOperand: a });
export const role = (...r: string[]) => ({ '@type': 'PartyCollection', refinement: [{ leftOperand: 'ngsi:role', operator: 'isAnyOf', rightOperand: r }] });

export const LOCAL_ISS = 'urn:mimtrust:local-issuer';
export const CITY_ISS = 'https://idp.city.example';
export const PARTNER_ISS = 'https://idp.partner.example';

/** The trusted issuers of the unit tests: the local one, the city's identity service, a partner's. */
export const PARTIES = partyNames([
  { name: 'local', issuer: LOCAL_ISS, cityOwn: true },
  { name: 'city-idp', issuer: CITY_ISS, cityOwn: true },
  { name: 'partner-idp', issuer: PARTNER_ISS, cityOwn: false },
]);

export function snapshot(...docs: Array<Record<string, unknown>>): PolicySnapshot {
  return compileContracts(docs.map((d, i) => ({ source: `test-${i}.jsonld`, doc: d, expand: defaultExpander })), PARTIES);
}

export const NOW = Date.parse('2026-03-10T12:00:00Z');

/** Request fields to change; a subject without an issuer is one of the local issuer's. */
export type RequestOver = Omit<Partial<PolicyRequest>, 'subject'> & { subject?: Omit<Subject, 'issuer'> & { issuer?: string } };

export function request(over: RequestOver = {}): PolicyRequest {
  const { subject, ...rest } = over;
  return {
    action: 'read',
    operation: 'entity.query',
    tenant: undefined,
    subject: { issuer: LOCAL_ISS, ...(subject ?? { clientId: 'app-1', sub: 'app-1', roles: [] }) },
    entityIds: [],
    idPatterns: [],
    types: [],
    attrs: [],
    filterReads: [],
    typeUnknown: false,
    now: NOW,
    ...rest,
  };
}
