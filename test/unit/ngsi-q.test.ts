import { describe, expect, it } from 'vitest';
import { MimtrustError } from '../../src/errors/index.js';
import { parseQ } from '../../src/ngsi/index.js';
import { expectRefused } from './ngsi-fixtures.js';

describe('q language: attributes read', () => {
  it.each<[string, string[]]>([
    ['speed>50', ['speed']],
    ['speed==50', ['speed']],
    ['isMonitoredBy', ['isMonitoredBy']],
    ['!isMonitoredBy', ['isMonitoredBy']],
    ['speed>50;brandName!=Mercedes', ['speed', 'brandName']],
    ['speed > 50; brandName != Mercedes', ['speed', 'brandName']],
    ['((speed>50|rpm>3000);brandName=="Mercedes")', ['speed', 'rpm', 'brandName']],
    ['(temperature>=20;temperature<=25)|capacity<=10', ['temperature', 'capacity']],
    ['temperature.observedAt>=2017-12-24T12:00:00Z', ['temperature']],
    ["temperature.observedAt >= '2017-12-24T12:00:00Z'", ['temperature']],
    ['address[city]=="Berlin"', ['address']],
    ['address.sub[k1][k2]==1', ['address']],
    ['a[b.c]==1', ['a']],
    ['speed==1..5', ['speed']],
    ['speed==1,2,3', ['speed']],
    ['name=="a","b"', ['name']],
    ['name~=^Mer.*', ['name']],
    ['name!~=(?i)^mer', ['name']],
    ['refRoom==urn:ngsi-ld:Room:00', ['refRoom']],
    ['observedAt>2020-01-01T00:00:00+01:00', ['observedAt']],
    ['speed>5;speed<9;speed!=7', ['speed']],
  ])('%s', (q, attrs) => {
    expect(parseQ(q)).toEqual(attrs);
  });

  it('operators and separators inside quoted strings are not parsed', () => {
    expect(parseQ('name=="x;secret>1|other==2"')).toEqual(['name']);
    expect(parseQ('name=="(a)|b;c==d"|n2!="!~=<>"')).toEqual(['name', 'n2']);
  });

  it('single quotes are not string delimiters: what follows a separator is read', () => {
    expect(parseQ("name=='x';secret>1")).toEqual(['name', 'secret']);
    // A quote left dangling after a split is refused rather than guessed at.
    expectRefused(() => parseQ("name=='x|secret'"), 'BAD_REQUEST', 'invalid_q');
  });

  it('an unquoted | in a pattern splits the term, so the rest counts as a read', () => {
    expect(parseQ('name~=foo|secret')).toEqual(['name', 'secret']);
  });

  it('deep nesting within the limit', () => {
    expect(parseQ('('.repeat(20) + 'a==1' + ')'.repeat(20))).toEqual(['a']);
  });

  it('reports every reading of a dotted IRI attribute', () => {
    expect(parseQ('https://ex.org/speed.observedAt>1')).toEqual([
      'https://ex', 'https://ex.org/speed', 'https://ex.org/speed.observedAt',
    ]);
    expect(parseQ('"http://www.ex.org/s#name"=="MasterCut"')).toEqual([
      'http://www', 'http://www.ex', 'http://www.ex.org/s#name',
    ]);
    expect(parseQ('ex:speed[k]==1')).toEqual(['ex:speed']);
  });

  it.each([
    '', ' ', 'a==', '==1', 'a=1', 'a===1', 'a>', '(a==1', 'a==1)', '()', 'a==1;', ';a==1', 'a==1||b==2',
    'a==(1)', 'a==b==c', 'a==1 b==2', 'a..b==1', 'a.==1', '.a==1', 'a[]==1', 'a[b==1', 'a]==1', 'a[b]c==1',
    'a=="unterminated', '""==1', '!a==1', 'a b', "'a'==1", 'a,b', 'a==x<y',
    '('.repeat(40) + 'a' + ')'.repeat(40),
  ])('refuses malformed %j', (q) => {
    expectRefused(() => parseQ(q), 'BAD_REQUEST', 'invalid_q');
  });

  it('never throws anything but MimtrustError on arbitrary input', () => {
    const alphabet = 'ab.[]()";|,=!<>~ \'1:';
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 3000; i++) {
      let q = '';
      const len = Math.floor(rnd() * 16);
      for (let j = 0; j < len; j++) q += alphabet[Math.floor(rnd() * alphabet.length)];
      try {
        const attrs = parseQ(q);
        expect(attrs.length).toBeGreaterThan(0);
      } catch (err) {
        expect(err).toBeInstanceOf(MimtrustError);
      }
    }
  });
});
