import { describe, it, expect } from 'vitest';
import { addressKey } from '../../src/lib/index.js';

describe('addressKey', () => {
  it('keys an IPv4 address as itself', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('127.0.0.1')).toBe('127.0.0.1');
  });

  it('keys every address of one IPv6 /64 alike, however it is written', () => {
    const key = '2001:db8:85a3:42::/64';
    for (const a of [
      '2001:db8:85a3:42::1',
      '2001:0db8:85a3:0042:ffff:ffff:ffff:ffff',
      '2001:DB8:85A3:42:1234:5678:9abc:def0',
      '2001:db8:85a3:42:0:0:0:0',
      '2001:db8:85a3:42::1.2.3.4',
      '2001:db8:85a3:42::9%eth0',
    ]) expect(addressKey(a)).toBe(key);
  });

  it('keys neighbouring /64s apart', () => {
    expect(addressKey('2001:db8:85a3:43::1')).toBe('2001:db8:85a3:43::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('2001:db8::1')).not.toBe(addressKey('2001:db8:0:1::1'));
  });

  it('keys an IPv4-mapped IPv6 address as the IPv4 address it carries, in either notation', () => {
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::FFFF:cb00:7107')).toBe('203.0.113.7');
    expect(addressKey('0:0:0:0:0:ffff:127.0.0.1')).toBe('127.0.0.1');
    // Not mapped: the IPv4 tail of another prefix is just part of an IPv6 address.
    expect(addressKey('64:ff9b::203.0.113.7')).toBe('64:ff9b:0:0::/64');
  });

  it('drops a zone, and keys anything that is no address as itself', () => {
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('')).toBe('');
    expect(addressKey('not-an-address')).toBe('not-an-address');
    expect(addressKey('2001:db8::1::2')).toBe('2001:db8::1::2');
  });
});
