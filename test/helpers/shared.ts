/**
 * Reference data kept beside the repository (../shared/ngsi-ld: the official NGSI-LD core
 * contexts). MIMTRUST_SHARED_DIR points elsewhere when the checkout is laid out differently.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const SHARED_DIR = process.env.MIMTRUST_SHARED_DIR ?? resolve(REPO, '..', 'shared');
export const NGSI_LD_CONTEXTS = resolve(SHARED_DIR, 'ngsi-ld');
