/**
 * The ProblemDetails document as a JSON schema, built from the one table of error codes
 * (errors/problem.ts), so a new code is in the description the moment it can be sent.
 */
import { PROBLEMS, problemTypeUri } from '../errors/index.js';

export const PROBLEM_DETAILS_ID = 'ProblemDetails';

const specs = Object.values(PROBLEMS);
const ruleRef = {
  type: 'object',
  required: ['contract', 'rule'],
  properties: { contract: { type: 'string' }, rule: { type: 'string' } },
} as const;

export const problemDetailsSchema = {
  $id: PROBLEM_DETAILS_ID,
  type: 'object',
  description: 'An NGSI-LD ProblemDetails document (RFC 9457). `code` is stable; `detail` is written by mimtrust and never quotes the request. Refusals may add extension members, which clients ignore when they do not know them.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', enum: [...new Set(specs.map(problemTypeUri))] },
    title: { type: 'string' },
    status: { type: 'integer', enum: [...new Set(specs.map((s) => s.status))].sort((a, b) => a - b) },
    detail: { type: 'string' },
    code: { type: 'string', enum: Object.keys(PROBLEMS) },
    instance: { type: 'string' },
    requestId: { type: 'string', description: 'The request, as its audit record names it.' },
    decisionId: { type: 'string', description: 'The decision, as its audit record names it.' },
    reason: { type: 'string', description: 'Why a decision refused (docs/errors.md lists every reason).' },
    attribute: { type: 'string', description: 'The attribute the refusal turned on, as the caller named it.' },
    entityType: { type: 'string', description: 'The entity type the refusal turned on, as the caller named it.' },
    parameter: { type: 'string', description: 'The request parameter whose filter read the attribute.' },
    rules: { type: 'array', items: ruleRef, description: 'The contract rules that refused.' },
    unmet: {
      type: 'array',
      description: 'Each rule addressed to the caller, with the kind of its first condition not met.',
      items: { type: 'object', required: ['contract', 'rule', 'constraint'], properties: { ...ruleRef.properties, constraint: { type: 'string' } } },
    },
  },
} as const;

/** A refusal a route answers with: a ProblemDetails document, with what it means there. */
export function refusal(description: string) {
  return { description, $ref: `${PROBLEM_DETAILS_ID}#` } as const;
}
