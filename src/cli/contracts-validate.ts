import { join, resolve } from 'node:path';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { loadConfig, namedIssuers } from '../config/index.js';
import { contextResolverFor } from '../context/index.js';
import {
  defaultExpander, duplicateUids, partyNames, problemOf, readContractDir, readContractFileAt, validateDocument,
  type BrokerNames, type CompiledContract, type ContractProblem, type DocumentRead,
} from '../contracts/index.js';
import { grantedRoles, parseRoleCsv } from '../policy/index.js';
import { parseOptions, UsageError } from './options.js';

/** Exit codes: 0 valid, 1 invalid (or, with --strict, a warning); a wrong use is a UsageError (2). */
const VALID = 0;
const INVALID = 1;

interface Input {
  /** As the output names it: the path as given, joined with the file name for a folder. */
  shown: string;
  read: DocumentRead;
}

/** The contract files the arguments name: each folder's files, sorted, and each file named. */
function inputsOf(paths: readonly string[]): Input[] | string {
  const out: Input[] = [];
  for (const p of paths) {
    if (!existsSync(p)) return `no such file or folder: ${p}`;
    if (statSync(p).isDirectory()) {
      for (const read of readContractDir(resolve(p)).files) out.push({ shown: join(p, read.source), read });
    } else {
      out.push({ shown: p, read: readContractFileAt(resolve(p)) });
    }
  }
  return out;
}

/** The roles roles.csv grants something to; undefined when the policies folder has none. */
function knownRoles(policiesDir: string, providers: ReadonlySet<string>): ReadonlySet<string> | undefined {
  const file = join(policiesDir, 'roles.csv');
  if (!existsSync(file)) return undefined;
  return grantedRoles(parseRoleCsv(readFileSync(file, 'utf8'), file, providers));
}

/** Every item `id` of a discovery answer: the expanded IRIs of the types or attributes the broker holds. */
async function discovered(base: string, path: string): Promise<Set<string>> {
  const res = await fetch(`${base}${path}`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  const body: unknown = await res.json();
  if (!Array.isArray(body)) throw new Error(`${path} did not answer a list`);
  const out = new Set<string>();
  for (const item of body as Array<Record<string, unknown>>) {
    const name = item?.['id'] ?? item?.['typeName'] ?? item?.['attributeName'];
    if (typeof name === 'string') out.add(defaultExpander(name));
  }
  return out;
}

/** What the broker's NGSI-LD discovery lists (`/types?details=true`, `/attributes?details=true`). */
async function brokerNames(url: string): Promise<BrokerNames> {
  const base = `${url.replace(/\/+$/, '').replace(/\/ngsi-ld\/v1$/, '')}/ngsi-ld/v1`;
  return {
    types: await discovered(base, '/types?details=true'),
    attributes: await discovered(base, '/attributes?details=true'),
  };
}

function line(p: ContractProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.severity}: ${p.message} [${p.code}]\n`;
}

/**
 * `mimtrust contracts validate [DIR|FILE...]`: check every contract file named (default:
 * the configured contractsDir) exactly as the gateway would load it, each on its own, and
 * report every problem of every file in one run, each at its line and column, errors and
 * warnings (names that resolve to nothing known; see src/contracts/validate.ts). `--strict`
 * counts warnings as errors, `--json` prints one JSON object per problem, `--broker URL`
 * also warns of types and attributes the broker does not know.
 */
export async function runContractsValidate(args: string[]): Promise<number> {
  // A command line not understood is a UsageError: exit 2, like every command (see index.ts).
  const { values, positionals } = parseOptions(args, {
    config: { type: 'string', short: 'c' },
    strict: { type: 'boolean' },
    json: { type: 'boolean' },
    broker: { type: 'string' },
  });
  if (values.broker !== undefined && !/^https?:\/\/[^\s]+$/.test(values.broker)) throw new UsageError('--broker takes an http(s) URL');
  const { config } = loadConfig(values.config);
  const inputs = inputsOf(positionals.length > 0 ? positionals : [config.contractsDir]);
  if (typeof inputs === 'string') throw new UsageError(inputs);
  let broker: BrokerNames | undefined;
  if (values.broker !== undefined) {
    try {
      broker = await brokerNames(values.broker);
    } catch (err) {
      process.stderr.write(`mimtrust: cannot read the broker's discovery at ${values.broker}: ${(err as Error).message}\n`);
      return INVALID;
    }
  }
  const roles = knownRoles(config.policiesDir, new Set(config.providers.map((p) => p.id)));
  const env = {
    resolver: await contextResolverFor(config.contexts),
    parties: partyNames(namedIssuers(config)),
    ...(roles ? { roles } : {}),
    ...(broker ? { broker } : {}),
  };

  const problems: ContractProblem[] = [];
  const compiled: CompiledContract[] = [];
  const shownAs = new Map<string, string>();
  for (const { shown, read } of inputs) {
    shownAs.set(read.source, shown);
    const found = 'error' in read
      ? { contract: undefined, problems: [problemOf(read.error, undefined)] }
      : await validateDocument(read, env);
    for (const p of found.problems) problems.push({ ...p, file: shown });
    if (found.contract) compiled.push(found.contract);
  }
  for (const clash of duplicateUids(compiled)) problems.push({ ...problemOf(clash, undefined), file: shownAs.get(clash.source) ?? clash.source });

  if (values.strict) for (const p of problems) p.severity = 'error';
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (values.json) {
    for (const p of problems) process.stdout.write(`${JSON.stringify(p)}\n`);
  } else {
    for (const p of problems) process.stdout.write(line(p));
  }
  const summary = errors > 0
    ? `${inputs.length} contract file(s) checked: ${errors} error(s), ${warnings} warning(s)\n`
    : `${inputs.length} contract file(s) valid: ${compiled.length} contracts, ${compiled.reduce((n, c) => n + c.permissions.length + c.prohibitions.length, 0)} rules${warnings > 0 ? `, ${warnings} warning(s)` : ''}\n`;
  // With --json, stdout carries the problems alone.
  (values.json ? process.stderr : process.stdout).write(summary);
  return errors > 0 ? INVALID : VALID;
}
