/** The policy decision point: roles (casbin) and data contracts, decided without I/O. */
export type { Subject, PolicyRequest, AttributeScope, Obligations, RuleRef, Decision } from './types.js';
export { RoleChecker, RolePolicyError, parseRoleCsv, DEFAULT_TENANT_DOMAIN, ADMIN_ACTIONS } from './roles.js';
export type { AdminAction } from './roles.js';
export { decide } from './decide.js';
export type { DecideState } from './decide.js';
export { DPV, PURPOSES, purposeIri, purposeAncestors, purposeWithin } from './purposes.js';
export { FULL_SCOPE, EMPTY_SCOPE, scopePermits, isFullScope, unionScope, intersectScope, withoutScope } from './scope.js';
