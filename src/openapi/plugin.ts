/**
 * Serves the OpenAPI 3.1 document at `/openapi.json`, built by @fastify/swagger from the
 * schemas of the routes registered after it. Routes without a tag (the NGSI-LD proxy, the
 * notification relay, health) are left out. Reading it needs no token: it holds no data.
 */
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { problemDetailsSchema } from './problem-schema.js';

export const OPENAPI_PATH = '/openapi.json';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

const DESCRIPTION = [
  'The admin API (usage contracts, data providers, dry runs), the citizen consent API and the decision API (a JSON decision endpoint and an Envoy ext_authz service) of mimtrust, a trust gateway in front of an NGSI-LD context broker.',
  '',
  'The NGSI-LD API the gateway proxies (/ngsi-ld/v1/...) is not described here: it is the broker\'s API (ETSI GS CIM 009), with the same paths, parameters and answers, less what a decision removes.',
  '',
  'Every refusal is a ProblemDetails document; its `code` and `reason` are listed in docs/errors.md.',
].join('\n');

export interface DescribeOptions {
  /** Headers on every response (security headers). */
  headers: Readonly<Record<string, string>>;
}

/** Registers the document's builder and its route; call before the described routes are registered. */
export async function describeApi(app: FastifyInstance, opts: DescribeOptions): Promise<void> {
  app.addSchema(problemDetailsSchema);
  await app.register(swagger, {
    mode: 'dynamic',
    hideUntagged: true,
    openapi: {
      openapi: '3.1.0',
      info: { title: 'mimtrust', version, description: DESCRIPTION, license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
      tags: [
        { name: 'contracts', description: 'Usage contracts: the operator\'s, and each data provider\'s in its own namespace.' },
        { name: 'providers', description: 'The configured data providers, read-only.' },
        { name: 'trusted issuers', description: 'Who may vouch for organisations logging in to the issuer with a Verifiable Presentation.' },
        { name: 'dry run', description: 'What the gateway would decide for a described request, and why.' },
        { name: 'consents', description: 'A person\'s own consent records: seen, given, withdrawn and exported with their own token.' },
        { name: 'decision point', description: 'Decisions for other proxies (Envoy, APISIX, Kong), recorded in the audit log.' },
        { name: 'credentials', description: 'The city\'s DID, its status lists, and the VC-API: verification for anyone, issuing for the operator.' },
      ],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'An access token (RFC 9068 JWT) from a trusted issuer; the admin API needs a role granting manageContracts.',
          },
        },
      },
    },
    // Shared schemas keep their own name in components/schemas.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  let document: string | undefined;
  app.get(OPENAPI_PATH, async (_req, reply) => {
    // Built once the routes are all in: they do not change while the gateway runs.
    document ??= JSON.stringify(app.swagger());
    return reply.headers(opts.headers).header('cache-control', 'no-cache').type('application/json').send(document);
  });
}
