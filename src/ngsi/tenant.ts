/**
 * The tenant a request addresses, in the one form the gateway decides on and the broker
 * receives.
 *
 * - NGSILD-Tenant is the only tenant header (see request-headers.ts for Fiware-Service).
 * - Tenant names are compared and forwarded in lower case: Orion-LD lowercases tenant names
 *   (as Orion does), so `City` and `city` are one tenant there; deciding on the lowercase
 *   form keeps a role or contract for one from being bypassed by writing the other, and
 *   gives every broker the same name whatever the caller's spelling. Role policies, token
 *   tenant claims and contract tenant targets are read through `canonicalTenant` too.
 */
import { MimtrustError } from '../errors/index.js';

/** The name that stands for the default tenant (no NGSILD-Tenant header) in policies and contracts. */
export const DEFAULT_TENANT_DOMAIN = '@default';

// NGSI-LD tenants are simple names; anything richer could address another tenant's store.
const TENANT = /^[A-Za-z0-9_-]{1,64}$/;

/** The one spelling of a tenant name (policies, claims and contracts use it too). */
export function canonicalTenant(name: string): string {
  return name.toLowerCase();
}

/** The tenant named by the request, canonical, or undefined for the default tenant. */
export function readTenant(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers['ngsild-tenant'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !TENANT.test(value)) {
    throw new MimtrustError('BAD_REQUEST', 'The NGSILD-Tenant header is not a valid tenant name.', { reason: 'invalid_tenant' });
  }
  return canonicalTenant(value);
}
