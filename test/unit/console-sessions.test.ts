/** Console sessions and markup: what a session lasts, what it keeps, and escaping. */
import { describe, it, expect } from 'vitest';
import { Sessions, sameSecret } from '../../src/web/index.js';
import { html, escape, Html } from '../../src/web/index.js';
import type { VerifiedToken } from '../../src/auth/index.js';

const T0 = Date.parse('2026-03-10T12:00:00Z');
/** As the console opens them: ending with the token at the latest. */
const open = (sessions: Sessions<{ token: VerifiedToken }>, token: VerifiedToken) => sessions.open({ token }, token.exp * 1000);
const tokenUntil = (ms: number): VerifiedToken => ({ issuer: 'https://idp.example', roles: ['contract-admin'], exp: Math.floor(ms / 1000), claims: {} });

describe('page sessions (console)', () => {
  it('end with their token, or after eight hours, whichever comes first', () => {
    let now = T0;
    const sessions = new Sessions<{ token: VerifiedToken }>({ max: 10, now: () => now });
    const short = open(sessions, tokenUntil(T0 + 60_000));
    const long = open(sessions, tokenUntil(T0 + 24 * 3600_000));
    expect(short.expiresAt).toBe(T0 + 60_000);
    expect(long.expiresAt).toBe(T0 + 8 * 3600_000);
    now = T0 + 60_000;
    expect(sessions.find(short.id)).toBeUndefined();
    expect(sessions.find(long.id)?.token.roles).toEqual(['contract-admin']);
    now = T0 + 8 * 3600_000;
    expect(sessions.find(long.id)).toBeUndefined();
  });

  it('have random ids and CSRF tokens of their own; the oldest gives way at the bound; a closed one is gone', () => {
    const sessions = new Sessions<{ token: VerifiedToken }>({ max: 2, now: () => T0 });
    const [a, b, c] = [1, 2, 3].map(() => open(sessions, tokenUntil(T0 + 3600_000)));
    expect(new Set([a!.id, b!.id, c!.id, a!.csrf, b!.csrf, c!.csrf]).size).toBe(6);
    expect(a!.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.find(a!.id)).toBeUndefined();
    expect(sessions.find(b!.id)).toBeDefined();
    sessions.close(b!.id);
    expect(sessions.find(b!.id)).toBeUndefined();
    expect(sessions.find(undefined)).toBeUndefined();
  });

  it('compare secrets whole: missing, empty, shorter or different is not the same', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    for (const [x, y] of [['abc', 'abd'], ['abc', 'ab'], [undefined, 'abc'], ['abc', undefined], ['', '']] as const) {
      expect(sameSecret(x, y), `${x} ${y}`).toBe(false);
    }
  });
});

describe('console markup', () => {
  it('escapes every value put in a page, and places only Html as it is', () => {
    const v = '<img src=x onerror="a(\'1\')">&';
    expect(html`<p title="${v}">${v}</p>`.text).toBe(`<p title="${escape(v)}">${escape(v)}</p>`);
    expect(escape(v)).toBe('&lt;img src=x onerror=&quot;a(&#39;1&#39;)&quot;&gt;&amp;');
    expect(html`<ul>${['<a>', new Html('<b>ok</b>'), 3, undefined, false]}</ul>`.text).toBe('<ul>&lt;a&gt;<b>ok</b>3</ul>');
  });
});
