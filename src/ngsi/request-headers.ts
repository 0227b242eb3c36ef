/**
 * Request headers a broker could read as a second channel for what the gateway decides on.
 *
 * - Orion-LD also reads the NGSIv2 headers Fiware-Service (as the tenant) and
 *   Fiware-ServicePath. Accepting Fiware-Service as a synonym of NGSILD-Tenant would leave
 *   the broker to choose when a request carries both, and a service path has no NGSI-LD
 *   meaning, so a request with either is refused (400): NGSI-LD callers name the tenant
 *   with NGSILD-Tenant.
 * - Method-override headers (X-HTTP-Method-Override and kin) are refused: a server that
 *   honours one would run another operation than the one decided on.
 */
import { MimtrustError } from '../errors/index.js';

/** Headers another server could read as a second tenant or a different method. */
const REFUSED_HEADERS: ReadonlyArray<readonly [string, string, string]> = [
  ['fiware-service', 'fiware_service_header', 'The Fiware-Service header is not accepted; name the tenant with NGSILD-Tenant.'],
  ['fiware-servicepath', 'fiware_service_header', 'The Fiware-ServicePath header is not accepted; NGSI-LD has no service paths and names tenants with NGSILD-Tenant.'],
  ['x-http-method-override', 'method_override_header', 'Method-override headers are not accepted.'],
  ['x-http-method', 'method_override_header', 'Method-override headers are not accepted.'],
  ['x-method-override', 'method_override_header', 'Method-override headers are not accepted.'],
];

/** Refuses the headers that could make the broker act on another tenant or method. */
export function refuseAmbiguousHeaders(headers: Record<string, string | string[] | undefined>): void {
  for (const [name, reason, detail] of REFUSED_HEADERS) {
    if (headers[name] !== undefined) throw new MimtrustError('BAD_REQUEST', detail, { reason });
  }
}

