/**
 * `mimtrust issuer rotate-key`: a new signing key for the city's own issuer, in front of
 * the old ones, which stay in its JWKS so that tokens already issued stay verifiable. The
 * gateway signs and verifies with the new set from its next start.
 */
import { loadConfig } from '../config/index.js';
import { rotateKeySet } from '../keys/index.js';
import { OIDC_KEY_SET_NAME } from '../issuer/index.js';
import { noPositionals, parseOptions } from './options.js';

export async function runIssuerRotateKey(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { config: { type: 'string', short: 'c' } });
  noPositionals(positionals);
  const { config } = loadConfig(values.config);
  const set = await rotateKeySet(config.keysDir, OIDC_KEY_SET_NAME);
  process.stdout.write(`signing key ${set.publicKeys[0]?.kid ?? ''}; ${set.keys.length} keys in the JWKS; restart the gateway to use it\n`);
  return 0;
}
