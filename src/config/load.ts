import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve, isAbsolute, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { DEFAULT_ANCHOR_FILE_NAME } from '../audit/anchor-file.js';
import { createRequire } from 'node:module';
import { parse as parseYaml } from 'yaml';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ConfigError } from './errors.js';
import { namedIssuers } from './issuer-names.js';
import { configSchema, ENV_OVERRIDES, type Config } from './schema.js';

// ajv and ajv-formats ship CommonJS with `exports.default`; require keeps the types simple.
const require = createRequire(import.meta.url);
const Ajv = (require('ajv') as typeof import('ajv')).default;
const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;

export { ConfigError };

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true, strictTypes: false });
    addFormats(ajv);
    validator = ajv.compile(configSchema);
  }
  return validator;
}

function describe(err: ErrorObject): ConfigError {
  const base = err.instancePath.replace(/^\//, '').replace(/\//g, '.');
  switch (err.keyword) {
    case 'additionalProperties': {
      const extra = String((err.params as { additionalProperty: string }).additionalProperty);
      return new ConfigError(base ? `${base}.${extra}` : extra, 'is not a known key');
    }
    case 'required': {
      const missing = String((err.params as { missingProperty: string }).missingProperty);
      return new ConfigError(base ? `${base}.${missing}` : missing, 'is required');
    }
    case 'enum':
      return new ConfigError(base, `must be one of ${JSON.stringify((err.params as { allowedValues: unknown[] }).allowedValues)}`);
    default:
      return new ConfigError(base, err.message ?? 'is invalid');
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = target;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    if (next === undefined) cur[p] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new ConfigError(path, 'cannot be overridden: its parent is not an object');
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

function envValue(name: string, raw: string, type: 'string' | 'integer' | 'boolean', key: string): unknown {
  if (type === 'string') return raw;
  if (type === 'integer') {
    if (!/^\d+$/.test(raw)) throw new ConfigError(key, `environment variable ${name} must be a whole number`);
    return Number(raw);
  }
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(key, `environment variable ${name} must be true or false`);
}

export interface LoadedConfig {
  config: Config;
  /** The file read, if any. */
  file: string | undefined;
  /** Folder that relative paths in the config are resolved against. */
  baseDir: string;
}

/**
 * Validate a configuration object (from a file or built in code) and fill defaults.
 * Relative paths (keys, store, policies, contracts, TLS files) are made absolute against `baseDir`.
 */
export function buildConfig(input: unknown, opts: { baseDir: string; env?: NodeJS.ProcessEnv } ): Config {
  if (input === null || input === undefined) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new ConfigError('', 'the configuration must be an object');
  const data = structuredClone(input) as Record<string, unknown>;
  const env = opts.env ?? {};
  for (const [name, key, type] of ENV_OVERRIDES) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') setPath(data, key, envValue(name, raw, type, key));
  }
  const check = validate();
  if (!check(data)) throw describe(check.errors![0]!);
  const config = data as unknown as Config;
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(opts.baseDir, p));
  config.keysDir = abs(config.keysDir);
  config.policiesDir = abs(config.policiesDir);
  config.contractsDir = abs(config.contractsDir);
  config.store.path = config.store.path === ':memory:' ? ':memory:' : abs(config.store.path);
  // Checkpoints are copied out of the database into this file (see the README, Audit).
  if (config.audit.anchorFile !== null) config.audit.anchorFile = abs(config.audit.anchorFile);
  else if (config.store.path !== ':memory:') config.audit.anchorFile = join(dirname(config.store.path), DEFAULT_ANCHOR_FILE_NAME);
  for (const k of ['cert', 'key', 'clientCa'] as const) {
    const v = config.tls[k];
    if (v) config.tls[k] = abs(v);
  }
  if (config.upstream.caFile) config.upstream.caFile = abs(config.upstream.caFile);
  if (config.credentials.didWeb.caFile) config.credentials.didWeb.caFile = abs(config.credentials.didWeb.caFile);
  checkUpstreamAuth(config.upstream, abs);
  if (config.contexts.coreContextFile) config.contexts.coreContextFile = abs(config.contexts.coreContextFile);
  for (const [url, path] of Object.entries(config.contexts.pinned)) config.contexts.pinned[url] = abs(path);
  for (const iss of config.issuers) if (iss.jwksFile) iss.jwksFile = abs(iss.jwksFile);
  if ((config.tls.cert === null) !== (config.tls.key === null)) {
    throw new ConfigError(config.tls.cert === null ? 'tls.cert' : 'tls.key', 'tls.cert and tls.key must be set together');
  }
  if (config.tls.requireClientCert && !config.tls.clientCa) throw new ConfigError('tls.clientCa', 'is required when tls.requireClientCert is true');
  if (!config.tls.enabled && config.tls.clientCa) throw new ConfigError('tls.clientCa', 'mTLS needs tls.enabled: true');
  const seen = new Set<string>();
  config.issuers.forEach((iss, i) => {
    if (seen.has(iss.issuer)) throw new ConfigError(`issuers.${i}.issuer`, 'is listed twice');
    if ((iss.jwksUri === undefined) === (iss.jwksFile === undefined)) throw new ConfigError(`issuers.${i}`, 'must set exactly one of jwksUri or jwksFile');
    seen.add(iss.issuer);
  });
  if (config.localIssuer.enabled && seen.has(config.localIssuer.issuer)) {
    throw new ConfigError('localIssuer.issuer', 'is also listed in issuers');
  }
  checkOidc(config);
  checkWallet(config);
  checkWorkers(config);
  // Checked now, so two issuers answering to one name stop the start naming the key.
  namedIssuers(config);
  const providerIds = new Set<string>();
  config.providers.forEach((p, i) => {
    if (providerIds.has(p.id)) throw new ConfigError(`providers.${i}.id`, 'is listed twice');
    providerIds.add(p.id);
  });
  config.cors.origins.forEach((o, i) => {
    // Browsers leave a default port out of Origin: written in, the origin would never match.
    if (/^https:\/\/.*:443$|^http:\/\/.*:80$/.test(o)) throw new ConfigError(`cors.origins.${i}`, 'names the default port of its scheme, which browsers leave out of Origin');
  });
  return config;
}

/**
 * Several workers each append to an audit chain segment of their own, in the one SQLite
 * file or on PostgreSQL: the default is one per core. An in-memory store cannot be shared
 * between processes, so it runs in one.
 * The credential proof threads default to the cores each process has, less its own.
 */
function checkWorkers(config: Config): void {
  const inMemory = config.store.url === null && config.store.path === ':memory:';
  if (config.workers === null) {
    config.workers = inMemory ? 1 : availableParallelism();
  } else if (config.workers > 1 && inMemory) {
    throw new ConfigError('workers', 'more than one worker needs a store on disk (store.path or store.url): an in-memory store is one process\'s own');
  }
  // Proof threads share the cores left to each process with its own main thread.
  const proofs = config.credentials.workers;
  if (proofs.size === null) proofs.size = Math.max(0, Math.floor(availableParallelism() / config.workers) - 1);
}

/**
 * The OIDC issuer's identifier (default: the gateway's first TLS hostname and port, under
 * /oidc) and its clients: a client proves itself with a key (private_key_jwt) unless a
 * secret is configured for it, and one that sends citizens back needs its redirect URIs.
 */
function checkOidc(config: Config): void {
  const oidc = config.oidc;
  if (!oidc.enabled) return;
  if (oidc.issuer === null) {
    if (config.listen.port === 0) throw new ConfigError('oidc.issuer', 'is required when listen.port is 0 (the port is not known before the start)');
    const host = config.tls.hostnames[0] ?? 'localhost';
    oidc.issuer = `${config.tls.enabled ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${config.listen.port}/oidc`;
  }
  if (config.localIssuer.enabled && config.localIssuer.issuer === oidc.issuer) throw new ConfigError('oidc.issuer', 'is also the local issuer');
  if (config.issuers.some((i) => i.issuer === oidc.issuer)) throw new ConfigError('oidc.issuer', 'is also listed in issuers');
  if (!oidc.consentDays.choices.includes(oidc.consentDays.default)) throw new ConfigError('oidc.consentDays.default', 'must be one of oidc.consentDays.choices');
  const ids = new Set<string>();
  oidc.clients.forEach((c, i) => {
    const key = `oidc.clients.${i}`;
    if (ids.has(c.clientId)) throw new ConfigError(`${key}.clientId`, 'is listed twice');
    ids.add(c.clientId);
    const proofs = [c.jwks, c.jwksUri, c.clientSecretEnv].filter((v) => v !== undefined).length;
    if (proofs !== 1) throw new ConfigError(key, 'must set exactly one of jwks, jwksUri or clientSecretEnv');
    if (c.grantTypes.includes('authorization_code') && c.redirectUris.length === 0) throw new ConfigError(`${key}.redirectUris`, 'is required for authorization_code');
    if (c.certificateBound && !config.tls.clientCa) throw new ConfigError(`${key}.certificateBound`, 'needs tls.clientCa: the listener must ask for client certificates');
  });
}

/** The wallet is a client of the city's own issuer: on with it unless switched off, never without it. */
function checkWallet(config: Config): void {
  if (config.wallet.enabled === null) config.wallet.enabled = config.oidc.enabled;
  if (config.wallet.enabled && !config.oidc.enabled) throw new ConfigError('wallet.enabled', 'needs the city\'s own issuer (oidc.enabled)');
}

/** Headers the gateway sets itself or that frame the message: never a credential's name. */
const RESERVED_HEADERS = new Set([
  'host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'te', 'upgrade', 'expect',
  'ngsild-tenant', 'link', 'accept', 'forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host',
]);

function exactlyOne(values: ReadonlyArray<string | undefined>): boolean {
  return values.filter((v) => v !== undefined).length === 1;
}

/** The broker credentials: one kind, one source each, and never together with the caller's own. */
function checkUpstreamAuth(upstream: Config['upstream'], abs: (p: string) => string): void {
  const { header, clientCredentials: cc } = upstream.auth;
  if (header !== null && cc !== null) throw new ConfigError('upstream.auth', 'set header or clientCredentials, not both');
  if ((header !== null || cc !== null) && upstream.forwardAuthorization) {
    throw new ConfigError('upstream.forwardAuthorization', 'cannot be true when upstream.auth gives the gateway its own credentials');
  }
  if (header !== null) {
    if (!exactlyOne([header.value, header.valueEnv, header.valueFile])) {
      throw new ConfigError('upstream.auth.header', 'must set exactly one of value, valueEnv or valueFile');
    }
    if (RESERVED_HEADERS.has(header.name.toLowerCase())) throw new ConfigError('upstream.auth.header.name', 'names a header the gateway sets itself');
    if (header.valueFile) header.valueFile = abs(header.valueFile);
  }
  if (cc !== null) {
    if (!exactlyOne([cc.clientSecret, cc.clientSecretEnv, cc.clientSecretFile])) {
      throw new ConfigError('upstream.auth.clientCredentials', 'must set exactly one of clientSecret, clientSecretEnv or clientSecretFile');
    }
    if (cc.clientSecretFile) cc.clientSecretFile = abs(cc.clientSecretFile);
  }
}

/**
 * Load the configuration: the file named by `path` (or MIMTRUST_CONFIG, or ./mimtrust.yaml
 * when present), then environment overrides, then validation against the schema.
 */
export function loadConfig(path?: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedConfig {
  let file = path ?? env.MIMTRUST_CONFIG;
  if (!file) {
    for (const candidate of ['mimtrust.yaml', 'mimtrust.yml', 'mimtrust.json']) {
      if (existsSync(resolve(cwd, candidate))) { file = candidate; break; }
    }
  }
  let input: unknown = {};
  let baseDir = cwd;
  if (file) {
    const abs = resolve(cwd, file);
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch (err) {
      throw new ConfigError('', `cannot read ${abs}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    try {
      input = parseYaml(text, { prettyErrors: true });
    } catch (err) {
      throw new ConfigError('', `${abs} is not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
    }
    file = abs;
    baseDir = dirname(abs);
  }
  return { config: buildConfig(input, { baseDir, env }), file, baseDir };
}
