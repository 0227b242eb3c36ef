/** The policy decision point: roles (casbin) and data contracts, decided without I/O. */
export type { Subject, PolicyRequest, AttributeScope, Obligations, RuleRef, Decision } from './types.js';
export { RoleChecker, RolePolicyError, parseRoleCsv, DEFAULT_TENANT_DOMAIN } from './roles.js';
