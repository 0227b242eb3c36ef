/**
 * A decision as `decisionJson()` writes it, as a JSON schema: what the admin dry run and
 * the decision API answer with, described once for both.
 */
const strings = { type: 'array', items: { type: 'string' } } as const;

export const ruleRefSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['contract', 'rule'],
  properties: {
    contract: { type: 'string', description: 'The contract: its uid, or `<provider>/<uid>` for a provider\'s.' },
    rule: { type: 'string' },
    provider: { type: 'string' },
  },
} as const;

const scope = {
  description: 'The attributes shown: all but some, or only some (expanded IRIs).',
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['all', 'except'], properties: { all: { const: true }, except: strings } },
    { type: 'object', additionalProperties: false, required: ['only'], properties: { only: strings } },
  ],
} as const;

const perType = (of: object, description: string) => ({ type: 'object', description, additionalProperties: of }) as const;
const geometries = { type: 'array', items: { type: 'object', description: 'A GeoJSON geometry.' } } as const;

const obligationsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['counters', 'auditLevel'],
  properties: {
    counters: { ...strings, description: 'Count constraints this request counts against.' },
    auditLevel: { enum: ['normal', 'detailed'] },
    view: perType(scope, 'Per entity type, the attributes the caller may see.'),
    otherTypes: scope,
    excludeTypes: { ...strings, description: 'Entity types removed from the answer.' },
    forbidTypes: perType(scope, 'Per entity type, what an entity of it must not hold to be shown.'),
    within: perType(geometries, 'Per entity type, the areas its entities must lie in to be shown.'),
    otherTypesWithin: geometries,
  },
} as const;

export const decisionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['decisionId', 'effect', 'reason', 'detail', 'rules', 'obligations'],
  properties: {
    decisionId: { type: 'string' },
    effect: { enum: ['permit', 'deny'] },
    reason: { type: 'string', description: 'Stable reason code (docs/errors.md).' },
    detail: { type: 'string' },
    rules: { type: 'array', items: ruleRefSchema, description: 'The rules that decided: the permitting ones, or the prohibition.' },
    obligations: obligationsSchema,
    culprit: {
      type: 'object',
      additionalProperties: false,
      description: 'On a deny, what in the request it turned on.',
      properties: {
        attribute: { type: 'string' },
        type: { type: 'string' },
        parameter: { type: 'string' },
        unmet: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, required: ['rule', 'constraint'], properties: { rule: ruleRefSchema, constraint: { type: 'string' } } },
        },
      },
    },
    considered: {
      type: 'array',
      description: 'Every rule looked at, and what became of it (dry run).',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'kind', 'outcome'],
        properties: { rule: ruleRefSchema, kind: { enum: ['permission', 'prohibition'] }, outcome: { type: 'string' } },
      },
    },
  },
} as const;

