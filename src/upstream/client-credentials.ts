/**
 * An OAuth 2.0 client-credentials access token (RFC 6749 §4.4) for the broker. Fetched on
 * first use, reused until shortly before it expires, then fetched again; concurrent
 * requests share one fetch. A failure is never cached and never answered with a stale
 * token past its expiry: the request is refused, so nothing reaches the broker without
 * the gateway's credentials.
 */
import { request } from 'undici';
import { MimtrustError } from '../errors/index.js';
import { readBounded } from '../lib/index.js';

export interface ClientCredentialsOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** client_secret_basic (Authorization header) or client_secret_post (form fields). */
  authMethod: 'client_secret_basic' | 'client_secret_post';
  scope?: string | undefined;
  audience?: string | undefined;
  /** Fetch a new token this long before the current one expires. */
  refreshBeforeSec: number;
  timeoutMs: number;
  /** Epoch milliseconds; injected in tests. */
  now?: () => number;
}

interface CachedToken {
  value: string;
  /** Epoch ms after which a new token is fetched. */
  refreshAt: number;
}

/** Token responses larger than this are not tokens. */
const MAX_RESPONSE_BYTES = 65536;
/** RFC 6749 makes expires_in optional; without it a token is reused for this long. */
const DEFAULT_LIFETIME_SEC = 60;

function unavailable(detail: string, cause?: unknown): MimtrustError {
  return new MimtrustError('SERVICE_UNAVAILABLE', detail, { reason: 'upstream_credentials_unavailable', cause });
}

/** RFC 6749 Appendix B: client credentials in Basic auth are form-encoded first. */
function formEncode(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+');
}

export class ClientCredentialsToken {
  private cached: CachedToken | undefined;
  private pending: Promise<string> | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: ClientCredentialsOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The `Authorization` value to present to the broker. */
  authorization(): string | Promise<string> {
    const c = this.cached;
    if (c !== undefined && this.now() < c.refreshAt) return c.value;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** The broker refused the token (revoked, rotated keys): fetch a new one next time. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const o = this.opts;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (o.scope !== undefined) form.set('scope', o.scope);
    if (o.audience !== undefined) form.set('audience', o.audience);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (o.authMethod === 'client_secret_basic') {
      headers.authorization = 'Basic ' + Buffer.from(`${formEncode(o.clientId)}:${formEncode(o.clientSecret)}`).toString('base64');
    } else {
      form.set('client_id', o.clientId);
      form.set('client_secret', o.clientSecret);
    }
    const requestedAt = this.now();
    let text: string;
    let status: number;
    try {
      const res = await request(o.tokenUrl, {
        method: 'POST',
        headers,
        body: form.toString(),
        headersTimeout: o.timeoutMs,
        bodyTimeout: o.timeoutMs,
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      status = res.statusCode;
      text = await readAnswer(res.body);
    } catch (err) {
      if (err instanceof MimtrustError) throw err;
      throw unavailable('The token endpoint for the broker could not be reached.', err);
    }
    if (status !== 200) throw unavailable(`The token endpoint for the broker answered ${status}.`);
    const token = parseTokenResponse(text);
    const lifetimeMs = (token.expiresIn ?? DEFAULT_LIFETIME_SEC) * 1000;
    // A lifetime shorter than the refresh margin would mean a fetch per request: use half of it.
    const marginMs = Math.min(o.refreshBeforeSec * 1000, lifetimeMs / 2);
    const value = `Bearer ${token.accessToken}`;
    this.cached = { value, refreshAt: requestedAt + lifetimeMs - marginMs };
    return value;
  }
}

async function readAnswer(body: AsyncIterable<Buffer>): Promise<string> {
  const text = await readBounded(body, MAX_RESPONSE_BYTES);
  if (text === undefined) throw unavailable('The token endpoint for the broker answered with an oversized response.');
  return text.toString('utf8');
}

/** RFC 6749 §5.1; only Bearer tokens, since the gateway presents the token as one. */
export function parseTokenResponse(text: string): { accessToken: string; expiresIn: number | undefined } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw unavailable('The token endpoint for the broker did not answer with JSON.');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw unavailable('The token endpoint for the broker answered with something other than a token.');
  const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn } = json as Record<string, unknown>;
  // The token goes into a header: only the RFC 6750 b64token characters are safe there.
  if (typeof accessToken !== 'string' || !/^[A-Za-z0-9\-._~+/]+=*$/.test(accessToken)) {
    throw unavailable('The token endpoint for the broker answered without a usable access_token.');
  }
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw unavailable('The token endpoint for the broker answered with a token that is not a Bearer token.');
  }
  if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0)) {
    throw unavailable('The token endpoint for the broker answered with an invalid expires_in.');
  }
  return { accessToken, expiresIn };
}
