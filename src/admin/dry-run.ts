/** The dry-run request body, checked against one JSON schema (ajv) and read into typed input. */
import { bodyValidator, describedRequestSchema, rawOf } from '../gateway/index.js';

export interface DryRunInput {
  request: { method: string; url: string; headers: Record<string, string>; body?: unknown };
  /** `issuer` is the name contracts use for the caller's issuer. */
  caller: { issuer?: string; sub?: string; clientId?: string; roles: string[]; purpose?: string; tenants?: string[] };
}

const strings = { type: 'array', items: { type: 'string' } } as const;

interface Raw {
  request: { method: string; url: string; headers?: Record<string, string>; body?: unknown };
  caller: { roles?: string[]; issuer?: string; sub?: string; clientId?: string; purpose?: string; tenants?: string[] };
}

const read = bodyValidator<Raw>({
  type: 'object',
  required: ['request', 'caller'],
  additionalProperties: false,
  properties: {
    request: describedRequestSchema('url'),
    caller: {
      type: 'object',
      additionalProperties: false,
      properties: {
        roles: strings,
        issuer: { type: 'string' },
        sub: { type: 'string' },
        clientId: { type: 'string' },
        purpose: { type: 'string' },
        tenants: strings,
      },
    },
  },
}, 'dry-run request');

export function readDryRun(body: unknown): DryRunInput {
  const b = read(body);
  const raw = rawOf({ ...b.request, target: b.request.url });
  const c = b.caller;
  return {
    request: { method: raw.method, url: raw.url, headers: raw.headers as Record<string, string>, ...(b.request.body !== undefined ? { body: b.request.body } : {}) },
    caller: {
      roles: c.roles ?? [],
      ...(c.issuer !== undefined ? { issuer: c.issuer } : {}),
      ...(c.sub !== undefined ? { sub: c.sub } : {}),
      ...(c.clientId !== undefined ? { clientId: c.clientId } : {}),
      ...(c.purpose !== undefined ? { purpose: c.purpose } : {}),
      ...(c.tenants !== undefined ? { tenants: c.tenants } : {}),
    },
  };
}
