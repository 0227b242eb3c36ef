#!/usr/bin/env node
/**
 * The `mimtrust` command. Its commands are one table (commands.ts: words, usage, handler),
 * each handler in a file of its own; this file dispatches and turns the outcome into an
 * exit status: 0 done, 1 failed, 2 command line not understood (UsageError). A failure is
 * one line; a stack trace only at log level debug (MIMTRUST_LOG_LEVEL, or the `start`
 * configuration's logLevel).
 */
import { readFileSync } from 'node:fs';
import { COMMANDS, overview, usageOf } from './commands.js';
import { HelpRequested, UsageError } from './options.js';
import { reportFailure } from './report.js';

const HELP = new Set(['--help', '-h', 'help']);

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** A word of the command line, quoted in a message only when it is plainly a word. */
function quoted(word: string | undefined): string {
  return word !== undefined && /^[\w.-]{1,40}$/.test(word) ? ` "${word}"` : '';
}

async function main(argv: string[]): Promise<number> {
  const [first, second] = argv;
  if (first === '--version' || first === '-V') {
    process.stdout.write(`mimtrust ${version()}\n`);
    return 0;
  }
  if (first === undefined) {
    process.stderr.write(overview() + '\n');
    return 2;
  }
  if (HELP.has(first)) {
    process.stdout.write(overview() + '\n');
    return 0;
  }
  const command = COMMANDS.find((c) => c.words.every((w, i) => argv[i] === w));
  if (command === undefined) {
    const group = COMMANDS.some((c) => c.words.length > 1 && c.words[0] === first);
    if (group && second !== undefined && HELP.has(second)) {
      process.stdout.write(overview(first) + '\n');
      return 0;
    }
    if (group) throw new UsageError(second === undefined ? `${first} needs a command; see mimtrust ${first} --help` : `unknown ${first} command${quoted(second)}; see mimtrust ${first} --help`);
    throw new UsageError(`unknown command${quoted(first)}; see mimtrust --help`);
  }
  try {
    return await command.run(argv.slice(command.words.length));
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(usageOf(command) + '\n');
      return 0;
    }
    if (err instanceof UsageError) throw new UsageError(`${err.message}; see mimtrust ${command.words.join(' ')} --help`);
    throw err;
  }
}

// `head` closing the pipe ends the output, not with an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => {
    // `start` returns 0 and keeps running on its server; `tail` keeps polling until it
    // returns. A failure exits at once, whatever handles a half-made start left open.
    if (code === 0) process.exitCode = 0;
    else process.exit(code);
  },
  (err: unknown) => {
    reportFailure(err, process.env.MIMTRUST_LOG_LEVEL);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
