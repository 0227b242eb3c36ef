import { loadConfig } from '../config/index.js';
import { startGateway } from '../app/index.js';
import { createLogger } from '../observe/index.js';
import { parseOptions } from './options.js';

export async function runStart(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { config: { type: 'string', short: 'c' } });
  const { config, file } = loadConfig(values.config);
  const log = createLogger(config);
  log.info(file ? `configuration: ${file}` : 'configuration: built-in defaults (no mimtrust.yaml found)');
  const gateway = await startGateway(config, { logger: log });
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
