/** The dry-run request body, checked against one JSON schema (ajv) and read into typed input. */
import { createRequire } from 'node:module';
import { MimtrustError } from '../errors/index.js';

export interface DryRunInput {
  request: { method: string; url: string; headers: Record<string, string>; body?: unknown };
  caller: { sub?: string; clientId?: string; roles: string[]; purpose?: string; tenants?: string[] };
}

const strings = { type: 'array', items: { type: 'string' } } as const;

const SCHEMA = {
  type: 'object',
  required: ['request', 'caller'],
  additionalProperties: false,
  properties: {
    request: {
      type: 'object',
      required: ['method', 'url'],
      additionalProperties: false,
      properties: {
        method: { type: 'string', minLength: 1, maxLength: 16 },
        url: { type: 'string', pattern: '^/', maxLength: 8192 },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        body: {},
      },
    },
    caller: {
      type: 'object',
      additionalProperties: false,
      properties: {
        roles: strings,
        sub: { type: 'string' },
        clientId: { type: 'string' },
        purpose: { type: 'string' },
        tenants: strings,
      },
    },
  },
} as const;

const require = createRequire(import.meta.url);
const Ajv = (require('ajv') as typeof import('ajv')).default;
const validate = new Ajv({ allErrors: false, strict: true }).compile<Raw>(SCHEMA);

interface Raw {
  request: { method: string; url: string; headers?: Record<string, string>; body?: unknown };
  caller: { roles?: string[]; sub?: string; clientId?: string; purpose?: string; tenants?: string[] };
}

export function readDryRun(body: unknown): DryRunInput {
  if (!validate(body)) {
    const e = validate.errors?.[0];
    // The schema path, not the caller's value, so nothing of the input is echoed.
    const where = e ? `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}` : 'is invalid';
    throw new MimtrustError('BAD_REQUEST', `Invalid dry-run request: ${where}.`, { reason: 'invalid_body' });
  }
  const b = body;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(b.request.headers ?? {})) headers[k.toLowerCase()] = v;
  const c = b.caller;
  return {
    request: { method: b.request.method.toUpperCase(), url: b.request.url, headers, ...(b.request.body !== undefined ? { body: b.request.body } : {}) },
    caller: {
      roles: c.roles ?? [],
      ...(c.sub !== undefined ? { sub: c.sub } : {}),
      ...(c.clientId !== undefined ? { clientId: c.clientId } : {}),
      ...(c.purpose !== undefined ? { purpose: c.purpose } : {}),
      ...(c.tenants !== undefined ? { tenants: c.tenants } : {}),
    },
  };
}
