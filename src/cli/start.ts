import { loadConfig } from '../config/index.js';
import { startGateway, type Gateway } from '../app/index.js';
import { createLogger } from '../observe/index.js';
import { noPositionals, parseOptions } from './options.js';
import { reportFailure } from './report.js';

export async function runStart(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { config: { type: 'string', short: 'c' } });
  noPositionals(positionals);
  const { config, file } = loadConfig(values.config);
  const log = createLogger(config);
  log.info(file ? `configuration: ${file}` : 'configuration: built-in defaults (no mimtrust.yaml found)');
  let gateway: Gateway;
  try {
    gateway = await startGateway(config, { logger: log });
  } catch (err) {
    // Reported here, where the configured log level is known.
    reportFailure(err, config.logLevel);
    return 1;
  }
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
