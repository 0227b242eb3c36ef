/** Console sessions and markup: what a session lasts, what it keeps and where, and escaping. */
import { afterEach, describe, it, expect } from 'vitest';
import { Sessions, sameSecret } from '../../src/web/index.js';
import { html, escape, Html } from '../../src/web/index.js';
import type { VerifiedToken } from '../../src/auth/index.js';
import { sqliteKeys, type OpenedKeys } from '../helpers/expiring-keys.js';

const T0 = Date.parse('2026-03-10T12:00:00Z');
/** As the console opens them: ending with the token at the latest. */
const open = (sessions: Sessions<{ token: VerifiedToken }>, token: VerifiedToken) => sessions.open({ token }, token.exp * 1000);
const tokenUntil = (ms: number): VerifiedToken => ({ issuer: 'https://idp.example', roles: ['contract-admin'], exp: Math.floor(ms / 1000), claims: {} });

describe('page sessions (console), kept in a real SQLite store', () => {
  let store: OpenedKeys | undefined;
  afterEach(async () => { await store?.close(); store = undefined; });

  it('end with their token, or after eight hours, whichever comes first', async () => {
    let now = T0;
    store = await sqliteKeys.open(() => now);
    const sessions = new Sessions<{ token: VerifiedToken }>({ keys: store.keys, name: 'console', max: 10, now: () => now });
    const short = await open(sessions, tokenUntil(T0 + 60_000));
    const long = await open(sessions, tokenUntil(T0 + 24 * 3600_000));
    expect(short.expiresAt).toBe(T0 + 60_000);
    expect(long.expiresAt).toBe(T0 + 8 * 3600_000);
    now = T0 + 60_000;
    expect(await sessions.find(short.id)).toBeUndefined();
    expect((await sessions.find(long.id))?.token.roles).toEqual(['contract-admin']);
    now = T0 + 8 * 3600_000;
    expect(await sessions.find(long.id)).toBeUndefined();
  });

  it('have random ids and CSRF tokens of their own; one past the bound is refused and no live one gives way; a closed one is gone everywhere', async () => {
    store = await sqliteKeys.open(() => T0);
    const sessions = new Sessions<{ token: VerifiedToken }>({ keys: store.keys, name: 'console', max: 2, now: () => T0 });
    const [a, b] = [await open(sessions, tokenUntil(T0 + 3600_000)), await open(sessions, tokenUntil(T0 + 3600_000))];
    const refused = await open(sessions, tokenUntil(T0 + 3600_000)).then(() => undefined, (e: unknown) => e);
    expect(refused).toMatchObject({ status: 503, reason: 'shared_state_full' });
    expect(new Set([a.id, b.id, a.csrf, b.csrf]).size).toBe(4);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Another process on the same store finds it, as it was opened.
    const elsewhere = new Sessions<{ token: VerifiedToken }>({ keys: await store.again(), name: 'console', max: 2, now: () => T0 });
    expect(await elsewhere.find(a.id)).toEqual(a);
    await sessions.close(b.id);
    expect(await elsewhere.find(b.id)).toBeUndefined();
    expect(await sessions.find(undefined)).toBeUndefined();
    expect(await store.rows()).toBe(1);
    // Kinds are apart: a console session is no other kind's.
    const held = new Sessions<{ token: VerifiedToken }>({ keys: store.keys, name: 'other-kind', now: () => T0 });
    expect(await held.find(a.id)).toBeUndefined();
  });

  it('a session taken is gone for every process: of two takers, one gets it', async () => {
    store = await sqliteKeys.open(() => T0);
    const here = new Sessions<{ v: number }>({ keys: store.keys, name: 'sign-in', now: () => T0 });
    const there = new Sessions<{ v: number }>({ keys: await store.again(), name: 'sign-in', now: () => T0 });
    const s = await here.open({ v: 1 });
    const taken = await Promise.all([here.take(s.id), there.take(s.id)]);
    expect(taken.filter((t) => t?.v === 1)).toHaveLength(1);
    expect(await here.find(s.id)).toBeUndefined();
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
