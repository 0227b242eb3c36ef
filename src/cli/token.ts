import { loadConfig } from '../config/index.js';
import { loadOrCreateSigningKey } from '../keys/index.js';
import { issueLocalToken, LOCAL_ISSUER_KEY_NAME } from '../issuer/index.js';
import { parseOptions, list } from './options.js';

export async function runToken(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    config: { type: 'string', short: 'c' },
    sub: { type: 'string' },
    client: { type: 'string' },
    roles: { type: 'string' },
    tenants: { type: 'string' },
    purpose: { type: 'string' },
    org: { type: 'string' },
    recipient: { type: 'string' },
    consent: { type: 'string', multiple: true },
    ttl: { type: 'string', default: '3600' },
  });
  const { config } = loadConfig(values.config);
  if (!config.localIssuer.enabled) {
    process.stderr.write('mimtrust: the local issuer is disabled (localIssuer.enabled: false)\n');
    return 1;
  }
  if (!values.sub) {
    process.stderr.write('mimtrust: token needs --sub\n');
    return 2;
  }
  const ttlSec = Number(values.ttl);
  // A longer token would be refused by the gateway itself.
  const maxSec = config.auth.maxTokenLifetimeSec;
  if (!Number.isInteger(ttlSec) || ttlSec < 1 || ttlSec > maxSec) {
    process.stderr.write(`mimtrust: --ttl must be a whole number of seconds, at most ${maxSec} (auth.maxTokenLifetimeSec)\n`);
    return 2;
  }
  const key = await loadOrCreateSigningKey(config.keysDir, LOCAL_ISSUER_KEY_NAME);
  const tenants = values.tenants === undefined ? undefined : list(values.tenants);
  const token = await issueLocalToken(key, config.localIssuer, {
    sub: values.sub,
    ...(values.client ? { clientId: values.client } : {}),
    roles: list(values.roles),
    ...(tenants ? { tenants } : {}),
    ...(values.purpose ? { purpose: values.purpose } : {}),
    ...(values.org ? { organisation: values.org } : {}),
    ...(values.recipient ? { recipient: values.recipient } : {}),
    ...(values.consent ? { consents: values.consent } : {}),
    ttlSec,
  });
  process.stdout.write(token + '\n');
  return 0;
}
