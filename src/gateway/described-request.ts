/**
 * A request described in a JSON body rather than sent (the admin dry run, the decision
 * API): one JSON schema for its parts, checked with ajv, read into the raw request the
 * stages take. Refusals name the schema path, never the caller's value.
 */
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { MimtrustError } from '../errors/index.js';
import type { RawRequest } from '../ngsi/index.js';

const require = createRequire(import.meta.url);
const Ajv = (require('ajv') as typeof import('ajv')).default;
const ajv = new Ajv({ allErrors: false, strict: true });

/** The schema of a described request whose target is under `pathKey` (`url` or `path`). */
export function describedRequestSchema<K extends string>(pathKey: K) {
  return {
    type: 'object',
    required: ['method', pathKey],
    additionalProperties: false,
    properties: {
      method: { type: 'string', minLength: 1, maxLength: 16 },
      [pathKey]: { type: 'string', pattern: '^/', maxLength: 8192 },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      body: {},
    },
  } as const;
}

export interface DescribedRequest {
  method: string;
  target: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A validator for a whole body; `what` names it in the 400 ("dry-run request", "decision input"). */
export function bodyValidator<T>(schema: object, what: string): (body: unknown) => T {
  const validate: ValidateFunction<T> = ajv.compile<T>(schema);
  return (body) => {
    if (validate(body)) return body;
    const e = validate.errors?.[0];
    const where = e ? `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}` : 'is invalid';
    throw new MimtrustError('BAD_REQUEST', `Invalid ${what}: ${where}.`, { reason: 'invalid_body' });
  };
}

/** The raw request the stages take, header names in lower case as Node gives them. */
export function rawOf(d: DescribedRequest): RawRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.headers ?? {})) headers[k.toLowerCase()] = v;
  return { method: d.method.toUpperCase(), url: d.target, headers };
}
