import { CodedError } from '../errors/index.js';

/** A configuration that cannot be used; `key` is the dotted path of the offending key. */
export class ConfigError extends CodedError<'ERR_CONFIG_INVALID'> {
  readonly code = 'ERR_CONFIG_INVALID';
  readonly key: string;
  constructor(key: string, message: string) {
    super(key ? `config key "${key}": ${message}` : `config: ${message}`);
    this.name = 'ConfigError';
    this.key = key;
  }
}
