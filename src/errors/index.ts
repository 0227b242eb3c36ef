/** Typed errors with stable codes, rendered as NGSI-LD ProblemDetails. */
export { MimtrustError, PROBLEMS, toProblem, asMimtrustError, problemTypeUri } from './problem.js';
export type { ProblemDetails, ProblemCode, ProblemSpec } from './problem.js';
