import { Agent } from 'undici';
import { loadConfig } from '../config/index.js';
import { noPositionals, parseOptions, wholeNumber } from './options.js';

/** Addresses that mean "every interface": the check goes to loopback instead. */
const ANY_ADDRESS = new Set(['0.0.0.0', '::', '']);

/**
 * `mimtrust health`: exit 0 when the gateway of this configuration answers 200 on /health
 * at its configured port, 1 otherwise. Meant for container health checks, which run
 * beside the gateway: the certificate is not checked (a self-signed one is the default,
 * and loopback is not where it could be spoofed).
 */
export async function runHealth(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { config: { type: 'string', short: 'c' }, timeout: { type: 'string', default: '3000' } });
  noPositionals(positionals);
  const timeoutMs = wholeNumber(values.timeout, '--timeout', 1, 600_000, ' milliseconds');
  const { config } = loadConfig(values.config);
  if (config.listen.port === 0) {
    process.stderr.write('mimtrust: listen.port is 0 (any free port): there is no fixed port to check\n');
    return 1;
  }
  const host = ANY_ADDRESS.has(config.listen.host) ? '127.0.0.1' : config.listen.host;
  const origin = `${config.tls.enabled ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${config.listen.port}`;
  const agent = new Agent({ connect: { rejectUnauthorized: false, timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  try {
    const res = await agent.request({ origin, path: '/health', method: 'GET' });
    await res.body.dump();
    if (res.statusCode === 200) return 0;
    process.stderr.write(`mimtrust: ${origin}/health answered ${res.statusCode}\n`);
    return 1;
  } catch (err) {
    process.stderr.write(`mimtrust: nothing answers at ${origin}/health (${(err as { code?: string }).code ?? 'no answer'})\n`);
    return 1;
  } finally {
    await agent.close();
  }
}
