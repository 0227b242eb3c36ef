/**
 * Session cookies of the server-rendered pages. `__Host-` names are only accepted by a
 * browser when set over HTTPS, without a Domain, for Path=/: no other host or path, and
 * no plain-HTTP page, can set or overwrite them. HttpOnly keeps them from any script.
 */

/** How far the browser sends the cookie along with requests another site starts. */
export type SameSite = 'Strict' | 'Lax';

export function setCookie(name: string, value: string, maxAgeSec: number, sameSite: SameSite = 'Strict'): string {
  return `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=${sameSite}; Max-Age=${maxAgeSec}`;
}

/** The value of one cookie of a request's Cookie header; undefined when absent. */
export function cookieOf(header: string | string[] | undefined, name: string): string | undefined {
  for (const part of (typeof header === 'string' ? header : '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** An application/x-www-form-urlencoded body, kept as bytes until the session was checked. */
export function formOf(body: Buffer | undefined): URLSearchParams {
  return new URLSearchParams(body?.toString('utf8') ?? '');
}
