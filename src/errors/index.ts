/** Typed errors with stable codes: one base for every error raised on purpose, and the HTTP ones rendered as NGSI-LD ProblemDetails. */
export { CodedError, isCodedError } from './coded.js';
export { MimtrustError, PROBLEMS, toProblem, asMimtrustError, problemTypeUri } from './problem.js';
export type { ProblemDetails, ProblemCode, ProblemSpec } from './problem.js';
export { sharedStateUnavailable, sharedStateFull } from './shared-state.js';
