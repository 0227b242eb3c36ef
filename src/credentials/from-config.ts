/**
 * The credentials module as the configuration asks for it: the `vc-assertion` key set
 * (made on first start), the status lists in the store, and did:web documents fetched
 * over HTTPS with the configured trust, bounded in time and size, from allow-listed hosts.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Config } from '../config/index.js';
import type { AttemptLimit } from '../lib/index.js';
import { fetchJsonDocument } from '../context/index.js';
import { loadOrCreateEd25519KeySet } from '../keys/index.js';
import { Credentials, VC_ASSERTION_KEY_SET } from './credentials.js';
import type { StatusListStore } from './status-store.js';

export interface OpenedCredentials {
  credentials: Credentials;
  close(): Promise<void>;
}

export async function credentialsFromConfig(config: Config, store: StatusListStore): Promise<OpenedCredentials> {
  const c = config.credentials;
  const web = c.didWeb;
  const ca = web.caFile === null ? undefined : [...rootCertificates, readFileSync(web.caFile, 'utf8')];
  const agent = new Agent({ connect: { timeout: web.timeoutMs, ...(ca ? { ca } : {}) }, headersTimeout: web.timeoutMs, bodyTimeout: web.timeoutMs });
  const fetchJson = (url: string) => fetchJsonDocument(url, {
    fetch: ((u: string, init: RequestInit) => undiciFetch(u, { ...init, dispatcher: agent } as Parameters<typeof undiciFetch>[1])) as unknown as typeof fetch,
    timeoutMs: web.timeoutMs,
    maxBytes: web.maxBytes,
    allowed: (next) => next.startsWith('https://') && web.allow.includes(new URL(next).host),
  });
  const credentials = new Credentials({
    keys: await loadOrCreateEd25519KeySet(config.keysDir, VC_ASSERTION_KEY_SET),
    method: c.didMethod,
    did: c.did,
    store,
    didWeb: { webAllow: web.allow, fetchJson, cacheSize: web.cacheSize, cacheTtlMs: web.cacheTtlSec * 1000 },
    verifyCache: { size: c.verifyCache.size, ttlMs: c.verifyCache.ttlSec * 1000 },
    presentationCache: { size: c.presentationCache.size, ttlMs: c.presentationCache.ttlSec * 1000, failureTtlMs: c.presentationCache.failureTtlSec * 1000 },
    maxPresentationCredentials: c.maxPresentationCredentials,
    workers: { ...c.workers, size: c.workers.size ?? 0 },
  });
  return { credentials, close: async () => { await credentials.close(); await agent.close(); } };
}

/** The public verification routes' limit per client address; null when there is none. */
export function verifyLimitOf(config: Config): AttemptLimit | null {
  const { perAddress, windowSec } = config.credentials.verifyRateLimit;
  return perAddress === 0 ? null : { maxFailures: perAddress, windowMs: windowSec * 1000 };
}
