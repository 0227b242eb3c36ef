import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { loadConfig, namedIssuers } from '../config/index.js';
import { contextResolverFor } from '../context/index.js';
import { readContractDir, compileDocuments, ContractError, partyNames } from '../contracts/index.js';
import { parseOptions } from './options.js';

/**
 * `mimtrust contracts validate [DIR]`: compile every contract file in DIR (default: the
 * configured contractsDir) exactly as the gateway would; exit 1 naming the file, rule and
 * term of the first problem.
 */
export async function runContractsValidate(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { config: { type: 'string', short: 'c' } });
  const { config } = loadConfig(values.config);
  const dir = positionals[0] ? resolve(positionals[0]) : config.contractsDir;
  if (!existsSync(dir)) {
    process.stderr.write(`mimtrust: no such folder: ${dir}\n`);
    return 1;
  }
  const resolver = await contextResolverFor(config.contexts);
  try {
    const docs = readContractDir(dir);
    const snapshot = await compileDocuments(docs, resolver, partyNames(namedIssuers(config)));
    let rules = 0;
    for (const c of snapshot.contracts.values()) rules += c.permissions.length + c.prohibitions.length;
    process.stdout.write(`${docs.length} contract file(s) valid in ${dir}: ${snapshot.contracts.size} contracts, ${rules} rules\n`);
    return 0;
  } catch (err) {
    if (err instanceof ContractError) {
      process.stdout.write(`invalid: ${err.message} [${err.code}]\n`);
      return 1;
    }
    throw err;
  }
}
