/**
 * The providers of the configuration, made usable: type names expanded to IRIs with the
 * provider's `context` (on top of the core, like a contract's `ngsi:context`), tenants in
 * their canonical spelling, id patterns compiled for RE2. Anything that cannot be used,
 * and any two providers that may own the same entity, stops the start with the key.
 */
import { ConfigError, type ProviderSettings } from '../config/index.js';
import type { ActiveContext, ContextResolver } from '../context/index.js';
import { canonicalTenant } from '../ngsi/tenant.js';
import { isAbsoluteIri } from './expand.js';
import { compileIdPattern, type IdPattern } from './regex.js';
import { findOverlap, providerOf, type OwnsEntry, type Provider, type Providers } from './providers.js';

async function entriesOf(p: ProviderSettings, i: number, resolver: ContextResolver): Promise<OwnsEntry[]> {
  let active: ActiveContext;
  try {
    active = await resolver.resolve(p.context);
  } catch (err) {
    throw new ConfigError(`providers.${i}.context`, `cannot be used: ${(err as Error).message}`);
  }
  return p.owns.map((o, j) => {
    const at = `providers.${i}.owns.${j}`;
    const types = o.types.map((t, k) => {
      const iri = active.expandTerm(t);
      if (!isAbsoluteIri(iri)) throw new ConfigError(`${at}.types.${k}`, 'does not expand to an IRI');
      return iri;
    });
    const idPatterns = o.idPatterns?.map((source, k): IdPattern => {
      const re = compileIdPattern(source);
      if (typeof re === 'string') throw new ConfigError(`${at}.idPatterns.${k}`, `pattern refused (${re.replace('_', ' ')})`);
      return re;
    }) ?? null;
    return { tenants: o.tenants.map(canonicalTenant), types, idPatterns };
  });
}

/** The configured providers by id; an empty map when there are none. */
export async function resolveProviders(settings: readonly ProviderSettings[], resolver: ContextResolver): Promise<Providers> {
  const list: Provider[] = [];
  for (const [i, p] of settings.entries()) list.push(providerOf(p.id, p.title, await entriesOf(p, i, resolver)));
  const overlap = findOverlap(list);
  if (overlap) {
    const [a, b] = overlap.providers;
    throw new ConfigError(`providers.${settings.findIndex((p) => p.id === b)}.owns`,
      `providers "${a}" and "${b}" may both own entities of type ${overlap.type} in tenant ${overlap.tenant}: give each id patterns with distinct literal prefixes`);
  }
  return new Map(list.map((p) => [p.id, p]));
}
