/**
 * The closed vocabulary of the ODRL profile for NGSI-LD. Every term may be written three
 * ways: bare (`entityType`), compact with its prefix (`ngsi:entityType`, `odrl:purpose`)
 * or as the full IRI. Anything else is outside the profile and refused at load.
 */
import type { Action } from '../ngsi/types.js';

export const NS = {
  ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#',
  odrl: 'http://www.w3.org/ns/odrl/2/',
  dpv: 'https://w3id.org/dpv#',
} as const;

export const PROFILE_IRI = 'https://mimtrust.org/ns/odrl-ngsi-ld';
export const ODRL_CONTEXT = 'http://www.w3.org/ns/odrl.jsonld';

type Prefix = keyof typeof NS;

/** Builds the spelling -> canonical-name lookup for one group of terms. */
function vocabulary<T extends string>(terms: ReadonlyArray<readonly [T, Prefix]>): ReadonlyMap<string, T> {
  const map = new Map<string, T>();
  for (const [name, prefix] of terms) {
    map.set(name, name);
    map.set(`${prefix}:${name}`, name);
    map.set(NS[prefix] + name, name);
  }
  return map;
}

/** The actions of the profile. `use` is the ODRL parent action of all of them. */
export type ContractAction = 'read' | 'readTemporal' | 'subscribe' | 'create' | 'modify' | 'delete';
export const CONTRACT_ACTIONS: readonly ContractAction[] = ['read', 'readTemporal', 'subscribe', 'create', 'modify', 'delete'];
export const ACTION_TERMS = vocabulary<ContractAction | 'use'>([
  ...CONTRACT_ACTIONS.map((a) => [a, 'ngsi'] as const),
  ['use', 'odrl'],
]);

export function isContractAction(action: Action): action is ContractAction {
  return (CONTRACT_ACTIONS as readonly string[]).includes(action);
}

export type TargetOperand = 'entityType' | 'entityId' | 'attribute' | 'tenant';
export const TARGET_OPERANDS = vocabulary<TargetOperand>([
  ['entityType', 'ngsi'], ['entityId', 'ngsi'], ['attribute', 'ngsi'], ['tenant', 'ngsi'],
]);

export type PartyOperand = 'role';
export const PARTY_OPERANDS = vocabulary<PartyOperand>([['role', 'ngsi']]);

export type ConstraintOperand = 'dateTime' | 'purpose' | 'recipient' | 'role' | 'count' | 'elapsedTime' | 'spatial';
export const CONSTRAINT_OPERANDS = vocabulary<ConstraintOperand>([
  ['dateTime', 'odrl'], ['purpose', 'odrl'], ['recipient', 'odrl'], ['role', 'ngsi'],
  ['count', 'odrl'], ['elapsedTime', 'odrl'], ['spatial', 'odrl'],
]);

export type Operator = 'eq' | 'neq' | 'lt' | 'lteq' | 'gt' | 'gteq' | 'isA' | 'isAnyOf' | 'isNoneOf' | 'matches' | 'within' | 'exactly';
export const OPERATORS = vocabulary<Operator>([
  ['eq', 'odrl'], ['neq', 'odrl'], ['lt', 'odrl'], ['lteq', 'odrl'], ['gt', 'odrl'], ['gteq', 'odrl'],
  ['isA', 'odrl'], ['isAnyOf', 'odrl'], ['isNoneOf', 'odrl'], ['matches', 'ngsi'], ['within', 'ngsi'], ['exactly', 'ngsi'],
]);

export type LogicalOperator = 'and' | 'or' | 'xone';
export const LOGICAL_OPERATORS = vocabulary<LogicalOperator>([['and', 'odrl'], ['or', 'odrl'], ['xone', 'odrl']]);

export type DutyAction = 'log' | 'obtainConsent';
export const DUTY_ACTIONS = vocabulary<DutyAction>([['log', 'ngsi'], ['obtainConsent', 'ngsi']]);

export type PolicyType = 'Set' | 'Offer' | 'Agreement';
export const POLICY_TYPES = vocabulary<PolicyType>([['Set', 'odrl'], ['Offer', 'odrl'], ['Agreement', 'odrl']]);

/** Extra keys of the profile that sit on contracts, rules and constraints. */
export const PROFILE_KEYS = vocabulary<'context' | 'validFrom' | 'period' | 'countScope' | 'dataSubject'>([
  ['context', 'ngsi'], ['validFrom', 'ngsi'], ['period', 'ngsi'], ['countScope', 'ngsi'], ['dataSubject', 'ngsi'],
]);

/** The tenant refinement value that names the default tenant (no NGSILD-Tenant header). */
export { DEFAULT_TENANT_DOMAIN as DEFAULT_TENANT } from '../ngsi/tenant.js';
