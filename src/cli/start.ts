import { loadConfig } from '../config/index.js';
// Not app/index.js: a cluster's primary only supervises, and the application it would load
// with startGateway (the gateway, issuer, consent, admin and their libraries) is loaded
// below only by a process that serves.
import { runCluster, tellPrimary, workerSlot } from '../app/cluster.js';
import type { Gateway } from '../app/index.js';
import { createLogger } from '../observe/logger.js';
import { noPositionals, parseOptions, UsageError } from './options.js';
import { reportFailure } from './report.js';

export async function runStart(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { config: { type: 'string', short: 'c' }, workers: { type: 'string', short: 'w' } });
  noPositionals(positionals);
  const env = { ...process.env };
  if (values.workers !== undefined) {
    if (!/^[1-9]\d*$/.test(values.workers)) throw new UsageError('--workers takes a whole number, 1 or more');
    // The option wins over the file and the environment, as MIMTRUST_WORKERS wins over the file.
    env.MIMTRUST_WORKERS = values.workers;
  }
  const { config, file } = loadConfig(values.config, env);
  const log = createLogger(config);
  const worker = workerSlot();
  if (worker === undefined && (config.workers ?? 1) > 1) {
    log.info(file ? `configuration: ${file}` : 'configuration: built-in defaults (no mimtrust.yaml found)');
    const code = await runCluster(config, log, (err) => reportFailure(err, config.logLevel));
    process.exit(code);
  }
  if (worker === undefined) log.info(file ? `configuration: ${file}` : 'configuration: built-in defaults (no mimtrust.yaml found)');
  let gateway: Gateway;
  try {
    const { startGateway } = await import('../app/start.js');
    gateway = await startGateway(config, { logger: log, ...(worker !== undefined ? { worker } : {}) });
  } catch (err) {
    // Reported here, where the configured log level is known.
    reportFailure(err, config.logLevel);
    return 1;
  }
  tellPrimary({ mimtrust: 'ready', url: gateway.url });
  const stop = (signal: string) => {
    log.info(`${signal}: closing`);
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error(err, 'close failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return 0;
}
