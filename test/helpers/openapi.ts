/**
 * Reading the gateway's OpenAPI document in tests: a structural check of the parts of
 * OpenAPI 3.1 the document uses, every Schema Object compiled as JSON Schema 2020-12, and
 * real answers checked against what the document declares for their status.
 */
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
const Ajv2020 = (require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).default;
const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;

export type OpenApi = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const text = { type: 'string', minLength: 1 } as const;
const schemaObject = { type: ['object', 'boolean'] } as const;
const media = {
  type: 'object',
  propertyNames: { pattern: '^[a-z]+/[a-z0-9.+-]+$' },
  additionalProperties: { type: 'object', additionalProperties: false, required: ['schema'], properties: { schema: schemaObject } },
} as const;

/** OpenAPI 3.1, as far as this document uses it; anything else it holds is an error here. */
const documentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['openapi', 'info', 'paths'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.\\d+$' },
    info: {
      type: 'object',
      additionalProperties: false,
      required: ['title', 'version'],
      properties: {
        title: text,
        version: text,
        description: text,
        // An SPDX identifier or a URL, not both.
        license: { type: 'object', required: ['name'], properties: { name: text, identifier: text, url: text }, not: { required: ['identifier', 'url'], properties: { identifier: true, url: true } } },
      },
    },
    tags: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: text, description: text } } },
    components: {
      type: 'object',
      additionalProperties: false,
      properties: {
        schemas: { type: 'object', additionalProperties: schemaObject },
        securitySchemes: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['type', 'scheme'],
            properties: { type: { const: 'http' }, scheme: text, bearerFormat: text, description: text },
          },
        },
      },
    },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        propertyNames: { enum: METHODS },
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          required: ['responses'],
          properties: {
            operationId: text,
            summary: text,
            description: text,
            tags: { type: 'array', items: text },
            security: { type: 'array', items: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } } },
            parameters: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['name', 'in', 'schema'],
                properties: { name: text, in: { enum: ['path', 'query', 'header', 'cookie'] }, required: { type: 'boolean' }, description: text, schema: schemaObject },
                // A path parameter is always required.
                if: { properties: { in: { const: 'path' } } },
                then: { required: ['required'], properties: { required: { const: true } } },
              },
            },
            requestBody: {
              type: 'object',
              additionalProperties: false,
              required: ['content'],
              properties: { required: { type: 'boolean' }, description: text, content: media },
            },
            responses: {
              type: 'object',
              minProperties: 1,
              propertyNames: { pattern: '^([1-5][0-9]{2}|[1-5]XX|default)$' },
              additionalProperties: {
                type: 'object',
                additionalProperties: false,
                required: ['description'],
                properties: {
                  description: text,
                  headers: { type: 'object', additionalProperties: { type: 'object', additionalProperties: false, required: ['schema'], properties: { schema: schemaObject, description: text } } },
                  content: media,
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

const COMPONENTS_ID = 'urn:test:openapi-components';

function newAjv() {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

/** A schema of the document, its references pointing into the components added to ajv. */
function resolvable(schema: unknown): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`)) as object;
}

export interface Operation {
  path: string;
  method: string;
  op: Record<string, any>;
}

export function operations(doc: OpenApi): Operation[] {
  return Object.entries(doc.paths as Record<string, Record<string, any>>)
    .flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
}

/**
 * Everything wrong with the document as OpenAPI 3.1, as a list (empty when it holds): its
 * shape, every Schema Object as JSON Schema 2020-12 (references resolved), path
 * parameters against path templates, security schemes, tags and operation ids.
 */
export function openApiProblems(doc: OpenApi): string[] {
  const ajv = newAjv();
  const problems: string[] = [];
  const validate: ValidateFunction = ajv.compile(documentSchema);
  if (!validate(doc)) return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  const schemas = newAjv();
  schemas.addSchema({ $id: COMPONENTS_ID, $defs: resolvable(doc.components?.schemas ?? {}) });
  const compiles = (where: string, schema: unknown): void => {
    try {
      schemas.compile(resolvable(schema));
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
    }
  };
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) compiles(`components.schemas.${name}`, schema);
  const schemes = new Set(Object.keys(doc.components?.securitySchemes ?? {}));
  const tags = new Set((doc.tags ?? []).map((t: { name: string }) => t.name));
  const ids = new Set<string>();
  for (const { path, method, op } of operations(doc)) {
    const at = `${method.toUpperCase()} ${path}`;
    const templated = [...path.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]).sort();
    const declared = (op.parameters ?? []).filter((p: { in: string }) => p.in === 'path').map((p: { name: string }) => p.name).sort();
    if (JSON.stringify(templated) !== JSON.stringify(declared)) problems.push(`${at}: path parameters ${declared.join(',')} for template ${templated.join(',')}`);
    if (op.operationId !== undefined) {
      if (ids.has(op.operationId)) problems.push(`${at}: operationId ${op.operationId} is used twice`);
      ids.add(op.operationId);
    }
    for (const tag of op.tags ?? []) if (!tags.has(tag)) problems.push(`${at}: tag ${tag} is not declared`);
    for (const req of op.security ?? []) for (const name of Object.keys(req)) if (!schemes.has(name)) problems.push(`${at}: security scheme ${name} is not declared`);
    for (const p of op.parameters ?? []) compiles(`${at} parameter ${p.name}`, p.schema);
    for (const [type, m] of Object.entries(op.requestBody?.content ?? {})) compiles(`${at} request ${type}`, (m as { schema: unknown }).schema);
    for (const [status, res] of Object.entries(op.responses as Record<string, any>)) {
      for (const [type, m] of Object.entries(res.content ?? {})) compiles(`${at} ${status} ${type}`, (m as { schema: unknown }).schema);
      for (const [name, h] of Object.entries(res.headers ?? {})) compiles(`${at} ${status} header ${name}`, (h as { schema: unknown }).schema);
    }
  }
  return problems;
}

/** Validators for the document's schemas, compiled once each. */
export function schemaChecker(doc: OpenApi): (schema: unknown) => ValidateFunction {
  const ajv = newAjv();
  ajv.addSchema({ $id: COMPONENTS_ID, $defs: resolvable(doc.components?.schemas ?? {}) });
  const compiled = new Map<unknown, ValidateFunction>();
  return (schema) => {
    const known = compiled.get(schema);
    if (known !== undefined) return known;
    const v = ajv.compile(resolvable(schema));
    compiled.set(schema, v);
    return v;
  };
}

/** The response the document declares for a status: its own, else its class (`4XX`). */
export function declaredResponse(op: Record<string, any>, status: number): Record<string, any> | undefined {
  return op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`];
}
