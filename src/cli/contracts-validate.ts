import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { loadConfig, namedIssuers } from '../config/index.js';
import { contextResolverFor } from '../context/index.js';
import { readContractDir, compileDocument, snapshotOf, ContractError, partyNames, type CompiledContract } from '../contracts/index.js';
import { parseOptions } from './options.js';

/**
 * `mimtrust contracts validate [DIR]`: compile every contract file in DIR (default: the
 * configured contractsDir) exactly as the gateway would, each on its own; print one line
 * per problem naming the file, rule and term (or the line and column of bad JSON), and
 * exit 1 when there is any. A remote context that cannot be retrieved is a problem here.
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
  const parties = partyNames(namedIssuers(config));
  const { files } = readContractDir(dir);
  const problems: ContractError[] = [];
  const compiled: CompiledContract[] = [];
  for (const file of files) {
    if ('error' in file) {
      problems.push(file.error);
      continue;
    }
    try {
      compiled.push(await compileDocument(file, resolver, parties));
    } catch (err) {
      if (!(err instanceof ContractError)) throw err;
      problems.push(err);
    }
  }
  try {
    snapshotOf(compiled);
  } catch (err) {
    if (!(err instanceof ContractError)) throw err;
    problems.push(err);
  }
  for (const p of problems) process.stdout.write(`invalid: ${p.message} [${p.code}]\n`);
  if (problems.length > 0) return 1;
  let rules = 0;
  for (const c of compiled) rules += c.permissions.length + c.prohibitions.length;
  process.stdout.write(`${files.length} contract file(s) valid in ${dir}: ${compiled.length} contracts, ${rules} rules\n`);
  return 0;
}
