/** The JSON decision API's input, checked against one JSON schema (ajv). */
import { createRequire } from 'node:module';
import { MimtrustError } from '../errors/index.js';
import type { RawRequest } from '../ngsi/index.js';

const require = createRequire(import.meta.url);
const Ajv = (require('ajv') as typeof import('ajv')).default;

const SCHEMA = {
  type: 'object',
  required: ['input'],
  additionalProperties: false,
  properties: {
    input: {
      type: 'object',
      required: ['method', 'path'],
      additionalProperties: false,
      properties: {
        method: { type: 'string', minLength: 1, maxLength: 16 },
        path: { type: 'string', pattern: '^/', maxLength: 8192 },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        body: {},
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: false, strict: true }).compile<Input>(SCHEMA);

interface Input {
  input: { method: string; path: string; headers?: Record<string, string>; body?: unknown };
}

/** The request the caller describes, as if it had arrived at the gateway. */
export function readDecisionInput(body: unknown): { raw: RawRequest; body: unknown } {
  if (!validate(body)) {
    const e = validate.errors?.[0];
    // The schema path, not the caller's value, so nothing of the input is echoed.
    const where = e ? `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}` : 'is invalid';
    throw new MimtrustError('BAD_REQUEST', `Invalid decision input: ${where}.`, { reason: 'invalid_body' });
  }
  const { input } = body;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = v;
  return { raw: { method: input.method.toUpperCase(), url: input.path, headers }, body: input.body };
}
