/**
 * The URLs under which ETSI publishes the core context. A caller naming one of them gets
 * the compiled-in core (which is in force anyway); nothing is fetched.
 */
const CORE_URL = /^https?:\/\/uri\.etsi\.org\/ngsi-ld\/v1\/ngsi-ld-core-context(?:-v1\.\d+(?:\.\d+)?)?\.jsonld$/;

export function isCoreContextUrl(url: string): boolean {
  return CORE_URL.test(url);
}
