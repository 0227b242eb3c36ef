/**
 * Configuration: one schema, loaded from YAML/JSON, overridden from the environment, validated
 * with errors that name the key; and the names of the trusted issuers, as contracts use them.
 */
export { loadConfig, buildConfig, ConfigError } from './load.js';
export type { LoadedConfig } from './load.js';
export { configSchema, ENV_OVERRIDES, PROVIDER_ID_PATTERN, TRUSTED_ISSUER_SCHEMA } from './schema.js';
export type { Config, IssuerSettings, ProviderSettings, OidcClientSettings, TrustedIssuerSettings } from './schema.js';
export { namedIssuers, derivedIssuerName, LOCAL_ISSUER_NAME } from './issuer-names.js';
export type { NamedIssuer } from './issuer-names.js';
