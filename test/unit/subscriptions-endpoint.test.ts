import { describe, it, expect } from 'vitest';
import { MimtrustError } from '../../src/errors/index.js';
import { addressRefusal, checkEndpoint, checkEndpointUrl, type EndpointPolicy } from '../../src/subscriptions/index.js';

const PROD: EndpointPolicy = { allowSchemes: ['https'], allowHosts: ['*'], allowPrivateNetworks: false, allowLoopback: false };
const TEST: EndpointPolicy = { ...PROD, allowSchemes: ['https', 'http'], allowLoopback: true };

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MimtrustError);
    return (err as MimtrustError).reason;
  }
  throw new Error('expected a refusal');
}

async function refusedAsync(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MimtrustError);
    return (err as MimtrustError).reason;
  }
  throw new Error('expected a refusal');
}

describe('addressRefusal', () => {
  const always = [
    '169.254.169.254', '169.254.0.1', '0.0.0.0', '0.1.2.3', '100.100.100.200', '100.64.0.1', '224.0.0.1', '255.255.255.255',
    '::', 'fe80::1', 'fd00:ec2::254', 'ff02::1', '::ffff:169.254.169.254', '64:ff9b::169.254.169.254', '2002:a9fe:a9fe::1',
  ];
  for (const a of always) {
    it(`always refuses ${a}`, () => {
      expect(addressRefusal(a, PROD)).toBeDefined();
      expect(addressRefusal(a, { ...TEST, allowPrivateNetworks: true })).toBeDefined();
    });
  }

  it('refuses loopback unless the test-only switch is on', () => {
    for (const a of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) {
      expect(addressRefusal(a, PROD)).toBe('a loopback address');
      expect(addressRefusal(a, TEST)).toBeUndefined();
    }
  });

  it('refuses private networks unless allowed', () => {
    for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.10', 'fc00::1', 'fd12:3456::1']) {
      expect(addressRefusal(a, PROD)).toBe('a private network address');
      expect(addressRefusal(a, { ...PROD, allowPrivateNetworks: true })).toBeUndefined();
    }
  });

  it('lets public addresses through', () => {
    for (const a of ['203.0.113.10', '8.8.8.8', '172.32.0.1', '2a00:1450:4001::1']) expect(addressRefusal(a, PROD)).toBeUndefined();
  });
});

describe('checkEndpointUrl', () => {
  it('checks scheme, credentials, host allow-list and literal addresses', () => {
    expect(checkEndpointUrl('https://hooks.example.org/n', PROD).host).toBe('hooks.example.org');
    expect(reason(() => checkEndpointUrl('http://hooks.example.org/n', PROD))).toBe('endpoint_not_allowed');
    expect(reason(() => checkEndpointUrl('mqtt://broker.example.org/t', PROD))).toBe('endpoint_not_allowed');
    expect(reason(() => checkEndpointUrl('not a url', PROD))).toBe('endpoint_not_allowed');
    expect(reason(() => checkEndpointUrl('https://u:p@hooks.example.org/n', PROD))).toBe('endpoint_not_allowed');
    expect(reason(() => checkEndpointUrl('https://169.254.169.254/', PROD))).toBe('endpoint_not_allowed');
    expect(reason(() => checkEndpointUrl('https://localhost/', PROD))).toBe('endpoint_not_allowed');
    expect(reason(() => checkEndpointUrl('https://api.localhost/', PROD))).toBe('endpoint_not_allowed');
    expect(reason(() => checkEndpointUrl('https://[::1]:8443/', PROD))).toBe('endpoint_not_allowed');
    expect(checkEndpointUrl('http://127.0.0.1:9/', TEST).port).toBe('9');
  });

  it('limits hosts to the allow-list: exact names and *.suffix', () => {
    const policy = { ...PROD, allowHosts: ['hooks.example.org', '*.city.example'] };
    expect(() => checkEndpointUrl('https://hooks.example.org/', policy)).not.toThrow();
    expect(() => checkEndpointUrl('https://a.b.city.example/', policy)).not.toThrow();
    expect(reason(() => checkEndpointUrl('https://city.example/', policy))).toBe('endpoint_not_allowed');
    expect(reason(() => checkEndpointUrl('https://evilcity.example/', policy))).toBe('endpoint_not_allowed');
    expect(reason(() => checkEndpointUrl('https://hooks.example.org.evil.test/', policy))).toBe('endpoint_not_allowed');
  });
});

describe('checkEndpoint (with the resolver)', () => {
  const resolving = (map: Record<string, string[]>) => async (host: string) => {
    const list = map[host];
    if (!list) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

  it('refuses a name that resolves to a metadata, loopback or private address, even among public ones', async () => {
    const r = resolving({
      'meta.example': ['169.254.169.254'],
      'mixed.example': ['203.0.113.10', '10.0.0.1'],
      'local.example': ['127.0.0.1'],
      'v6.example': ['fd00:ec2::254'],
      'ok.example': ['203.0.113.10', '2001:db8::1'],
    });
    for (const host of ['meta.example', 'mixed.example', 'local.example', 'v6.example', 'nowhere.example']) {
      expect(await refusedAsync(checkEndpoint(`https://${host}/n`, PROD, r))).toBe('endpoint_not_allowed');
    }
    expect((await checkEndpoint('https://ok.example/n', PROD, r)).hostname).toBe('ok.example');
  });
});
