/**
 * `mimtrust credentials rotate-key`: a new key for the credentials the city signs, in
 * front of the old ones. With did:web the old keys stay in the DID document, so receipts
 * they signed stay verifiable; with did:key the new key is a new DID. The gateway signs
 * with the new key from its next start.
 */
import { loadConfig } from '../config/index.js';
import { rotateEd25519KeySet } from '../keys/index.js';
import { noPositionals, parseOptions } from './options.js';

/** The key set's name, as src/credentials names it (not imported: the command needs none of its libraries). */
const VC_ASSERTION_KEY_SET = 'vc-assertion';

export async function runCredentialsRotateKey(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { config: { type: 'string', short: 'c' } });
  noPositionals(positionals);
  const { config } = loadConfig(values.config);
  const keys = await rotateEd25519KeySet(config.keysDir, VC_ASSERTION_KEY_SET);
  const where = config.credentials.didMethod === 'web' ? 'in the DID document' : 'as did:key DIDs of their own';
  process.stdout.write(`signing key ${keys[0]?.publicKeyMultibase ?? ''}; ${keys.length} keys ${where}; restart the gateway to use it\n`);
  return 0;
}
