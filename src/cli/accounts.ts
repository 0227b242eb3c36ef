/**
 * `mimtrust accounts add|list|disable`: citizens' local accounts for the city's own issuer.
 * A password is read from standard input (its first line) or, on a terminal, from a
 * prompt that does not echo: never from an argument, which other users could read in the
 * process list and which stays in shell history. The accounts are those of the store the
 * gateway runs on: the SQLite file, or the PostgreSQL database (`store.url`) every instance
 * reads, so an account added or disabled here holds on all of them.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { loadConfig } from '../config/index.js';
import { Accounts } from '../accounts/index.js';
import { openPostgres, openSqlite, PgAccountStore, SqliteAccountStore } from '../store/index.js';
import { noPositionals, parseOptions, required } from './options.js';

async function readPassword(): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    let text = '';
    for await (const chunk of input) {
      text += String(chunk);
      if (text.includes('\n') || text.length > 4096) break;
    }
    return text.split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write('password: ');
  // The terminal's echo goes to a stream that drops it.
  const silent = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input, output: silent, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

async function withAccounts<T>(configPath: string | undefined, f: (accounts: Accounts) => Promise<T>): Promise<T> {
  const { config } = loadConfig(configPath);
  if (config.store.url !== null) {
    const pool = await openPostgres(config.store.url, { maxConnections: 2 });
    return f(new Accounts(new PgAccountStore(pool))).finally(() => pool.end());
  }
  const db = openSqlite(config.store.path);
  return f(new Accounts(new SqliteAccountStore(db))).finally(() => db.close());
}

const OPTIONS = { config: { type: 'string', short: 'c' }, username: { type: 'string' } } as const;

/** `mimtrust accounts add --username U`: the password from standard input or a prompt, never an argument. */
export async function runAccountsAdd(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS);
  noPositionals(positionals);
  const username = required(values.username, '--username');
  const password = await readPassword();
  const account = await withAccounts(values.config, (a) => a.add(username, password, Date.now()));
  process.stdout.write(`${account.id}\t${account.username}\n`);
  return 0;
}

export async function runAccountsList(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { config: OPTIONS.config });
  noPositionals(positionals);
  await withAccounts(values.config, async (a) => {
    for (const acc of await a.list()) {
      process.stdout.write(`${acc.id}\t${acc.username}\t${acc.createdAt}\t${acc.disabledAt === undefined ? 'active' : `disabled ${acc.disabledAt}`}\n`);
    }
  });
  return 0;
}

export async function runAccountsDisable(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS);
  noPositionals(positionals);
  const username = required(values.username, '--username');
  await withAccounts(values.config, async (a) => a.disable(username, Date.now()));
  return 0;
}
