/**
 * Who may administer which contracts. Two kinds of grant, both role lines in policies/:
 *
 * - `manageContracts` in the default tenant: the city's contract administration. It sees
 *   every contract and the providers, runs dry runs, and, when no providers are
 *   configured, makes the API contracts (the operator's namespace);
 * - `manageContracts:<provider>` in a tenant: acts for that provider there, and only in
 *   its namespace.
 *
 * A change needs the grant in every tenant the contract applies in, before and after it.
 */
import { MimtrustError } from '../errors/index.js';
import { contractTenants, type ChangeCheck, type CompiledContract, type Providers } from '../contracts/index.js';
import type { RoleChecker } from '../policy/index.js';

export interface AdminGrants {
  /** Holds `manageContracts` in the default tenant. */
  operator: boolean;
  /** The providers the caller acts for in at least one of their tenants. */
  providers: ReadonlySet<string>;
}

export function adminGrants(roles: RoleChecker, tokenRoles: readonly string[], providers: Providers): AdminGrants {
  const acting = new Set<string>();
  for (const p of providers.values()) {
    for (const tenant of p.owns.keys()) {
      if (roles.actsFor(tokenRoles, tenant, p.id)) { acting.add(p.id); break; }
    }
  }
  return { operator: roles.allows(tokenRoles, undefined, 'manageContracts'), providers: acting };
}

const SIMPLE_TENANT = /^(@default|[a-z0-9_-]{1,64})$/;

function tenantNotGranted(tenant: string | null, provider: string | null): MimtrustError {
  const whose = provider === null ? 'contracts' : `contracts of provider ${provider}`;
  const where = tenant === null ? 'in every tenant (*)' : SIMPLE_TENANT.test(tenant) ? `in tenant ${tenant}` : 'in a tenant the contract names';
  return new MimtrustError('FORBIDDEN', `No role of the caller manages ${whose} ${where}, where this contract applies.`, { reason: 'tenant_not_granted' });
}

/**
 * The check a change must pass: the caller holds the grant for the namespace (`provider`,
 * or null for the operator's) in each tenant where the contract applies, as it was and as
 * it would be; a contract applying in every tenant needs a grant for `*`.
 */
export function changeCheck(roles: RoleChecker, tokenRoles: readonly string[], provider: string | null): ChangeCheck {
  const granted = (tenant: string): boolean => (provider === null
    ? roles.allows(tokenRoles, tenant, 'manageContracts')
    : roles.actsFor(tokenRoles, tenant, provider));
  const check = (c: CompiledContract | undefined): void => {
    if (c === undefined) return;
    const tenants = contractTenants(c);
    if (tenants === null) {
      if (!granted('*')) throw tenantNotGranted(null, provider);
      return;
    }
    for (const t of tenants) if (!granted(t)) throw tenantNotGranted(t, provider);
  };
  return (next, previous) => {
    check(previous);
    check(next);
  };
}
