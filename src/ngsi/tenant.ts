/** The NGSILD-Tenant header. */
import { MimtrustError } from '../errors/index.js';

// NGSI-LD tenants are simple names; anything richer could address another tenant's store.
const TENANT = /^[A-Za-z0-9_-]{1,64}$/;

/** The tenant named by the request, or undefined for the default tenant. */
export function readTenant(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers['ngsild-tenant'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !TENANT.test(value)) {
    throw new MimtrustError('BAD_REQUEST', 'The NGSILD-Tenant header is not a valid tenant name.', { reason: 'invalid_tenant' });
  }
  return value;
}
