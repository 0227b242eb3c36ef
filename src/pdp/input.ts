/** The JSON decision API's input: `{"input": {method, path, headers, body}}`. */
import { bodyValidator, rawOf } from '../gateway/index.js';
import type { RawRequest } from '../ngsi/index.js';
import { decisionInputSchema } from './schemas.js';

interface Input {
  input: { method: string; path: string; headers?: Record<string, string>; body?: unknown };
}

const read = bodyValidator<Input>(decisionInputSchema, 'decision input');

/** The request the caller describes, as if it had arrived at the gateway. */
export function readDecisionInput(body: unknown): { raw: RawRequest; body: unknown } {
  const { input } = read(body);
  return { raw: rawOf({ ...input, target: input.path }), body: input.body };
}
