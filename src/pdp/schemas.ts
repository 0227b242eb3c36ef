/**
 * The decision API's schemas: the input it takes (checked by input.ts against this very
 * object) and every answer, refusals included. The OpenAPI document is built from them.
 */
import { BEARER, NO_TOKEN, refusal, withProperties } from '../openapi/index.js';
import { decisionSchema } from '../policy/index.js';
import { describedRequestSchema } from '../gateway/index.js';

export const decisionInputSchema = {
  type: 'object',
  required: ['input'],
  additionalProperties: false,
  properties: { input: { ...describedRequestSchema('path'), description: 'The request to decide, as it would arrive at the gateway; its Authorization header carries the caller\'s token.' } },
} as const;

const result = {
  description: 'The decision; or, for a request refused before any rule was looked at (no valid token, a request the gateway does not take), that refusal.',
  oneOf: [
    withProperties(decisionSchema, { allow: { type: 'boolean' } }, ['allow']),
    {
      type: 'object',
      additionalProperties: false,
      required: ['allow', 'reason', 'detail', 'status'],
      properties: {
        allow: { const: false },
        reason: { type: 'string' },
        detail: { type: 'string' },
        status: { type: 'integer', description: 'The status the request would be refused with.' },
      },
    },
  ],
};

const FAILED = refusal('The gateway could not decide (the audit log or the broker is unavailable, an internal error).');

export const decisionsSchema = {
  operationId: 'decide',
  summary: 'Decide a described request (in the style of OPA\'s data API)',
  description: 'Every outcome, refusal included, is an answer of 200 with `result.allow`; the decision is in the audit log under `decision_id`. A permit the other proxy cannot fulfil (the answer would need cutting down) is `allow: false`.',
  tags: ['decision point'],
  security: NO_TOKEN,
  body: decisionInputSchema,
  consumes: ['application/json'],
  response: {
    200: {
      description: 'The decision.',
      type: 'object',
      additionalProperties: false,
      required: ['decision_id', 'result'],
      properties: { decision_id: { type: 'string' }, result },
    },
    400: refusal('The input does not hold (the detail names where), or is not JSON.'),
    413: refusal('The body is larger than limits.bodyBytes.'),
    415: refusal('The body is not JSON.'),
    '5XX': FAILED,
  },
};

export const extAuthzSchema = {
  summary: 'Envoy ext_authz: decide the original request',
  description: 'Envoy sends the original method, path (after this prefix), headers and body. 200 allows the request; any other answer is the refusal Envoy returns to the client. A permit that needs the answer cut down is refused: only the mimtrust gateway filters answers.',
  tags: ['decision point'],
  security: BEARER,
  params: { type: 'object', properties: { path: { type: 'string', description: 'The original request path and query, every segment of it.' } } },
  response: {
    200: {
      description: 'Allowed.',
      type: 'null',
      headers: { 'x-mimtrust-decision-id': { type: 'string', description: 'The decision, as the audit log names it.' } },
    },
    400: refusal('The original request is malformed.'),
    401: refusal('The original request carries no valid access token.'),
    403: refusal('The original request is not permitted.'),
    '4XX': refusal('Any other refusal of the original request, as the gateway would answer it.'),
    '5XX': FAILED,
  },
};
