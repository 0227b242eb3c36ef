import type { FromSchema } from 'json-schema-to-ts';

/**
 * The name contracts give an issuer (`@name/party`): lowercase letters, digits and inner
 * hyphens, at most 63 characters, so it can never contain the `/` that ends the prefix.
 */
export const ISSUER_NAME_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';

/**
 * A provider id: it names a namespace of contract uids (`<provider>/<uid>`) and a role
 * grant (`manageContracts:<provider>`), so it holds neither `/`, `:` nor upper case.
 */
export const PROVIDER_ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';

/**
 * The one configuration schema. Every key has a default that works on a fresh machine
 * (embedded SQLite, generated keys, self-signed TLS); unknown keys are errors so that a
 * typo never silently falls back to a default.
 */
/** One entry of the trusted issuers list (`credentials.trustedIssuers`, and the admin API's /admin/trusted-issuers). */
export const TRUSTED_ISSUER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['did', 'credentialTypes', 'roles'],
  properties: {
    did: { type: 'string', pattern: '^did:(key|web):[^#?\\s]+$' },
    credentialTypes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1, not: { const: 'VerifiableCredential' } } },
    roles: {
      type: 'array',
      minItems: 1,
      description: 'A credential subject whose `claim` is `value` (or a list holding it) gets `roles`; a credential that matches none is refused.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['claim', 'value', 'roles'],
        properties: {
          claim: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', not: { enum: ['id', 'type', '@context'] } },
          value: { type: 'string', minLength: 1 },
          roles: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        },
      },
    },
    validFrom: { type: ['string', 'null'], format: 'date-time', default: null },
    validUntil: { type: ['string', 'null'], format: 'date-time', default: null },
  },
} as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    listen: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        host: { type: 'string', minLength: 1, default: '127.0.0.1' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8443 },
      },
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        cert: { type: ['string', 'null'], default: null },
        key: { type: ['string', 'null'], default: null },
        clientCa: { type: ['string', 'null'], default: null },
        requireClientCert: { type: 'boolean', default: false },
        minVersion: { enum: ['TLSv1.2', 'TLSv1.3'], default: 'TLSv1.2' },
        hostnames: { type: 'array', items: { type: 'string', minLength: 1 }, default: ['localhost', '127.0.0.1'] },
      },
    },
    upstream: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        url: { type: 'string', format: 'uri', pattern: '^https?://', default: 'http://127.0.0.1:1026' },
        basePath: { type: 'string', pattern: '^/[^?#]*[^/?#]$', default: '/ngsi-ld/v1' },
        connectTimeoutMs: { type: 'integer', minimum: 1, default: 1000 },
        responseTimeoutMs: { type: 'integer', minimum: 1, default: 10000 },
        connections: { type: 'integer', minimum: 1, maximum: 4096, default: 128 },
        forwardAuthorization: { type: 'boolean', default: false },
        caFile: { type: ['string', 'null'], default: null },
        maxResponseBytes: { type: 'integer', minimum: 1024, default: 33554432 },
        auth: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            header: {
              type: ['object', 'null'],
              additionalProperties: false,
              default: null,
              required: ['name'],
              properties: {
                name: { type: 'string', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" },
                value: { type: 'string', minLength: 1 },
                valueEnv: { type: 'string', minLength: 1 },
                valueFile: { type: 'string', minLength: 1 },
              },
            },
            clientCredentials: {
              type: ['object', 'null'],
              additionalProperties: false,
              default: null,
              required: ['tokenUrl', 'clientId'],
              properties: {
                tokenUrl: { type: 'string', format: 'uri', pattern: '^https?://' },
                clientId: { type: 'string', minLength: 1 },
                clientSecret: { type: 'string', minLength: 1 },
                clientSecretEnv: { type: 'string', minLength: 1 },
                clientSecretFile: { type: 'string', minLength: 1 },
                authMethod: { enum: ['client_secret_basic', 'client_secret_post'], default: 'client_secret_basic' },
                scope: { type: 'string', minLength: 1 },
                audience: { type: 'string', minLength: 1 },
                refreshBeforeSec: { type: 'integer', minimum: 0, default: 30 },
                timeoutMs: { type: 'integer', minimum: 1, default: 2000 },
              },
            },
          },
        },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        bodyBytes: { type: 'integer', minimum: 1024, default: 1048576 },
        requestTimeoutMs: { type: 'integer', minimum: 1, default: 30000 },
        headersTimeoutMs: { type: 'integer', minimum: 1, default: 10000 },
        keepAliveTimeoutMs: { type: 'integer', minimum: 1, default: 72000 },
        handshakeTimeoutMs: { type: 'integer', minimum: 100, default: 5000 },
        maxConnections: { type: 'integer', minimum: 1, default: 16384 },
        maxPendingConnectionsPerAddress: { type: 'integer', minimum: 1, default: 256 },
        maxGeometryPoints: {
          type: 'integer', minimum: 1, maximum: 10000000, default: 10000,
          description: 'Positions a geometry may have to be checked against a spatial constraint; a larger one counts as outside.',
        },
      },
    },
    issuers: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['issuer', 'audience'],
        properties: {
          issuer: { type: 'string', minLength: 1 },
          name: {
            type: 'string',
            pattern: ISSUER_NAME_PATTERN,
            description: 'How contracts name this issuer (`@name/party`). Default: derived from the issuer (host and path).',
          },
          cityOwn: {
            type: 'boolean',
            default: false,
            description: "One of the city's own issuers: contract parties written without an issuer prefix match its callers.",
          },
          jwksUri: { type: 'string', format: 'uri', pattern: '^https?://' },
          jwksFile: { type: 'string', minLength: 1 },
          audience: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }] },
          algorithms: {
            type: 'array',
            minItems: 1,
            items: { enum: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] },
            default: ['RS256', 'PS256', 'ES256', 'EdDSA'],
          },
          rolesClaim: { type: 'string', minLength: 1, default: 'roles' },
          acceptRoles: {
            type: ['array', 'null'],
            items: { type: 'string', minLength: 1 },
            default: null,
            description: "Roles taken from this issuer's tokens; others are dropped. Default (null): every role for the city's own issuers, none for the others.",
          },
          purposeClaim: { type: 'string', minLength: 1, default: 'purpose', description: 'Claim holding the declared DPV purpose (dotted path allowed).' },
          consentClaim: {
            type: 'string', minLength: 1, default: 'consents',
            description: 'Claim listing the ids of the consent records the token rests on (dotted path allowed).',
          },
          organisationClaim: {
            type: 'string',
            minLength: 1,
            description: "Claim holding the caller's organisation (dotted path allowed), which contract parties match at this issuer. Default: none.",
          },
          recipientClaim: {
            type: 'string',
            minLength: 1,
            description: 'Claim holding the recipient the issuer declares for the token (dotted path allowed). Default: none.',
          },
          allowRecipientHeader: {
            type: 'boolean',
            default: false,
            description: "Callers of this issuer may declare a recipient on their own, per request, with the Mimtrust-Recipient header; otherwise a request carrying it is refused.",
          },
          tenantsClaim: { type: 'string', minLength: 1 },
          allowPlainJwt: { type: 'boolean', default: false },
          requireSenderConstrained: {
            type: 'boolean', default: false,
            description: "Accept this issuer's tokens only when bound to a DPoP key (cnf.jkt) or a client certificate (cnf.x5t#S256); plain bearer tokens are refused.",
          },
          clockToleranceSec: { type: 'integer', minimum: 0, maximum: 300, default: 30 },
          maxTokenLifetimeSec: { type: 'integer', minimum: 1, description: 'Overrides auth.maxTokenLifetimeSec for this issuer.' },
        },
      },
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        maxTokenLifetimeSec: { type: 'integer', minimum: 1, default: 86400 },
        dpop: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'DPoP proofs (RFC 9449) that DPoP-bound tokens come with.',
          properties: {
            maxAgeSec: { type: 'integer', minimum: 1, maximum: 600, default: 60, description: 'How long after its iat a proof is accepted.' },
            clockSkewSec: { type: 'integer', minimum: 0, maximum: 60, default: 5, description: 'Clock difference allowed on a proof iat, either way.' },
            algorithms: {
              type: 'array', minItems: 1, uniqueItems: true,
              items: { enum: ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'] },
              default: ['ES256', 'ES384', 'EdDSA', 'Ed25519', 'PS256', 'RS256'],
              description: 'Proof signature algorithms accepted (asymmetric only).',
            },
            replayCacheSize: {
              type: 'integer', minimum: 1000, default: 200000,
              description: 'Proofs remembered against replay, in each process and, on PostgreSQL, in the store shared by every instance; when full of proofs still inside their window, new ones are refused (503).',
            },
          },
        },
      },
    },
    localIssuer: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        issuer: { type: 'string', minLength: 1, default: 'urn:mimtrust:local-issuer' },
        audience: { type: 'string', minLength: 1, default: 'mimtrust' },
      },
    },
    oidc: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: "The city's own OIDC issuer, mounted on the gateway under /oidc (src/issuer, docs/issuer.md).",
      properties: {
        enabled: { type: 'boolean', default: false },
        issuer: {
          type: ['string', 'null'], format: 'uri', pattern: '^https?://[^?#]*[^/?#]$', default: null,
          description: 'The issuer identifier; null: https://<first tls hostname>:<listen.port>/oidc.',
        },
        name: { type: 'string', pattern: ISSUER_NAME_PATTERN, default: 'city', description: 'How contracts name this issuer (`@name/party`).' },
        audience: { type: 'string', minLength: 1, default: 'mimtrust', description: 'The `aud` of the access tokens it issues.' },
        accessTokenTtlSec: { type: 'integer', minimum: 60, maximum: 86400, default: 600 },
        requireSenderConstrained: {
          type: 'boolean', default: false,
          description: 'The gateway accepts this issuer\'s tokens only when bound to a DPoP key or a client certificate.',
        },
        refreshTokenTtlSec: { type: 'integer', minimum: 60, default: 1209600 },
        consentDays: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'How long a consent given on the consent screen lasts, in days: the choices shown and the one preselected.',
          properties: {
            choices: { type: 'array', minItems: 1, maxItems: 8, items: { type: 'integer', minimum: 1, maximum: 3650 }, default: [30, 90, 365] },
            default: { type: 'integer', minimum: 1, maximum: 3650, default: 90 },
          },
        },
        upstream: {
          type: ['object', 'null'],
          additionalProperties: false,
          default: null,
          required: ['issuer', 'clientId', 'clientSecretEnv'],
          description: "An upstream OpenID Provider citizens may log in through (the city's Keycloak, its eID gateway); the issuer is its confidential client, with redirect URI <oidc.issuer>/upstream/callback.",
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100, default: 'the city login', description: 'Shown on the login button: "Log in with <name>".' },
            issuer: { type: 'string', format: 'uri', pattern: '^https?://', description: "The upstream's issuer identifier; its discovery document is read from <issuer>/.well-known/openid-configuration." },
            clientId: { type: 'string', minLength: 1 },
            clientSecretEnv: { type: 'string', minLength: 1, description: 'Environment variable holding the client secret (client_secret_basic).' },
            scopes: { type: 'array', items: { type: 'string', pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' }, default: ['openid', 'profile'] },
            usernameClaim: { type: 'string', minLength: 1, default: 'preferred_username', description: 'ID token claim suggesting the username of a new account.' },
          },
        },
        loginThrottle: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Failed logins allowed within the window before the login screen makes the next attempt wait (429): per account and address, per address, per account.',
          properties: {
            perAccountAndAddress: { type: 'integer', minimum: 1, default: 5 },
            perAddress: { type: 'integer', minimum: 1, default: 30 },
            perAccount: { type: 'integer', minimum: 1, default: 100 },
            windowSec: { type: 'integer', minimum: 1, maximum: 86400, default: 900 },
          },
        },
        clients: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['clientId', 'grantTypes'],
            properties: {
              clientId: { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,128}$' },
              name: { type: 'string', minLength: 1, maxLength: 200, description: 'Shown to citizens on the consent screen; default: the organisation or the client id.' },
              organisation: { type: 'string', minLength: 1, description: 'The organisation its tokens name (claim org_id), which contract parties match.' },
              grantTypes: { type: 'array', minItems: 1, items: { enum: ['authorization_code', 'client_credentials', 'refresh_token'] } },
              redirectUris: { type: 'array', items: { type: 'string', format: 'uri' }, default: [] },
              jwks: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', minItems: 1, items: { type: 'object' } } } },
              jwksUri: { type: 'string', format: 'uri', pattern: '^https://' },
              clientSecretEnv: { type: 'string', minLength: 1, description: 'Environment variable holding a client secret: only then may this client use one.' },
              scopes: { type: 'array', items: { type: 'string', pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' }, default: [] },
              purposes: { type: 'array', items: { type: 'string', minLength: 1 }, default: [], description: 'DPV purposes it may ask for (`dpv:X` or IRIs); the first is its default.' },
              roles: { type: 'array', items: { type: 'string', minLength: 1 }, default: [], description: 'Roles its client_credentials tokens carry.' },
              dpopBound: {
                type: 'boolean', default: false,
                description: 'Its access tokens must be DPoP-bound: the token endpoint refuses a request without a DPoP proof.',
              },
              certificateBound: {
                type: 'boolean', default: false,
                description: 'Its access tokens are bound to the client certificate it connects with (RFC 8705); needs tls.clientCa.',
              },
            },
          },
        },
      },
    },
    wallet: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: "The citizen wallet under /wallet (src/wallet, docs/wallet.md): a client of the city's own issuer, registered by itself.",
      properties: {
        enabled: {
          type: ['boolean', 'null'], default: null,
          description: 'null: on exactly when oidc.enabled. Needs the issuer, whose identifier must then be the public URL of this gateway.',
        },
      },
    },
    workers: {
      type: ['integer', 'null'], minimum: 1, maximum: 256, default: null,
      description: 'Worker processes serving one port (node:cluster); null: one per core (1 with an in-memory store). 1 runs the gateway in a single process.',
    },
    store: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        path: { type: 'string', minLength: 1, default: 'data/mimtrust.db' },
        url: {
          type: ['string', 'null'], pattern: '^postgres(ql)?://', default: null,
          description: 'postgres://user:password@host:port/database: PostgreSQL instead of the SQLite file at path, shared by several gateway instances.',
        },
        instance: {
          type: ['string', 'null'], pattern: '^[A-Za-z0-9._-]{1,64}$', default: null,
          description: 'This gateway\'s name among those on one PostgreSQL store (its audit chain segment); generated and kept in instance-id beside path when not set.',
        },
      },
    },
    audit: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        checkpointEvery: { type: 'integer', minimum: 1, default: 1000 },
        checkpointIntervalSec: { type: 'integer', minimum: 1, default: 60 },
        fsync: { type: 'boolean', default: true },
        maxTargets: { type: 'integer', minimum: 1, maximum: 4096, default: 32 },
        anchorFile: {
          type: ['string', 'null'], minLength: 1, default: null,
          description: 'Resolved at load: beside the store (audit-anchors.jsonl) when not set; null for an in-memory store.',
        },
        witness: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            url: { type: ['string', 'null'], format: 'uri', pattern: '^https?://', default: null },
            timeoutMs: { type: 'integer', minimum: 1, default: 5000 },
            maxQueue: { type: 'integer', minimum: 1, maximum: 100000, default: 1000 },
          },
        },
      },
    },
    contexts: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        allowList: { type: 'array', items: { type: 'string', format: 'uri', pattern: '^https?://' }, default: [] },
        coreContextFile: { type: ['string', 'null'], default: null },
        pinned: {
          type: 'object',
          additionalProperties: { type: 'string', minLength: 1 },
          default: {},
          description: 'Remote @context URL -> local file answering for it: never fetched, no allow-list entry needed.',
        },
        maxEntries: { type: 'integer', minimum: 1, default: 256 },
        maxAgeSec: { type: 'integer', minimum: 1, default: 3600 },
        maxBytes: { type: 'integer', minimum: 1024, default: 262144 },
        fetchTimeoutMs: { type: 'integer', minimum: 1, default: 2000 },
        contractRetry: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            minMs: { type: 'integer', minimum: 1, default: 1000 },
            maxMs: { type: 'integer', minimum: 1, default: 300000 },
          },
        },
      },
    },
    storedTypes: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ttlMs: { type: 'integer', minimum: 0, maximum: 60000, default: 2000 },
        maxEntries: { type: 'integer', minimum: 1, default: 10000 },
        maxIds: { type: 'integer', minimum: 1, maximum: 10000, default: 500 },
        concurrency: { type: 'integer', minimum: 1, maximum: 64, default: 8 },
      },
    },
    subscriptions: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        relayBaseUrl: {
          type: ['string', 'null'], format: 'uri', pattern: '^https?://[^?#]*[^/?#]$', default: null,
          description: "Where the broker sends notifications; null: the gateway's own listening URL + /relay/notify.",
        },
        endpoints: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            allowSchemes: { type: 'array', minItems: 1, items: { enum: ['https', 'http'] }, default: ['https'] },
            allowHosts: { type: 'array', items: { type: 'string', pattern: '^(\\*|(\\*\\.)?[A-Za-z0-9.:\\[\\]-]+)$' }, default: ['*'] },
            allowPrivateNetworks: { type: 'boolean', default: false },
            allowLoopback: { type: 'boolean', default: false },
          },
        },
        delivery: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            connectTimeoutMs: { type: 'integer', minimum: 1, default: 2000 },
            responseTimeoutMs: { type: 'integer', minimum: 1, default: 5000 },
            connections: { type: 'integer', minimum: 1, maximum: 1024, default: 16 },
          },
        },
      },
    },
    consent: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        subjectTemplate: {
          type: 'string', pattern: '\\{sub\\}', default: 'urn:ngsi-ld:Person:{sub}',
          description: "How a citizen's token `sub` becomes the identifier entities name them by (a data-subject attribute's value); `{sub}` stands for it.",
        },
        apiScope: {
          type: 'string', pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$', default: 'consents',
          description: "The scope a token needs at the consent API (/consents): give it only to clients that are the citizen's own tools, never to an app the citizen shares data with.",
        },
      },
    },
    credentials: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: "Verifiable credentials: the city's DID, consent receipts, status lists and the VC-API (src/credentials, docs/credentials.md).",
      properties: {
        enabled: { type: 'boolean', default: true },
        didMethod: {
          enum: ['web', 'key'], default: 'web',
          description: 'web: the city is a did:web, its document at /.well-known/did.json lists every key; key: the did:key of the newest key (for development: a rotation changes the DID).',
        },
        did: {
          type: ['string', 'null'], pattern: '^did:web:[^#?/]+$', default: null,
          description: 'The city\'s did:web; null: the did:web of baseUrl.',
        },
        baseUrl: {
          type: ['string', 'null'], format: 'uri', pattern: '^https://[^?#]*[^/?#]$', default: null,
          description: 'The address the gateway is reached at, in receipts and status list URLs; null: https://<first tls hostname>:<the port it listens on>.',
        },
        didWeb: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Resolving other parties\' did:web documents.',
          properties: {
            allow: {
              type: 'array', default: [], uniqueItems: true,
              items: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?$' },
              description: 'The hosts (host or host:port, as the DID spells them) whose did:web documents may be fetched; empty: none is.',
            },
            caFile: { type: ['string', 'null'], default: null, description: 'PEM certificates trusted for those hosts, on top of the system\'s.' },
            timeoutMs: { type: 'integer', minimum: 1, default: 3000 },
            maxBytes: { type: 'integer', minimum: 256, default: 65536 },
            cacheSize: { type: 'integer', minimum: 1, default: 256 },
            cacheTtlSec: { type: 'integer', minimum: 1, default: 300 },
          },
        },
        verifyCache: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Credential proofs that verified, remembered by the digest of the exact document; validity and status are checked on every call.',
          properties: {
            size: { type: 'integer', minimum: 0, default: 10000, description: '0: none remembered.' },
            ttlSec: { type: 'integer', minimum: 1, default: 300 },
          },
        },
        presentationCache: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'POST /presentations/verify (and presentation logins): what the signatures of a presentation came to, remembered by the digest of the exact presentation with the challenge and domain; validity, status bits and trust are checked on every call.',
          properties: {
            size: { type: 'integer', minimum: 0, default: 10000, description: 'Presentations remembered at most (the least recently used go first); 0: none.' },
            ttlSec: { type: 'integer', minimum: 1, maximum: 86400, default: 300, description: 'How long a presentation whose signatures held is remembered (never past a proof\'s `expires`).' },
            failureTtlSec: { type: 'integer', minimum: 1, maximum: 86400, default: 60, description: 'How long a presentation whose signatures failed is remembered, so it is not checked again on every request; failures of the moment (busy or failed workers, a DID that could not be read) are not remembered.' },
          },
        },
        maxPresentationCredentials: { type: 'integer', minimum: 1, maximum: 256, default: 16 },
        verifyRateLimit: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'The public POST /credentials/verify and /presentations/verify together: verifications one client address may ask for within the window; past that, 429 with Retry-After.',
          properties: {
            perAddress: { type: 'integer', minimum: 0, maximum: 100000, default: 600, description: '0: no limit.' },
            windowSec: { type: 'integer', minimum: 1, maximum: 3600, default: 60 },
          },
        },
        trustedIssuers: {
          type: 'array',
          default: [],
          description: 'Who may vouch for organisations logging in to the issuer with a Verifiable Presentation (grant type urn:ietf:params:oauth:grant-type:vp-token): each issuer DID, the credential types it is trusted for, which claims of the credential subject give which roles, and when the trust holds.',
          items: TRUSTED_ISSUER_SCHEMA,
        },
        oid4vci: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Citizens taking consent receipts into wallets of their own (OpenID for Verifiable Credential Issuance, pre-authorized code flow), from the wallet page; needs the city\'s issuer and the wallet. Codes and nonces are single use, kept in the store (only their hashes), so every worker and instance on it redeems or accepts each once.',
          properties: {
            enabled: { type: 'boolean', default: true },
            codeTtlSec: { type: 'integer', minimum: 30, maximum: 3600, default: 600, description: 'How long an offer\'s pre-authorized code can be redeemed.' },
            maxCodes: { type: 'integer', minimum: 1, default: 10000, description: 'Codes outstanding at most; beyond that a new offer is refused (503 shared_state_full) until some are used or expire.' },
            maxCodesPerCitizen: { type: 'integer', minimum: 1, maximum: 100, default: 5, description: 'Codes one citizen may have outstanding; a new offer forgets their oldest.' },
            nonceTtlSec: { type: 'integer', minimum: 10, maximum: 600, default: 300 },
            maxNonces: { type: 'integer', minimum: 1, default: 10000, description: 'c_nonces outstanding at most; beyond that a new one is refused (503 shared_state_full) until some are used or expire.' },
            accessTokenTtlSec: { type: 'integer', minimum: 10, maximum: 3600, default: 300, description: 'Lifetime of the access tokens for the credential endpoint.' },
          },
        },
        vpLogin: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'The challenges the issuer hands organisations to sign into their presentations: single use, short-lived, kept in the store (a restart keeps them).',
          properties: {
            challengeTtlSec: { type: 'integer', minimum: 1, maximum: 600, default: 120 },
            maxChallenges: { type: 'integer', minimum: 1, default: 10000, description: 'Challenges outstanding at most; beyond that a new one is refused (503 shared_state_full) until some are used or expire.' },
          },
        },
        workers: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Worker threads that check credential and presentation proofs beside the event loop, started with the first proof; the main thread checks one too when none is idle.',
          properties: {
            size: {
              type: ['integer', 'null'], minimum: 0, maximum: 16, default: null,
              description: '0: proofs are checked in the main thread only; null: one fewer than the cores each gateway process has (the cores divided by `workers`), so none on one core.',
            },
            maxQueue: { type: 'integer', minimum: 1, default: 256, description: 'Proofs in the workers at most, running or waiting; beyond that a verification answers `verification_busy`.' },
            timeoutMs: { type: 'integer', minimum: 1, default: 5000 },
          },
        },
      },
    },
    keysDir: { type: 'string', minLength: 1, default: 'keys' },
    policiesDir: { type: 'string', minLength: 1, default: 'policies' },
    contractsDir: { type: 'string', minLength: 1, default: 'contracts' },
    enforceContracts: { type: 'boolean', default: true },
    /**
     * The data providers whose contracts the admin API takes: each owns some entity types
     * (and optionally only ids matching patterns) in some tenants, and its contracts may
     * govern nothing else. See docs/contracts.md, Providers.
     */
    providers: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'owns'],
        properties: {
          id: { type: 'string', pattern: PROVIDER_ID_PATTERN },
          title: { type: 'string', minLength: 1 },
          /** The @context the type names are expanded with (a URL, an object or a list), on top of the core. */
          context: { type: ['string', 'object', 'array'] },
          owns: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['tenants', 'types'],
              properties: {
                tenants: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^(@default|[A-Za-z0-9_-]{1,64})$' } },
                types: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
                idPatterns: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
              },
            },
          },
        },
      },
    },
    pdp: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: false },
      },
    },
    cors: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        origins: {
          type: 'array',
          default: [],
          // As browsers send Origin: scheme, lower-case host, a port only when not the default.
          items: { type: 'string', pattern: '^https?://(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\\[[0-9a-f:.]+\\])(?::[0-9]{1,5})?$' },
          uniqueItems: true,
          description: 'Exact origins of the browser applications that may call the gateway; empty: CORS off.',
        },
        allowCredentials: {
          type: 'boolean',
          default: false,
          description: 'Let browsers send cookies and client certificates along (Access-Control-Allow-Credentials); bearer tokens need no credentials mode.',
        },
        maxAgeSec: { type: 'integer', minimum: 0, maximum: 86400, default: 600, description: 'How long a browser may keep a preflight answer.' },
      },
    },
    watchContracts: { type: 'boolean', default: true },
    watchPolicies: { type: 'boolean', default: true },
    trustProxy: { type: 'boolean', default: false },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    logFormat: {
      enum: ['auto', 'json', 'pretty'], default: 'auto',
      description: 'json: one JSON object per line; pretty: one readable line; auto: pretty when stdout is a terminal, json otherwise.',
    },
    metrics: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        port: {
          type: ['integer', 'null'], minimum: 0, maximum: 65535, default: null,
          description: 'Port of the Prometheus listener (plain HTTP, GET /metrics); null: no listener.',
        },
        host: { type: 'string', minLength: 1, default: '127.0.0.1' },
      },
    },
  },
} as const;

/**
 * The configuration as the rest of the code sees it: derived from the schema, so a key
 * cannot be added to one and forgotten in the other. Every key with a default is present
 * after loading (ajv fills defaults in).
 */
export type Config = FromSchema<typeof configSchema>;

/** One trusted token issuer. */
export type IssuerSettings = Config['issuers'][number];

/** One client of the city's own OIDC issuer. */
export type OidcClientSettings = Config['oidc']['clients'][number];
export type TrustedIssuerSettings = Config['credentials']['trustedIssuers'][number];

/** One data provider, as the operator declares it. */
export type ProviderSettings = Config['providers'][number];

/** Environment variables that override the common keys: name -> [key path, type]. */
export const ENV_OVERRIDES: ReadonlyArray<readonly [string, string, 'string' | 'integer' | 'boolean']> = [
  ['MIMTRUST_HOST', 'listen.host', 'string'],
  ['MIMTRUST_PORT', 'listen.port', 'integer'],
  ['MIMTRUST_TLS_ENABLED', 'tls.enabled', 'boolean'],
  ['MIMTRUST_TLS_CERT', 'tls.cert', 'string'],
  ['MIMTRUST_TLS_KEY', 'tls.key', 'string'],
  ['MIMTRUST_TLS_CLIENT_CA', 'tls.clientCa', 'string'],
  ['MIMTRUST_UPSTREAM_URL', 'upstream.url', 'string'],
  ['MIMTRUST_STORE_PATH', 'store.path', 'string'],
  ['MIMTRUST_STORE_URL', 'store.url', 'string'],
  ['MIMTRUST_STORE_INSTANCE', 'store.instance', 'string'],
  ['MIMTRUST_WORKERS', 'workers', 'integer'],
  ['MIMTRUST_KEYS_DIR', 'keysDir', 'string'],
  ['MIMTRUST_POLICIES_DIR', 'policiesDir', 'string'],
  ['MIMTRUST_CONTRACTS_DIR', 'contractsDir', 'string'],
  ['MIMTRUST_ENFORCE_CONTRACTS', 'enforceContracts', 'boolean'],
  ['MIMTRUST_LOCAL_ISSUER', 'localIssuer.enabled', 'boolean'],
  ['MIMTRUST_LOG_LEVEL', 'logLevel', 'string'],
  ['MIMTRUST_LOG_FORMAT', 'logFormat', 'string'],
  ['MIMTRUST_METRICS_PORT', 'metrics.port', 'integer'],
  ['MIMTRUST_METRICS_HOST', 'metrics.host', 'string'],
];
