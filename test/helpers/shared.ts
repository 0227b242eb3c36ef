/**
 * The official NGSI-LD core contexts, vendored in the repository (contexts/ngsi-ld/, see
 * its README), so tests need no file outside the checkout.
 */
import { fileURLToPath } from 'node:url';

export const NGSI_LD_CONTEXTS = fileURLToPath(new URL('../../contexts/ngsi-ld', import.meta.url));
