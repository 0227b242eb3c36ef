/**
 * The listener's TLS: which certificate (the configured files, or one generated into
 * keysDir for `tls.hostnames`), what is offered (keys/tls-policy.ts), and certificates
 * taken up again when their files change, so a renewal (certbot, cert-manager, a
 * Kubernetes secret swapping its `..data` link) needs no restart. A renewal that does not
 * hold together (a key that does not match, a half-written file) is logged and the
 * certificate in use stays; it is tried again on the next change.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';
import type { Config } from '../config/index.js';
import { TLS_CIPHERS, TLS_ECDH_CURVES, loadOrCreateSelfSignedCertificate } from '../keys/index.js';
import { readConfiguredFile } from './startup-errors.js';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** CA bundle client certificates are checked against (mTLS). */
  ca?: string;
}

export interface TlsSetup {
  material: TlsMaterial;
  /** The files the material was read from, watched for renewals. */
  files: { cert: string; key: string; ca?: string };
}

interface TlsLogger {
  info(msg: string): void;
  error(obj: unknown, msg: string): void;
}

/** How often the certificate files are looked at (a stat each; no read unless they changed). */
const WATCH_INTERVAL_MS = 1000;
/** Renewals write several files: wait until they have been quiet this long. */
const SETTLE_MS = 200;

/** The TLS material the configuration names; undefined when TLS is off. */
export async function loadTls(config: Config, log: TlsLogger): Promise<TlsSetup | undefined> {
  if (!config.tls.enabled) return undefined;
  let setup: TlsSetup;
  if (config.tls.cert && config.tls.key) {
    const material = { cert: readConfiguredFile('tls.cert', config.tls.cert), key: readConfiguredFile('tls.key', config.tls.key) };
    setup = { material, files: { cert: config.tls.cert, key: config.tls.key } };
  } else {
    const generated = await loadOrCreateSelfSignedCertificate(config.keysDir, config.tls.hostnames);
    if (generated.generated) log.info(`generated a self-signed TLS certificate for ${config.tls.hostnames.join(', ')}: ${generated.certPath}`);
    setup = { material: { cert: generated.cert, key: generated.key }, files: { cert: generated.certPath, key: generated.keyPath } };
  }
  if (config.tls.clientCa) {
    setup.material.ca = readConfiguredFile('tls.clientCa', config.tls.clientCa);
    setup.files.ca = config.tls.clientCa;
  }
  return setup;
}

/** The secure-context part of the listener's options: used at start and for every renewal. */
export function secureContextOptions(config: Config, material: TlsMaterial): SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    minVersion: config.tls.minVersion,
    ciphers: TLS_CIPHERS,
    ecdhCurve: TLS_ECDH_CURVES,
    ...(material.ca ? { ca: material.ca } : {}),
  };
}

/** Reads the files again and checks that certificate and key belong together; throws otherwise. */
function readRenewal(files: TlsSetup['files']): TlsMaterial {
  const cert = readFileSync(files.cert, 'utf8');
  const key = readFileSync(files.key, 'utf8');
  const parsed = new X509Certificate(cert);
  if (!parsed.checkPrivateKey(createPrivateKey(key))) throw new Error('the private key does not match the certificate');
  if (new Date(parsed.validTo).getTime() <= Date.now()) throw new Error(`the certificate expired on ${parsed.validTo}`);
  const material: TlsMaterial = { cert, key };
  if (files.ca) {
    material.ca = readFileSync(files.ca, 'utf8');
    new X509Certificate(material.ca);
  }
  return material;
}

/**
 * Watches the certificate, key and client CA files; after a change, builds a new secure
 * context and hands it to the listener (existing connections keep theirs). Returns the
 * function that stops watching.
 */
export function watchTls(
  server: { setSecureContext(options: SecureContextOptions): void },
  config: Config,
  setup: TlsSetup,
  log: TlsLogger,
): () => void {
  const paths = [setup.files.cert, setup.files.key, ...(setup.files.ca ? [setup.files.ca] : [])];
  let timer: NodeJS.Timeout | undefined;
  const reload = (): void => {
    try {
      const material = readRenewal(setup.files);
      server.setSecureContext(secureContextOptions(config, material));
      const until = new X509Certificate(material.cert).validTo;
      log.info(`TLS certificate reloaded from ${setup.files.cert} (valid until ${until})`);
    } catch (err) {
      log.error(err, `TLS certificate not reloaded from ${setup.files.cert}: ${err instanceof Error ? err.message : 'unreadable'}; the previous certificate stays in use`);
    }
  };
  const changed = (now: { mtimeMs: number; ino: number }, before: { mtimeMs: number; ino: number }): void => {
    if (now.mtimeMs === before.mtimeMs && now.ino === before.ino) return;
    clearTimeout(timer);
    timer = setTimeout(reload, SETTLE_MS);
  };
  for (const p of paths) watchFile(p, { interval: WATCH_INTERVAL_MS, persistent: false }, changed);
  return () => {
    clearTimeout(timer);
    for (const p of paths) unwatchFile(p, changed);
  };
}
