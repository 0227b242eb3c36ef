#!/usr/bin/env node
/**
 * The `mimtrust` command. Each sub-command is one function in this folder; this file only
 * dispatches and turns known errors into a one-line message and an exit code.
 */
import { runStart } from './start.js';
import { runToken } from './token.js';
import { runAuditVerify } from './audit-verify.js';
import { runContractsValidate } from './contracts-validate.js';
import { isCodedError } from '../errors/index.js';

const USAGE = `usage: mimtrust <command> [options]

commands:
  start [--config FILE]                      start the gateway
  token --sub NAME --roles R1,R2 [--tenants T1,T2] [--purpose IRI] [--ttl SECONDS] [--config FILE]
                                             print an access token from the local issuer
  audit verify [--config FILE]               check the audit log's hash chain and signed checkpoints
  contracts validate [DIR] [--config FILE]   check every usage contract in DIR (default: contractsDir)

The configuration file defaults to ./mimtrust.yaml when present (or MIMTRUST_CONFIG);
see mimtrust.example.yaml for every key.`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'start':
      return runStart(rest);
    case 'token':
      return runToken(rest);
    case 'audit':
      if (rest[0] === 'verify') return runAuditVerify(rest.slice(1));
      break;
    case 'contracts':
      if (rest[0] === 'validate') return runContractsValidate(rest.slice(1));
      break;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return cmd === undefined ? 2 : 0;
  }
  process.stderr.write(`mimtrust: unknown command "${argv.join(' ')}"\n\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    // `start` returns 0 and keeps running on its server; the others end with their code.
    process.exitCode = code;
  },
  (err: unknown) => {
    if (isCodedError(err)) process.stderr.write(`mimtrust: ${err.message}\n`);
    else process.stderr.write(`mimtrust: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
