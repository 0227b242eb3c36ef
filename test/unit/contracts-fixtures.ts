/** Builders for contract documents and policy requests used by the contract and decide tests. */
import { compileContracts, defaultExpander, type PolicySnapshot } from '../../src/contracts/index.js';
import type { PolicyRequest } from '../../src/policy/types.js';

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

export function snapshot(...docs: Array<Record<string, unknown>>): PolicySnapshot {
  return compileContracts(docs.map((d, i) => ({ source: `test-${i}.jsonld`, doc: d, expand: defaultExpander })));
}

export const NOW = Date.parse('2026-03-10T12:00:00Z');

export function request(over: Partial<PolicyRequest> = {}): PolicyRequest {
  return {
    action: 'read',
    operation: 'entity.query',
    tenant: undefined,
    subject: { clientId: 'app-1', sub: 'app-1', roles: [] },
    entityIds: [],
    idPatterns: [],
    types: [],
    attrs: [],
    filterReads: [],
    typeUnknown: false,
    now: NOW,
    ...over,
  };
}
