/**
 * Delivers a filtered notification to the subscriber's endpoint: one POST through a
 * dedicated undici agent whose connections resolve through the endpoint policy (so the
 * address connected to is one that was checked), with bounded connect and response
 * times, and without following redirects (undici's request never does).
 */
import { isIP } from 'node:net';
import { Agent } from 'undici';
import { MimtrustError } from '../errors/index.js';
import { addressRefusal, checkEndpointUrl, hostOf, type EndpointPolicy } from './endpoint-policy.js';
import { guardedLookup, systemResolve, type Resolve } from './endpoint-resolve.js';
import type { SubscriberEndpoint } from './types.js';

export interface DeliveryOptions {
  policy: EndpointPolicy;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  connections: number;
  resolve?: Resolve;
}

export interface DeliveryResult {
  status: number;
}

/** The largest answer read from a subscriber; the body is discarded, only the status counts. */
const MAX_ANSWER_BYTES = 64 * 1024;

function failed(reason: string, detail: string, cause?: unknown): MimtrustError {
  return new MimtrustError('BAD_GATEWAY', detail, { reason, cause });
}

export class NotificationDelivery {
  private readonly agent: Agent;

  constructor(private readonly opts: DeliveryOptions) {
    this.agent = new Agent({
      connections: opts.connections,
      connect: { timeout: opts.connectTimeoutMs, lookup: guardedLookup(opts.policy, opts.resolve ?? systemResolve) },
      headersTimeout: opts.responseTimeoutMs,
      bodyTimeout: opts.responseTimeoutMs,
      keepAliveTimeout: 10_000,
    });
  }

  /** POSTs the notification; resolves with a 2xx status, rejects with a MimtrustError otherwise. */
  async deliver(endpoint: SubscriberEndpoint, body: Record<string, unknown>, link: string | undefined): Promise<DeliveryResult> {
    const url = checkEndpointUrl(endpoint.uri, this.opts.policy);
    // An IP literal is connected to without a lookup, so its address is checked here.
    const host = hostOf(url);
    if (isIP(host) !== 0 && addressRefusal(host, this.opts.policy)) throw failed('endpoint_not_allowed', 'The notification endpoint is not allowed.');
    const ldJson = endpoint.accept === 'application/ld+json';
    const headers: Record<string, string> = {};
    if (Array.isArray(endpoint.receiverInfo)) {
      for (const kv of endpoint.receiverInfo as Array<{ key: string; value: string }>) headers[kv.key.toLowerCase()] = kv.value;
    }
    headers['content-type'] = ldJson ? 'application/ld+json' : 'application/json';
    if (link !== undefined && !ldJson) headers.link = link;
    let res;
    try {
      res = await this.agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
    } catch (err) {
      throw failed('delivery_failed', 'The notification could not be delivered.', err);
    }
    try {
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_ANSWER_BYTES) break;
      }
    } catch {
      // the status is what counts; an answer body cut short changes nothing
    } finally {
      res.body.destroy();
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw failed('delivery_refused', `The subscriber's endpoint answered ${res.statusCode}.`);
    }
    return { status: res.statusCode };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
