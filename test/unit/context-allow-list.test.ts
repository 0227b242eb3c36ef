import { describe, expect, it } from 'vitest';
import { compileAllowList } from '../../src/context/index.js';
import { MimtrustError } from '../../src/errors/index.js';

describe('compileAllowList', () => {
  const allowed = compileAllowList([
    'https://allowed.example',
    'https://models.example/ctx',
    'https://files.example/one.jsonld?v=2',
  ]);

  it('admits URLs on the same origin under the entry path, on segment boundaries', () => {
    expect(allowed('https://allowed.example/any/context.jsonld')).toBe(true);
    expect(allowed('https://ALLOWED.example:443/x.jsonld#frag')).toBe(true);
    expect(allowed('https://models.example/ctx')).toBe(true);
    expect(allowed('https://models.example/ctx/weather.jsonld')).toBe(true);
    expect(allowed('https://files.example/one.jsonld?v=2')).toBe(true);
  });

  it('refuses look-alike hosts, paths, ports, schemes and credentials', () => {
    for (const url of [
      'https://allowed.example.evil.com/x',
      'https://evil.com/https://allowed.example/x',
      'https://allowed.example@evil.com/x',
      'https://user:pw@allowed.example/x',
      'http://allowed.example/x',
      'https://allowed.example:8443/x',
      'https://models.example/ctx-evil/x',
      'https://models.example/ctx/../other',
      'https://models.example/ctx/%2e%2e/other',
      'https://models.example/ctx/..%2fother',
      'https://files.example/one.jsonld',
      'https://files.example/one.jsonld?v=3',
      'ftp://allowed.example/x',
      'not a url',
    ]) {
      expect({ url, allowed: allowed(url) }).toEqual({ url, allowed: false });
    }
  });

  it('refuses a configuration entry that is not an http(s) URL', () => {
    expect(() => compileAllowList(['ftp://x.example/'])).toThrow(MimtrustError);
    expect(() => compileAllowList(['relative/path'])).toThrow(MimtrustError);
  });
});
