/**
 * The logger of one request, made only once something is logged through it. fastify makes
 * a pino child per request by default (bindings serialised, redaction set up), which is
 * paid on every request although the request logger writes only on rare errors: the
 * access line goes through the server's own logger (observe/).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

type Method = 'info' | 'error' | 'debug' | 'fatal' | 'warn' | 'trace' | 'silent';

class RequestLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined;
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #made(): FastifyBaseLogger {
    return (this.#child ??= this.#parent.child(this.#bindings, this.#options));
  }

  #call(method: Method, args: unknown[]): void {
    const child = this.#made();
    Reflect.apply(child[method], child, args);
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#made().level = level;
  }

  info(...args: unknown[]): void { this.#call('info', args); }
  error(...args: unknown[]): void { this.#call('error', args); }
  warn(...args: unknown[]): void { this.#call('warn', args); }
  debug(...args: unknown[]): void { this.#call('debug', args); }
  trace(...args: unknown[]): void { this.#call('trace', args); }
  fatal(...args: unknown[]): void { this.#call('fatal', args); }
  silent(...args: unknown[]): void { this.#call('silent', args); }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#made().child(bindings, options);
  }
}

/** fastify's `childLoggerFactory`: a request logger that becomes a pino child on first use. */
export function lazyRequestLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new RequestLogger(parent, bindings, options);
}
