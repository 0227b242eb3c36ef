/**
 * The policy decision point: `decide()` answers permit or deny for one request, with the
 * obligations the enforcement point must fulfil, from roles (casbin) and data contracts,
 * without I/O. `decideContracts()` is its contract layer, which decides each entity type
 * on the permissions that cover it (grants.ts), areas included; permissions needing the
 * data subject's consent permit under a per-entity obligation (consent.ts), from the
 * caller's consents passed in. `explain()` answers "who sees what": per entity type and
 * action, what decide() permits a caller, on which conditions and by which rules
 * (explain.ts, as JSON in explain-json.ts).
 */
export type {
  Subject, PolicyRequest, AttributeScope, Obligations, RuleRef, Decision, Culprit, Considered, ConsentGrant, ConsentType, ConsentObligation,
} from './types.js';
export { consentInForce, consentReaches, consentServes, coveringConsents } from './consent.js';
export { RoleChecker, RolePolicyError, parseRoleCsv, grantedRoles, DEFAULT_TENANT_DOMAIN, ADMIN_ACTIONS } from './roles.js';
export type { AdminAction, RoleCheckerOptions } from './roles.js';
export { decide, decidedByContracts, governedByContracts } from './decision.js';
export type { DecisionInput, DecisionSnapshot } from './decision.js';
export { decideContracts } from './decide.js';
export type { DecideState } from './decide.js';
export { DPV, PURPOSES, purposeIri, purposeAncestors, purposeWithin } from '../contracts/purposes.js';
export { FULL_SCOPE, EMPTY_SCOPE, scopePermits, isFullScope, unionScope, intersectScope, withoutScope } from './scope.js';
export { decisionJson } from './describe.js';
export { decisionSchema, ruleRefSchema } from './decision-schema.js';
export { counterKey, counterSubject, counterWindowEnd } from './counter-key.js';
export { needsFiltering, shownBy, boundedByArea, typeBoundedByArea, attributesRead, consentNarrowing, consentHistorySpan, QUOTABLE_SUBJECT, LOCATION_IRI } from './obligations.js';
export type { ConsentNarrowing } from './obligations.js';
export { explain, describeConstraint } from './explain.js';
export type { ExplainCaller, ExplainOptions, Explanation, ExplainRow, ExplainCell, Condition, RuleNote } from './explain.js';
export { explanationJson, attributesJson, OTHER_TYPES_NAME } from './explain-json.js';
export type { Compactor, AttributesJson, RuleShown } from './explain-json.js';
