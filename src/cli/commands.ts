/**
 * Every command of `mimtrust`, one row each: the words that name it, its usage and what
 * runs it. Help, dispatch and the overview are made from this table alone. A handler's
 * module is loaded only when its command runs, so --help and --version answer at once.
 */
import { setFlagsFromString } from 'node:v8';
import { applyRuntimeFlags } from '../app/node-flags.js';

export interface Command {
  /** The words that name it, e.g. ['audit', 'list']. */
  words: readonly string[];
  /** What follows the words, as one line. */
  synopsis: string;
  summary: string;
  /** Option lines shown by `--help`, after the synopsis. */
  options: readonly string[];
  run(args: string[]): Promise<number>;
}

const CONFIG = '-c, --config FILE        configuration file (default: MIMTRUST_CONFIG, else ./mimtrust.yaml)';

const FILTERS = [
  '--subject SUB            records of this subject (the token\'s sub)',
  '--client ID              records of this client id',
  '--decision ID            the record of this decision id',
  '--effect permit|deny     permits or denials only',
  '--since TIME             at or after TIME: ISO 8601 (2025-01-31T12:00:00Z) or back from now (30m, 1h, 7d)',
  '--until TIME             before TIME, same forms',
  '--format json|csv        JSON lines (default) or CSV with a header row',
  CONFIG,
];

export const COMMANDS: readonly Command[] = [
  {
    words: ['start'],
    synopsis: '[--workers N] [--config FILE]',
    summary: 'start the gateway',
    options: ['--workers N              processes serving the port (default: workers, MIMTRUST_WORKERS; one per core on PostgreSQL, 1 on SQLite)', CONFIG],
    // The gateway's run-time V8 settings before its modules load, so that no allocation
    // site is pretenured while they do (startGateway sets them too, for embedders).
    run: (args) => {
      applyRuntimeFlags(process.execArgv, process.env.NODE_OPTIONS, setFlagsFromString);
      return import('./start.js').then((m) => m.runStart(args));
    },
  },
  {
    words: ['token'],
    synopsis: '--sub NAME [--roles R1,R2] [--client ID] [--org ORG] [--purpose IRI] [--recipient R] [--scope S] [--tenants T1,T2] [--ttl SEC] [--config FILE]',
    summary: 'print an access token from the local issuer',
    options: [
      '--sub NAME               subject (required)',
      '--roles R1,R2            roles',
      '--client ID              client id (default: the subject)',
      '--org ORG                organisation (org_id claim)',
      '--purpose IRI            declared purpose, e.g. dpv:ServiceProvision',
      '--recipient R            declared recipient',
      '--scope S                OAuth scopes, space separated (consents: the citizen\'s own consent API)',
      '--tenants T1,T2          tenants the token is limited to',
      '--ttl SEC                lifetime in seconds (default 3600, at most auth.maxTokenLifetimeSec)',
      CONFIG,
    ],
    run: (args) => import('./token.js').then((m) => m.runToken(args)),
  },
  {
    words: ['health'],
    synopsis: '[--timeout MS] [--config FILE]',
    summary: 'exit 0 when the configured gateway answers on /health (for container health checks)',
    options: ['--timeout MS             give up after MS milliseconds (default 3000)', CONFIG],
    run: (args) => import('./health.js').then((m) => m.runHealth(args)),
  },
  {
    words: ['audit', 'verify'],
    synopsis: '[--config FILE]',
    summary: "check the audit log's hash chain, signed checkpoints and anchor file",
    options: [CONFIG],
    run: (args) => import('./audit-verify.js').then((m) => m.runAuditVerify(args)),
  },
  {
    words: ['audit', 'list'],
    synopsis: '[--limit N] [filters] [--format json|csv] [--config FILE]',
    summary: 'print the newest matching audit records, oldest first',
    options: ['--limit N                how many (default 50)', ...FILTERS],
    run: (args) => import('./audit-records.js').then((m) => m.runAuditList(args)),
  },
  {
    words: ['audit', 'tail'],
    synopsis: '[--limit N] [--count N] [filters] [--format json|csv] [--config FILE]',
    summary: 'print the newest matching audit records, then each new one as it is written (until Ctrl-C)',
    options: ['--limit N                how many existing records first (default 10; 0 for none)', '--count N                stop after N records in all', ...FILTERS],
    run: (args) => import('./audit-records.js').then((m) => m.runAuditTail(args)),
  },
  {
    words: ['audit', 'export'],
    synopsis: '[--out FILE] [filters] [--format json|csv] [--config FILE]',
    summary: 'write every matching audit record, oldest first',
    options: ['-o, --out FILE           write to FILE (created readable by its owner only) instead of stdout', ...FILTERS],
    run: (args) => import('./audit-records.js').then((m) => m.runAuditExport(args)),
  },
  {
    words: ['contracts', 'validate'],
    synopsis: '[DIR|FILE...] [--strict] [--json] [--broker URL] [--config FILE]',
    summary: 'check the usage contracts named (default: those in contractsDir): every problem at its line and column; exit 0 valid, 1 invalid',
    options: [
      '--strict                 warnings count as problems (exit 1)',
      '--json                   one JSON object per problem: file, line, column, severity, code, message, suggestion',
      '--broker URL             also warn on types and attributes the broker at URL does not list (NGSI-LD discovery)',
      CONFIG,
    ],
    run: (args) => import('./contracts-validate.js').then((m) => m.runContractsValidate(args)),
  },
  {
    words: ['accounts', 'add'],
    synopsis: '--username U [--config FILE]',
    summary: "add a citizen account for the city's OIDC issuer; the password is read from standard input or a prompt",
    options: ['--username U             the name the citizen logs in with', CONFIG],
    run: (args) => import('./accounts.js').then((m) => m.runAccountsAdd(args)),
  },
  {
    words: ['accounts', 'list'],
    synopsis: '[--config FILE]',
    summary: 'list citizen accounts (id, username, created, status)',
    options: [CONFIG],
    run: (args) => import('./accounts.js').then((m) => m.runAccountsList(args)),
  },
  {
    words: ['accounts', 'disable'],
    synopsis: '--username U [--config FILE]',
    summary: 'stop an account from logging in and from renewing its tokens',
    options: ['--username U             the account to disable', CONFIG],
    run: (args) => import('./accounts.js').then((m) => m.runAccountsDisable(args)),
  },
  {
    words: ['issuer', 'rotate-key'],
    synopsis: '[--config FILE]',
    summary: "add a new signing key for the city's OIDC issuer, keeping the old ones in its JWKS (used from the next start)",
    options: [CONFIG],
    run: (args) => import('./issuer-rotate-key.js').then((m) => m.runIssuerRotateKey(args)),
  },
  {
    words: ['credentials', 'rotate-key'],
    synopsis: '[--config FILE]',
    summary: "add a new key for the credentials the city signs, keeping the old ones in its DID document (used from the next start)",
    options: [CONFIG],
    run: (args) => import('./credentials-rotate-key.js').then((m) => m.runCredentialsRotateKey(args)),
  },
  {
    words: ['contracts', 'explain'],
    synopsis: '--role R [--client C] [--org O] [--purpose P] [--issuer NAME] [--recipient R] [--tenant T] [--at TIME] [--json] [--config FILE]',
    summary: 'who sees what: per entity type, what a caller may see or change, and why (contract files)',
    options: [
      '--role R                 a role of the caller (repeatable, or a comma list)',
      '--client C, --sub S      the caller\'s client id, subject',
      '--org O                  the caller\'s organisation',
      '--purpose P              the declared purpose (dpv:PublicBenefit, or an IRI)',
      '--issuer NAME            the caller\'s issuer, as contracts name it (default: the city\'s own)',
      '--recipient R            a declared recipient',
      '--tenant T               the tenant explained (default: the default tenant)',
      '--at TIME                the moment explained, ISO 8601 with a zone (default: now)',
      '--context URL            name types and attributes by this @context\'s terms',
      '--json                   the admin API\'s JSON instead of a table',
      CONFIG,
    ],
    run: (args) => import('./contracts-explain.js').then((m) => m.runContractsExplain(args)),
  },
];
export function usageOf(cmd: Command): string {
  return [`usage: mimtrust ${cmd.words.join(' ')} ${cmd.synopsis}`, '', cmd.summary, '', 'options:', ...cmd.options.map((o) => `  ${o}`), '  -h, --help               this help'].join('\n');
}

/** The overview: every command (or every one under `group`) with its summary. */
export function overview(group?: string): string {
  const shown = COMMANDS.filter((c) => group === undefined || c.words[0] === group);
  const names = shown.map((c) => c.words.join(' '));
  const width = Math.max(...names.map((n) => n.length)) + 2;
  const lines = shown.map((c, i) => `  ${names[i]!.padEnd(width)}${c.summary}`);
  return [
    `usage: mimtrust ${group ?? '<command>'} ${group === undefined ? '' : '<command> '}[options]`,
    '',
    'commands:',
    ...lines,
    '',
    `mimtrust ${group ?? '<command>'}${group === undefined ? '' : ' <command>'} --help shows a command's options; mimtrust --version its version.`,
    'Exit status: 0 done, 1 failed (or found a problem), 2 the command line was not understood.',
  ].join('\n');
}
