import { describe, it, expect } from 'vitest';
import {
  endpointOf, idFromLocation, mergePatch, presentSubscription, redactedEndpoint, relayHashOf, newRelayToken, relayUrl,
  withRelayEndpoint, withoutEndpoint,
} from '../../src/subscriptions/index.js';
import { badRequestReason } from '../helpers/refusal.js';

const sub = () => ({
  id: 'urn:ngsi-ld:Subscription:1',
  type: 'Subscription',
  entities: [{ type: 'ParkingSpot' }],
  notification: {
    attributes: ['status'],
    format: 'normalized',
    endpoint: { uri: 'https://hooks.example.org/p/secret-path?key=k', accept: 'application/json', receiverInfo: [{ key: 'X-Key', value: 'v' }] },
  },
});

describe('subscription bodies', () => {
  it('takes the endpoint out and puts the relay URL in, for the broker', () => {
    const body = sub();
    expect(endpointOf(body)).toEqual(body.notification.endpoint);
    const forwarded = withRelayEndpoint(body, 'https://gw.example/relay/notify/T');
    expect(forwarded.notification).toEqual({ attributes: ['status'], format: 'normalized', endpoint: { uri: 'https://gw.example/relay/notify/T', accept: 'application/json' } });
    expect(JSON.stringify(forwarded)).not.toContain('secret-path');
    expect((withoutEndpoint(body).notification as Record<string, unknown>).endpoint).toBeUndefined();
    expect(body.notification.endpoint.uri).toContain('secret-path');
  });

  it('refuses endpoints it could not deliver to faithfully', () => {
    const withEndpoint = (endpoint: unknown) => ({ ...sub(), notification: { endpoint } });
    expect(badRequestReason(() => endpointOf({ type: 'Subscription' }))).toBe('invalid_body');
    expect(badRequestReason(() => endpointOf(withEndpoint({ uri: 'https://a.example', extra: 1 })))).toBe('invalid_body');
    expect(badRequestReason(() => endpointOf(withEndpoint({ uri: 'https://a.example', accept: 'text/html' })))).toBe('invalid_body');
    expect(badRequestReason(() => endpointOf(withEndpoint({ uri: 'https://a.example', receiverInfo: [{ key: 'Host', value: 'x' }] })))).toBe('invalid_body');
    expect(badRequestReason(() => endpointOf(withEndpoint({ uri: 'https://a.example', receiverInfo: [{ key: 'X-A', value: 'a\r\nX-B: b' }] })))).toBe('invalid_body');
    expect(badRequestReason(() => endpointOf(withEndpoint({ uri: 'https://a.example', receiverInfo: [{ key: 'X A', value: 'a' }] })))).toBe('invalid_body');
  });

  it('merges a patch: members replaced, notification merged, broker-side members dropped', () => {
    const stored = { ...sub(), status: 'active', createdAt: 'x', notification: { ...sub().notification, timesSent: 3, lastNotification: 'y', status: 'ok' } };
    const merged = mergePatch(stored, { watchedAttributes: ['status'], notification: { format: 'keyValues' } });
    expect(merged.status).toBeUndefined();
    expect(merged.createdAt).toBeUndefined();
    expect(merged.watchedAttributes).toEqual(['status']);
    expect(merged.notification).toEqual({ ...sub().notification, format: 'keyValues' });
    expect(mergePatch(stored, { entities: [{ type: 'Bench' }] }).entities).toEqual([{ type: 'Bench' }]);
  });

  it('shows the owner its endpoint and anyone else an origin with hidden values', () => {
    const atBroker = withRelayEndpoint(sub(), 'https://gw.example/relay/notify/T');
    const endpoint = sub().notification.endpoint;
    expect((presentSubscription(atBroker, endpoint, true) as ReturnType<typeof sub>).notification.endpoint).toEqual(endpoint);
    const other = JSON.stringify(presentSubscription(atBroker, endpoint, false));
    expect(other).toContain('"uri":"https://hooks.example.org"');
    expect(other).not.toContain('secret-path');
    expect(other).not.toContain('"v"');
    expect(other).not.toContain('relay/notify');
    // a subscription the gateway has no record of: its broker-side endpoint is redacted too
    expect(JSON.stringify(presentSubscription(atBroker, undefined, false))).not.toContain('relay/notify');
    expect(redactedEndpoint({ uri: 'not a url', notifierInfo: [{ key: 'MQTT-QoS', value: '1' }] })).toEqual({ uri: 'about:blank', notifierInfo: [{ key: 'MQTT-QoS', value: '********' }] });
  });

  it('reads the subscription id from Location, and relay tokens only in their own form', () => {
    expect(idFromLocation('/ngsi-ld/v1/subscriptions/urn%3Angsi-ld%3ASubscription%3A7')).toBe('urn:ngsi-ld:Subscription:7');
    expect(idFromLocation('/ngsi-ld/v1/subscriptions/')).toBeUndefined();
    expect(idFromLocation(undefined)).toBeUndefined();
    const t = newRelayToken();
    expect(relayHashOf(t)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(relayHashOf(t)).not.toBe(t);
    expect(relayHashOf('short')).toBeUndefined();
    expect(relayHashOf(`${t.slice(0, 42)}/`)).toBeUndefined();
    expect(relayUrl('https://gw.example/relay/notify/', t)).toBe(`https://gw.example/relay/notify/${t}`);
  });
});
