/**
 * The gateway's own credentials for the broker (`upstream.auth`). The caller's credentials
 * are for the gateway; the broker sees only these.
 */
import type { Config } from '../config/index.js';
import { ClientCredentialsToken } from './client-credentials.js';
import { readSecret } from './secret.js';

export { ClientCredentialsToken, parseTokenResponse, type ClientCredentialsOptions } from './client-credentials.js';
export { readSecret, type SecretSource } from './secret.js';

export interface UpstreamAuth {
  /** Lower-case header name the credential travels in. */
  readonly header: string;
  /** The header value; rejects with a MimtrustError when no credential can be had. */
  value(): string | Promise<string>;
  /** The broker answered 401 to this credential. */
  rejected(): void;
}

/** Builds the configured credential, reading its secrets now; undefined when none is configured. */
export function createUpstreamAuth(
  cfg: Config['upstream']['auth'],
  env: NodeJS.ProcessEnv = process.env,
  now?: () => number,
): UpstreamAuth | undefined {
  if (cfg.header !== null) {
    const h = cfg.header;
    const value = readSecret({ value: h.value, env: h.valueEnv, file: h.valueFile }, 'upstream.auth.header.value', env);
    return { header: h.name.toLowerCase(), value: () => value, rejected: () => undefined };
  }
  if (cfg.clientCredentials !== null) {
    const c = cfg.clientCredentials;
    const clientSecret = readSecret(
      { value: c.clientSecret, env: c.clientSecretEnv, file: c.clientSecretFile },
      'upstream.auth.clientCredentials.clientSecret',
      env,
    );
    const token = new ClientCredentialsToken({
      tokenUrl: c.tokenUrl,
      clientId: c.clientId,
      clientSecret,
      authMethod: c.authMethod,
      scope: c.scope,
      audience: c.audience,
      refreshBeforeSec: c.refreshBeforeSec,
      timeoutMs: c.timeoutMs,
      ...(now ? { now } : {}),
    });
    return { header: 'authorization', value: () => token.authorization(), rejected: () => token.invalidate() };
  }
  return undefined;
}
