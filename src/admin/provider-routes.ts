/**
 * The providers, read-only: the configuration is their source of truth. The operator sees
 * them all; a provider's admins see their own (what it owns, how many contracts it has).
 */
import { MimtrustError } from '../errors/index.js';
import type { Provider } from '../contracts/index.js';
import { answer } from '../gateway/index.js';
import { auditAs, requireOperator, type AdminDeps, type Handler } from './admin-request.js';
import { claimed, type NamespaceOf } from './contract-routes.js';

function describeProvider(deps: AdminDeps, p: Provider): Record<string, unknown> {
  const owns: Array<{ tenant: string; type: string; idPatterns: string[] | null }> = [];
  for (const [tenant, types] of p.owns) {
    for (const [type, ids] of types) owns.push({ tenant, type, idPatterns: ids === null ? null : ids.map((x) => x.source) });
  }
  return {
    id: p.id,
    ...(p.title !== undefined ? { title: p.title } : {}),
    owns,
    contracts: deps.registry.list().filter((c) => c.provider === p.id).length,
  };
}

export function listProviders(deps: AdminDeps): Handler {
  return (r) => {
    auditAs(r, 'admin.providers.list');
    requireOperator(r);
    return answer(r, 200, [...deps.providers.values()].map((p) => describeProvider(deps, p)));
  };
}

export function getProvider(deps: AdminDeps, namespaceOf: NamespaceOf): Handler {
  return (r) => {
    auditAs(r, 'admin.providers.retrieve', undefined, claimed(deps, r));
    const id = namespaceOf(r);
    const p = id === null ? undefined : deps.providers.get(id);
    if (!p) throw new MimtrustError('NOT_FOUND', 'No provider of this id is configured.', { reason: 'provider_not_found' });
    return answer(r, 200, describeProvider(deps, p));
  };
}
