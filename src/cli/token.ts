import { loadConfig } from '../config/index.js';
import { loadOrCreateSigningKey } from '../keys/index.js';
import { issueLocalToken, LOCAL_ISSUER_KEY_NAME } from '../issuer/index.js';
import { parseOptions, list, noPositionals, required, wholeNumber } from './options.js';

export async function runToken(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    config: { type: 'string', short: 'c' },
    sub: { type: 'string' },
    client: { type: 'string' },
    roles: { type: 'string' },
    tenants: { type: 'string' },
    purpose: { type: 'string' },
    org: { type: 'string' },
    recipient: { type: 'string' },
    consent: { type: 'string', multiple: true },
    scope: { type: 'string' },
    ttl: { type: 'string', default: '3600' },
  });
  noPositionals(positionals);
  const sub = required(values.sub, '--sub');
  const { config } = loadConfig(values.config);
  // A longer token would be refused by the gateway itself.
  const ttlSec = wholeNumber(values.ttl, '--ttl', 1, config.auth.maxTokenLifetimeSec, ' seconds (auth.maxTokenLifetimeSec)');
  if (!config.localIssuer.enabled) {
    process.stderr.write('mimtrust: the local issuer is disabled (localIssuer.enabled: false)\n');
    return 1;
  }
  const key = await loadOrCreateSigningKey(config.keysDir, LOCAL_ISSUER_KEY_NAME);
  const tenants = values.tenants === undefined ? undefined : list(values.tenants);
  const token = await issueLocalToken(key, config.localIssuer, {
    sub,
    ...(values.client ? { clientId: values.client } : {}),
    roles: list(values.roles),
    ...(tenants ? { tenants } : {}),
    ...(values.purpose ? { purpose: values.purpose } : {}),
    ...(values.org ? { organisation: values.org } : {}),
    ...(values.recipient ? { recipient: values.recipient } : {}),
    ...(values.consent ? { consents: values.consent } : {}),
    ...(values.scope ? { scope: values.scope } : {}),
    ttlSec,
  });
  process.stdout.write(token + '\n');
  return 0;
}
