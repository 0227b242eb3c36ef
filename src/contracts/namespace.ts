/**
 * Where a contract lives. Contract files are the operator's and keep their uid as their
 * key. A contract made through the admin API lives in its provider's namespace, keyed
 * `<provider>/<uid>` (`@operator/<uid>` when no providers are configured), so providers'
 * uids never meet, and a file uid may not take that form: a file and an API contract can
 * never have one key, and neither can shadow or block the other when contracts reload.
 */
import { PROVIDER_ID_PATTERN } from '../config/index.js';
import { ContractError } from './errors.js';
import type { CompiledContract, Rule } from './model.js';
import { scopeToProvider } from './ownership.js';
import type { Provider } from './providers.js';

/** The namespace of API contracts made when no providers are configured. */
export const OPERATOR_NAMESPACE = '@operator';

/** An API contract's provider: null for the operator (only when no providers are configured). */
export interface ApiPlacement {
  provider: Provider | null;
}

const API_KEY_FORM = new RegExp(`^(?:${OPERATOR_NAMESPACE}|${PROVIDER_ID_PATTERN.slice(1, -1)})/`);

export function apiContractKey(provider: string | null, uid: string): string {
  return `${provider ?? OPERATOR_NAMESPACE}/${uid}`;
}

function rekeyed(rules: readonly Rule[], key: string): Rule[] {
  return rules.map((r) => Object.freeze({ ...r, contract: key }));
}

/**
 * The contract under its key: a file's as it is (its uid checked not to look like an API
 * key), an API contract's under `<provider>/<uid>` with its rules narrowed to what the
 * provider owns (ownership.ts).
 */
export function placeContract(c: CompiledContract, api: ApiPlacement | undefined): CompiledContract {
  if (api === undefined) {
    if (API_KEY_FORM.test(c.uid)) {
      throw new ContractError('ERR_CONTRACT_BAD_VALUE', { source: c.source }, c.uid, 'a contract file uid may not start with "<provider>/", the form of contracts made through the admin API');
    }
    return c;
  }
  const provider = api.provider;
  const key = apiContractKey(provider?.id ?? null, c.uid);
  const rules = provider === null
    ? { permissions: rekeyed(c.permissions, key), prohibitions: rekeyed(c.prohibitions, key) }
    : scopeToProvider(c, provider, key);
  return Object.freeze({
    ...c,
    key,
    provider: provider?.id ?? null,
    permissions: Object.freeze(rules.permissions),
    prohibitions: Object.freeze(rules.prohibitions),
  });
}

/** The tenants a contract applies in; null when some rule applies in every tenant. */
export function contractTenants(c: CompiledContract): ReadonlySet<string> | null {
  const out = new Set<string>();
  for (const r of [...c.permissions, ...c.prohibitions]) {
    if (r.tenants === null) return null;
    for (const t of r.tenants) out.add(t);
  }
  return out;
}
