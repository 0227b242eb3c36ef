/** The JSON decision API's input: `{"input": {method, path, headers, body}}`. */
import { bodyValidator, describedRequestSchema, rawOf } from '../gateway/index.js';
import type { RawRequest } from '../ngsi/index.js';

interface Input {
  input: { method: string; path: string; headers?: Record<string, string>; body?: unknown };
}

const read = bodyValidator<Input>({
  type: 'object',
  required: ['input'],
  additionalProperties: false,
  properties: { input: describedRequestSchema('path') },
}, 'decision input');

/** The request the caller describes, as if it had arrived at the gateway. */
export function readDecisionInput(body: unknown): { raw: RawRequest; body: unknown } {
  const { input } = read(body);
  return { raw: rawOf({ ...input, target: input.path }), body: input.body };
}
