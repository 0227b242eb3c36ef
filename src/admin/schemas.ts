/**
 * The admin routes' schemas: the bodies they take (checked by the stages, admin-request.ts
 * and dry-run.ts, against these very objects) and every answer they give, refusals
 * included. The OpenAPI document is built from them (openapi/).
 */
import { TRUSTED_ISSUER_SCHEMA } from '../config/index.js';
import { BEARER, refusal, withProperties } from '../openapi/index.js';
import { decisionSchema, ruleRefSchema } from '../policy/index.js';
import { describedRequestSchema } from '../gateway/index.js';

const strings = { type: 'array', items: { type: 'string' } } as const;

/** A contract document as a route takes it; the contract rules check the rest and name what is wrong. */
export const contractDocumentSchema = {
  type: 'object',
  description: 'A usage contract: an ODRL 2.2 policy (JSON-LD) in the mimtrust NGSI-LD profile (docs/contracts.md), with its `uid`.',
} as const;

const party = { type: 'string', minLength: 1, maxLength: 1024 } as const;

export const dryRunBodySchema = {
  type: 'object',
  required: ['request', 'caller'],
  additionalProperties: false,
  properties: {
    request: describedRequestSchema('url'),
    caller: {
      type: 'object',
      additionalProperties: false,
      description: 'What a verified token (and a declared recipient) would say about the caller.',
      properties: {
        roles: strings,
        issuer: { type: 'string', description: 'The name contracts use for the caller\'s issuer; default: the first of the city\'s own.' },
        sub: party,
        clientId: party,
        organisation: party,
        purpose: { type: 'string' },
        recipient: party,
        tenants: strings,
      },
    },
    now: { type: 'string', maxLength: 64, description: 'The decision\'s clock, an ISO 8601 date-time with a time zone; default: now.' },
  },
} as const;

const contractSummary = {
  type: 'object',
  additionalProperties: false,
  required: ['uid', 'provider', 'source', 'type', 'tenants', 'status', 'permissions', 'prohibitions'],
  properties: {
    uid: { type: 'string' },
    provider: { type: ['string', 'null'], description: 'The provider whose namespace holds it; null for the operator\'s.' },
    source: { type: 'string', description: 'The file it was read from, or `api:` for one made through this API.' },
    type: { enum: ['Set', 'Offer', 'Agreement'] },
    tenants: { type: ['array', 'null'], items: { type: 'string' }, description: 'The tenants it applies in; null: every tenant.' },
    status: { enum: ['enabled', 'disabled'] },
    disabled: {
      type: 'object',
      additionalProperties: false,
      required: ['reason', 'prohibitions'],
      description: 'Why it is disabled: its permissions grant nothing, its prohibitions still deny.',
      properties: { reason: { const: 'context_unavailable' }, prohibitions: { enum: ['cached', 'widened'] } },
    },
    permissions: { ...strings, description: 'The uids of its permissions in force.' },
    prohibitions: { ...strings, description: 'The uids of its prohibitions in force.' },
    descriptions: { type: 'object', additionalProperties: { type: 'string' }, description: 'The authors\' description of each rule, by rule uid.' },
  },
} as const;

const providerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'owns', 'contracts'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    owns: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['tenant', 'type', 'idPatterns'],
        properties: {
          tenant: { type: 'string' },
          type: { type: 'string', description: 'An entity type, expanded.' },
          idPatterns: { type: ['array', 'null'], items: { type: 'string' }, description: 'The entity ids it owns; null: all of the type.' },
        },
      },
    },
    contracts: { type: 'integer', minimum: 0, description: 'How many contracts it has in force.' },
  },
} as const;

const documentReport = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'state'],
  properties: {
    source: { type: 'string' },
    state: { enum: ['enabled', 'previous', 'stored-copy', 'disabled', 'absent'] },
    uid: { type: 'string', description: 'The uid in force from the document.' },
    problem: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message'],
      description: 'Why it is not in force as written; the message names the file and position, never its content.',
      properties: { code: { type: 'string' }, message: { type: 'string' }, line: { type: 'integer' }, column: { type: 'integer' } },
    },
    retryInMs: { type: 'integer', description: 'Its context is unavailable: tried again in this many ms.' },
    recovered: { type: 'boolean' },
  },
} as const;

const ofRequest = {
  operation: { type: 'string', description: 'The NGSI-LD operation the described request is.' },
  action: { type: 'string' },
  tenant: { type: ['string', 'null'] },
  now: { type: 'string', format: 'date-time', description: 'The clock it was decided at.' },
};

const dryRunResult = {
  description: 'The decision, with every rule looked at; or, for a request refused before any rule was looked at, that refusal.',
  oneOf: [
    withProperties(decisionSchema, ofRequest, ['now']),
    {
      type: 'object',
      additionalProperties: false,
      required: ['effect', 'reason', 'detail', 'status', 'rules', 'now'],
      properties: {
        effect: { const: 'deny' },
        reason: { type: 'string' },
        detail: { type: 'string' },
        status: { type: 'integer', description: 'The status the request would be refused with.' },
        rules: { type: 'array', items: ruleRefSchema },
        ...ofRequest,
      },
    },
  ],
};

const PATH_PARAMS = {
  uid: { type: 'string', description: 'The contract uid, percent-encoded.' },
  provider: { type: 'string', description: 'A configured provider id.' },
  did: { type: 'string', description: 'The issuer\'s DID (did:key or did:web), percent-encoded.' },
};

/** Refusals every admin route can give. */
const REFUSALS = {
  400: refusal('The request is malformed (a repeated Authorization header, a body where none is taken, a body that does not hold).'),
  401: refusal('No valid access token.'),
  403: refusal('No role of the caller allows this.'),
  '5XX': refusal('The gateway could not do it (the audit log is unavailable, an internal error).'),
};
const BODY_REFUSALS = {
  413: refusal('The body is larger than limits.bodyBytes.'),
  415: refusal('The body is not JSON.'),
};
const CONTRACT_REFUSALS = {
  ...BODY_REFUSALS,
  400: refusal('The document is not a contract of the profile (the detail names the rule and what is wrong), or its uid differs from the path.'),
  503: refusal('A JSON-LD @context the contract names is not available.'),
};
const NOT_FOUND = { 404: refusal('No such provider or contract.') };

/** One problem of a checked document, as `mimtrust contracts validate --json` prints it (docs/contracts.md#checking-contracts). */
const contractProblem = {
  type: 'object',
  additionalProperties: false,
  required: ['file', 'line', 'column', 'severity', 'code', 'message'],
  properties: {
    file: { type: 'string', description: '`request`: the document sent.' },
    line: { type: 'integer', minimum: 1, description: 'Where the value at fault starts in the body as sent (1 for the document as a whole).' },
    column: { type: 'integer', minimum: 1 },
    severity: { enum: ['error', 'warning'] },
    code: { type: 'string', description: 'ERR_CONTRACT_…: stable, match on it.' },
    message: { type: 'string' },
    suggestion: { type: 'string', description: 'The name probably meant, or what to change.' },
  },
} as const;

const validation = {
  description: 'Every problem of the document; nothing is stored.',
  type: 'object',
  additionalProperties: false,
  required: ['valid', 'errors', 'warnings'],
  properties: {
    valid: { type: 'boolean', description: 'No errors (warnings allowed): the contract would be taken.' },
    errors: { type: 'array', items: contractProblem },
    warnings: { type: 'array', items: contractProblem, description: 'Names that resolve to nothing known.' },
    contract: { ...contractSummary, description: 'What it would be, when valid.' },
  },
} as const;

export interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  body?: object;
  responses: Record<string, unknown>;
}

/** The schema of the route at `url`: its path parameters, body and every answer. */
export function routeSchema(url: string, op: Operation) {
  const params = [...url.matchAll(/:(\w+)/g)].map((m) => m[1] as keyof typeof PATH_PARAMS);
  return {
    operationId: op.operationId,
    summary: op.summary,
    tags: op.tags,
    security: BEARER,
    ...(params.length > 0
      ? { params: { type: 'object', required: params, properties: Object.fromEntries(params.map((p) => [p, PATH_PARAMS[p]])) } }
      : {}),
    ...(op.body ? { body: op.body, consumes: ['application/json', 'application/ld+json'] } : {}),
    response: { ...REFUSALS, ...(op.body ? BODY_REFUSALS : {}), ...op.responses },
  };
}

const summaries = (description: string) => ({ description, type: 'array', items: contractSummary });
const created = { description: 'Created.', ...contractSummary, headers: { location: { type: 'string', description: 'Where the contract is.' } } };

/** The contract operations of one namespace: the operator's (`''`) or a provider's (`Provider`). */
export function contractOperations(ns: '' | 'Provider'): Record<'list' | 'create' | 'validate' | 'retrieve' | 'replace' | 'remove', Operation> {
  const tags = ['contracts'];
  const ofNs = ns === '' ? {} : NOT_FOUND;
  return {
    list: { operationId: `list${ns}Contracts`, summary: ns === '' ? 'Every contract the caller may see' : 'The provider\'s API contracts', tags, responses: { 200: summaries('The contracts.'), ...ofNs } },
    create: { operationId: `create${ns}Contract`, summary: 'Make a contract', tags, body: contractDocumentSchema, responses: { ...CONTRACT_REFUSALS, 201: created, 409: refusal('A contract with this uid is in the namespace.'), ...ofNs } },
    validate: { operationId: `validate${ns}Contract`, summary: 'Check a contract document without changing anything: every error and warning at its line and column', tags, body: contractDocumentSchema, responses: { 400: refusal('The body is not a JSON object.'), 200: validation, ...ofNs } },
    retrieve: { operationId: `get${ns}Contract`, summary: 'A contract, with its document when made through the API', tags, responses: { 200: { description: 'The contract.', ...withProperties(contractSummary, { document: { type: 'object', description: 'The document as stored.' } }) }, ...NOT_FOUND } },
    replace: { operationId: `replace${ns}Contract`, summary: 'Replace (or make) the contract of this uid', tags, body: contractDocumentSchema, responses: { ...CONTRACT_REFUSALS, 200: { description: 'Replaced.', ...contractSummary }, 201: created, 409: refusal('The uid is taken by a contract file.'), ...ofNs } },
    remove: { operationId: `delete${ns}Contract`, summary: 'Delete a contract made through the API', tags, responses: { 204: { description: 'Deleted.', type: 'null' }, 400: refusal('The contract is a file\'s: it is deleted by deleting its file.'), ...NOT_FOUND } },
  };
}

const dateOrNull = { type: ['string', 'null'], pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T', description: 'A date and time (RFC 3339); null: no bound.' } as const;
const trustedIssuerProperties = {
  did: TRUSTED_ISSUER_SCHEMA.properties.did,
  credentialTypes: TRUSTED_ISSUER_SCHEMA.properties.credentialTypes,
  roles: TRUSTED_ISSUER_SCHEMA.properties.roles,
  validFrom: dateOrNull,
  validUntil: dateOrNull,
} as const;
/** An entry of the trusted issuers list as the operator puts it: the configuration's shape, the DID from the path. */
export const trustedIssuerBody = { type: 'object', additionalProperties: false, required: ['credentialTypes', 'roles'], properties: trustedIssuerProperties } as const;
const trustedIssuer = {
  type: 'object',
  additionalProperties: false,
  required: ['did', 'credentialTypes', 'roles', 'validFrom', 'validUntil', 'source'],
  properties: { ...trustedIssuerProperties, source: { enum: ['config', 'admin'], description: 'config: from the configuration, changed only there; admin: put through this API.' } },
} as const;
const TRUSTED_NOT_FOUND = { 404: refusal('No trusted issuer has this DID.') };
const CONFIGURED = { 409: refusal('The issuer is on the configured list: only the configuration changes it.') };
export const trustedIssuerOperations: Record<'list' | 'retrieve' | 'put' | 'remove', Operation> = {
  list: { operationId: 'listTrustedIssuers', summary: 'Who may vouch for organisations logging in with a Verifiable Presentation', tags: ['trusted issuers'], responses: { 200: { description: 'The trusted issuers.', type: 'array', items: trustedIssuer } } },
  retrieve: { operationId: 'getTrustedIssuer', summary: 'A trusted issuer', tags: ['trusted issuers'], responses: { 200: { description: 'The trusted issuer.', ...trustedIssuer }, ...TRUSTED_NOT_FOUND } },
  put: {
    operationId: 'putTrustedIssuer', summary: 'Trust (or trust differently) an issuer', tags: ['trusted issuers'], body: trustedIssuerBody,
    responses: {
      ...BODY_REFUSALS, ...CONFIGURED,
      400: refusal('The path names no did:key or did:web, or the body does not hold.'),
      200: { description: 'Replaced.', ...trustedIssuer },
      201: { description: 'Added.', ...trustedIssuer, headers: { location: { type: 'string', description: 'Where the entry is.' } } },
    },
  },
  remove: { operationId: 'deleteTrustedIssuer', summary: 'Stop trusting an issuer the operator added', tags: ['trusted issuers'], responses: { 204: { description: 'Removed.', type: 'null' }, ...TRUSTED_NOT_FOUND, ...CONFIGURED } },
};

export const listProvidersOperation: Operation = { operationId: 'listProviders', summary: 'The configured providers', tags: ['providers'], responses: { 200: { description: 'The providers.', type: 'array', items: providerSchema } } };
export const getProviderOperation: Operation = { operationId: 'getProvider', summary: 'A provider: what it owns, how many contracts it has', tags: ['providers'], responses: { 200: { description: 'The provider.', ...providerSchema }, ...NOT_FOUND } };
export const documentsOperation: Operation = { operationId: 'listContractDocuments', summary: 'Every contract document and what is in force from it', tags: ['contracts'], responses: { 200: { description: 'The documents.', type: 'array', items: documentReport } } };
export const dryRunOperation: Operation = { operationId: 'dryRun', summary: 'What the gateway would decide for a described request, and why', tags: ['dry run'], body: dryRunBodySchema, responses: { 200: dryRunResult, 400: refusal('The described request or caller does not hold, or names an issuer that is not trusted.') } };

export const explainBodySchema = {
  type: 'object',
  required: ['caller'],
  additionalProperties: false,
  properties: {
    caller: {
      type: 'object',
      additionalProperties: false,
      description: 'What a verified token (and a declared recipient) would say about the caller.',
      properties: {
        roles: { type: 'array', maxItems: 64, items: { type: 'string', minLength: 1, maxLength: 256 } },
        issuer: { type: 'string', maxLength: 256, description: 'The name contracts use for the caller\'s issuer; default: the first of the city\'s own.' },
        sub: party,
        clientId: party,
        organisation: party,
        purpose: { type: 'string', maxLength: 1024 },
        recipient: party,
      },
    },
    tenant: { type: 'string', pattern: '^(@default|[A-Za-z0-9_-]{1,64})$', description: 'The tenant explained; default: the default tenant.' },
    at: { type: 'string', maxLength: 64, description: 'The moment explained, an ISO 8601 date-time with a time zone; default: now.' },
    context: { description: 'A JSON-LD @context (URL, object or list) whose terms name types and attributes in the answer; default: the core context.' },
  },
} as const;

const attributesJson = {
  description: '`all`, every attribute but some, or the attributes permitted (empty on a deny).',
  oneOf: [
    { const: 'all' },
    { type: 'object', additionalProperties: false, required: ['allExcept'], properties: { allExcept: strings } },
    strings,
  ],
};

const ruleNote = {
  type: 'object',
  additionalProperties: false,
  description: 'A rule behind the cell; `{ hidden: true }` for one outside the provider\'s namespace.',
  properties: {
    hidden: { const: true },
    contract: { type: 'string' },
    rule: { type: 'string' },
    index: { type: 'integer', description: 'Its position among the contract\'s permissions (or prohibitions), from 0.' },
    provider: { type: 'string' },
    description: { type: 'string' },
    constraints: { ...strings, description: 'Its constraints, one line each.' },
    outcome: { type: 'string', description: 'In notApplied: why it does not apply (tenant, entity_ids, consent, constraint:<kind>).' },
  },
};

const condition = {
  type: 'object',
  required: ['kind'],
  description: 'What the permit depends on besides the caller: an area, a count, entity ids, a consent.',
  properties: {
    kind: { enum: ['within', 'count', 'entityIds', 'consent'] },
    areas: { type: 'array', items: { type: 'object' } },
    rules: { type: 'array', items: ruleNote },
    rule: ruleNote,
    max: { type: 'integer' },
    period: { type: 'string' },
    scope: { type: 'string' },
    ids: { type: ['array', 'null'], items: { type: 'string' } },
    pattern: { type: ['string', 'null'] },
    attributes: attributesJson,
  },
};

const explainCell = {
  type: 'object',
  additionalProperties: false,
  required: ['effect', 'reason', 'attributes', 'conditions', 'duties', 'rules', 'prohibitions', 'notApplied'],
  properties: {
    effect: { enum: ['permit', 'deny'] },
    reason: { type: 'string' },
    attributes: attributesJson,
    wholeEntity: { type: 'boolean', description: 'modify, delete: whether the whole entity may be replaced or deleted.' },
    conditions: { type: 'array', items: condition },
    duties: strings,
    rules: { type: 'array', items: ruleNote },
    prohibitions: { type: 'array', items: ruleNote },
    notApplied: { type: 'array', items: ruleNote },
  },
};

const explanation = {
  description: 'Per entity type, per action: what the caller may see or change, on which conditions, by which rules (docs/who-sees-what.md).',
  type: 'object',
  additionalProperties: false,
  required: ['at', 'tenant', 'types'],
  properties: {
    at: { type: 'string', format: 'date-time' },
    tenant: { type: ['string', 'null'] },
    contractRevision: { type: 'integer' },
    types: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'name', 'actions'],
        properties: {
          type: { type: ['string', 'null'], description: 'The expanded type; null for every type no contract names.' },
          name: { type: 'string' },
          actions: { type: 'object', additionalProperties: explainCell },
        },
      },
    },
  },
};

/** Who sees what, in the operator's namespace (`''`) or a provider's (`Provider`). */
export function explainOperation(ns: '' | 'Provider'): Operation {
  return {
    operationId: `explain${ns}Contracts`,
    summary: ns === '' ? 'Who sees what: what a described caller may see or change per entity type' : 'Who sees what, for the types the provider owns',
    tags: ['dry run'],
    body: explainBodySchema,
    responses: { 200: explanation, 400: refusal('The caller, tenant, time or context does not hold, or names an issuer that is not trusted.'), ...(ns === '' ? {} : NOT_FOUND) },
  };
}
