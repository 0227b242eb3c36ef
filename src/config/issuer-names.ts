/**
 * The short names of the trusted issuers. A token's `sub` or `client_id` means something
 * only together with the issuer that signed it, so contracts name a party as
 * `@issuer-name/party`; these names are fixed here, once, from the configuration: the local
 * issuer is always `local` and one of the city's own, every other issuer has its `name`
 * key or one derived from its `iss`, and is the city's own only when marked `cityOwn`.
 */
import { ConfigError } from './errors.js';
import { ISSUER_NAME_PATTERN, type Config } from './schema.js';

export const LOCAL_ISSUER_NAME = 'local';

const NAME = new RegExp(ISSUER_NAME_PATTERN);
const MAX_NAME = 63;

/** A trusted issuer as contracts refer to it. */
export interface NamedIssuer {
  name: string;
  /** The exact `iss` its tokens carry. */
  issuer: string;
  /** Contract parties written without an issuer prefix match its callers. */
  cityOwn: boolean;
}

/**
 * The name an issuer gets when the configuration gives none: the host (with port) and
 * path of an http(s) issuer, else the whole `iss`, in lowercase with every run of other
 * characters turned into one hyphen (`https://idp.partner.example/realms/city` is
 * `idp-partner-example-realms-city`). Undefined when nothing usable is left.
 */
export function derivedIssuerName(issuer: string): string | undefined {
  let text = issuer;
  if (URL.canParse(issuer)) {
    const url = new URL(issuer);
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.host !== '') text = url.host + url.pathname;
  }
  const slug = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, MAX_NAME).replace(/^-+|-+$/g, '');
  return NAME.test(slug) ? slug : undefined;
}

/**
 * Every trusted issuer with its name, the local issuer first when it is enabled. Throws a
 * ConfigError naming the key when a name cannot be derived, is the local issuer's, or is
 * taken twice: two issuers answering to one name would make a contract's party ambiguous.
 */
export function namedIssuers(config: Pick<Config, 'issuers' | 'localIssuer'> & { oidc?: Pick<Config['oidc'], 'enabled' | 'issuer' | 'name'> }): NamedIssuer[] {
  const named: NamedIssuer[] = [];
  const owner = new Map<string, string>();
  if (config.localIssuer.enabled) named.push({ name: LOCAL_ISSUER_NAME, issuer: config.localIssuer.issuer, cityOwn: true });
  // The city's own OIDC issuer (resolved at load, so its issuer is set when enabled).
  if (config.oidc?.enabled && config.oidc.issuer) {
    if (config.oidc.name === LOCAL_ISSUER_NAME) throw new ConfigError('oidc.name', `"${LOCAL_ISSUER_NAME}" is the local issuer's name; set another name`);
    named.push({ name: config.oidc.name, issuer: config.oidc.issuer, cityOwn: true });
    owner.set(config.oidc.name, 'oidc');
  }
  config.issuers.forEach((iss, i) => {
    const key = `issuers.${i}.name`;
    const name = iss.name ?? derivedIssuerName(iss.issuer);
    if (name === undefined) throw new ConfigError(key, 'is required: no name can be derived from this issuer');
    if (name === LOCAL_ISSUER_NAME) throw new ConfigError(key, `"${LOCAL_ISSUER_NAME}" is the local issuer's name; set another name`);
    const taken = owner.get(name);
    if (taken !== undefined) throw new ConfigError(key, `"${name}" is also the name of ${taken}; set a name on one of them`);
    owner.set(name, `issuers.${i}`);
    named.push({ name, issuer: iss.issuer, cityOwn: iss.cityOwn ?? false });
  });
  return named;
}
