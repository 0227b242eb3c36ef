import type { Server } from 'node:https';
import { setFlagsFromString } from 'node:v8';
import type { FastifyInstance } from 'fastify';
import { namedIssuers, type Config } from '../config/index.js';
import { loadOrCreateKeySet, loadOrCreateSecret, loadOrCreateSigningKey, type KeySet } from '../keys/index.js';
import {
  LOCAL_ISSUER_KEY_NAME, LOCAL_ORGANISATION_CLAIM, LOCAL_RECIPIENT_CLAIM, LOCAL_CONSENT_CLAIM,
  OIDC_COOKIE_SECRET_NAME, OIDC_KEY_SET_NAME, OIDC_PREFIX, OID4VCI_CLIENT_ID, OID4VCI_RESOURCE, authorizationServerMetadataPlugin, createIssuer, issuerPlugin, ownIssuerTrust,
  upstreamFromConfig, pendingInStore, auditTokenIssuance, type UpstreamLoginError,
} from '../issuer/index.js';
import { Accounts } from '../accounts/index.js';
import { createTokenVerifier, type IssuerConfig } from '../auth/index.js';
import { RoleChecker, type DecisionSnapshot } from '../policy/index.js';
import { AuditLog, CheckpointCopies, loadOrCreateAuditKey, workerAnchorFile } from '../audit/index.js';
import { sweepEvery } from './sweep.js';
import { claimStore } from './claim-store.js';
import { openStores, type Stores } from './stores.js';
import type { OpenedCredentials } from '../credentials/index.js';
import { PrimaryCounters } from './worker-counters.js';
import { Consents, consentPlugin } from '../consent/index.js';
import { contextResolverFor } from '../context/index.js';
import { ContractRegistry, partyNames, resolveProviders, type DocumentReport } from '../contracts/index.js';
import { adminPlugin } from '../admin/index.js';
import { consolePlugin } from '../console/index.js';
import { WALLET_PREFIX, partyNames as walletPartyNames, walletClient, walletPlugin } from '../wallet/index.js';
import { watchFolder } from '../lib/index.js';
import { OpenExchanges, proxyPlugin, receiver, securityHeaders, StoredTypes, Upstream, UsageCounters, type ExchangeDeps, type UsageCounting } from '../gateway/index.js';
import { pdpPlugin, PDP_PREFIX, EXT_AUTHZ_PREFIX } from '../pdp/index.js';
import { compileBasePath } from '../ngsi/index.js';
import { RELAY_PATH, relayPlugin, type SubscriptionStageDeps } from '../gateway/index.js';
import { CachedSubscriptionStore, NotificationDelivery, NotificationRelay, SubscriptionOwnership } from '../subscriptions/index.js';
import { createServer } from './server.js';
import { allowOrigins } from './cors.js';
import { describeApi } from '../openapi/index.js';
import { loadTls, watchTls } from './tls.js';
import { createUpstreamAuth } from '../upstream/index.js';
import {
  answerPrimaryMetrics, brokerAnswers, createLogger, GatewayMetrics, listenMetrics, probeRoutes, Readiness, versionInfo,
  type Logger, type MetricsListener,
} from '../observe/index.js';
import { listenError, readConfiguredFile, requireContractsFolder } from './startup-errors.js';
import { applyRuntimeFlags } from './node-flags.js';

export interface Gateway {
  app: FastifyInstance;
  /** The URL the gateway listens on (after start). */
  url: string;
  /** The Prometheus listener's URL; undefined when `metrics.port` is not set. */
  metricsUrl: string | undefined;
  log: Logger;
  /**
   * Resolves once every audit record appended so far is written or has failed: a read's
   * outcome record follows its answer, so what was answered is all on record after this.
   */
  auditSettled(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Default: one made from the configuration, writing to stdout (observe/logger.ts). */
  logger?: Logger;
  /**
   * The slot of this worker when the gateway runs in several processes (cluster.ts): it
   * writes its own audit segment, and the primary serves the metrics and holds the store lock.
   */
  worker?: number;
}

/** How often each instance removes what the issuer keeps once it has expired. */
const SWEEP_EVERY_MS = 10 * 60_000;

/** However long the broker's answers may take, /ready does not wait longer than this. */
const READY_BROKER_TIMEOUT_MS = 2000;

export interface GatewayLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(obj: unknown, msg: string): void;
}

/** Trusted issuers from the configuration, plus the local issuer and the city's own OIDC issuer when enabled. */
async function trustedIssuers(config: Config, oidcKeys: KeySet | undefined): Promise<IssuerConfig[]> {
  const issuers: IssuerConfig[] = config.issuers.map((i, index) => ({
    issuer: i.issuer,
    ...(i.jwksUri ? { jwksUri: i.jwksUri } : {}),
    ...(i.jwksFile ? { jwks: JSON.parse(readConfiguredFile(`issuers.${index}.jwksFile`, i.jwksFile)) as IssuerConfig['jwks'] } : {}),
    audience: i.audience,
    algorithms: i.algorithms,
    rolesClaim: i.rolesClaim,
    purposeClaim: i.purposeClaim,
    consentClaim: i.consentClaim,
    ...(i.organisationClaim ? { organisationClaim: i.organisationClaim } : {}),
    ...(i.recipientClaim ? { recipientClaim: i.recipientClaim } : {}),
    allowRecipientHeader: i.allowRecipientHeader,
    // Roles decide admin rights too: an issuer outside the city's control grants none unless listed.
    ...(i.acceptRoles !== null ? { acceptRoles: i.acceptRoles } : i.cityOwn ? {} : { acceptRoles: [] }),
    allowPlainJwt: i.allowPlainJwt,
    requireSenderConstrained: i.requireSenderConstrained,
    clockToleranceSec: i.clockToleranceSec,
    maxTokenLifetimeSec: i.maxTokenLifetimeSec ?? config.auth.maxTokenLifetimeSec,
    ...(i.tenantsClaim ? { tenantsClaim: i.tenantsClaim } : {}),
  }));
  if (config.localIssuer.enabled) {
    const key = await loadOrCreateSigningKey(config.keysDir, LOCAL_ISSUER_KEY_NAME);
    issuers.push({
      issuer: config.localIssuer.issuer,
      jwks: { keys: [key.publicJwk] },
      audience: config.localIssuer.audience,
      algorithms: ['ES256'],
      rolesClaim: 'roles',
      tenantsClaim: 'tenants',
      // The claims `mimtrust token --org/--recipient` writes (issuer/local-token.ts).
      organisationClaim: LOCAL_ORGANISATION_CLAIM,
      recipientClaim: LOCAL_RECIPIENT_CLAIM,
      consentClaim: LOCAL_CONSENT_CLAIM,
      maxTokenLifetimeSec: config.auth.maxTokenLifetimeSec,
    });
  }
  if (oidcKeys !== undefined) {
    issuers.push(ownIssuerTrust({
      issuer: config.oidc.issuer as string, audience: config.oidc.audience, publicKeys: oidcKeys.publicKeys, maxTokenLifetimeSec: config.auth.maxTokenLifetimeSec,
      requireSenderConstrained: config.oidc.requireSenderConstrained,
    }));
  }
  return issuers;
}

const IN_FORCE: Record<DocumentReport['state'], string> = {
  enabled: 'it is in force',
  previous: 'its previous version stays in force',
  'stored-copy': 'its last good version (kept in the store) is in force',
  disabled: 'it is disabled: its permissions grant nothing, its prohibitions still deny',
  absent: 'nothing of it is in force',
};

/** One line per contract document whose state changed; messages name files and positions, never content. */
function logContractDocument(log: GatewayLogger, r: DocumentReport): void {
  if (r.recovered === true) {
    log.info(`contract ${r.source} enabled: its ngsi:context is available again`);
    return;
  }
  if (r.problem === undefined) return;
  const retry = r.retryInMs === undefined ? '' : `; its context is tried again in ${r.retryInMs} ms`;
  const line = `contract ${r.source} not loaded (${r.problem.code}): ${r.problem.message}; ${IN_FORCE[r.state]}${retry}`;
  if (r.state === 'disabled' || r.retryInMs !== undefined) log.warn(line);
  else log.error({ code: r.problem.code, source: r.source }, line);
}

/**
 * Start mimtrust. What can be checked before anything is opened is checked first (the
 * contracts folder, the store's folder and lock), so a start that cannot succeed stops
 * before it generates keys or fetches key sets. Anything wrong stops the start with a
 * StartupError (or ConfigError, StoreLockedError) naming the key. It sets the V8 settings
 * V8 reads at run time (node-flags.ts) that the operator has not set.
 */
export async function startGateway(config: Config, opts: StartOptions = {}): Promise<Gateway> {
  if (config.enforceContracts) requireContractsFolder(config.contractsDir);
  applyRuntimeFlags(process.execArgv, process.env.NODE_OPTIONS, setFlagsFromString);
  const lock = opts.worker === undefined ? claimStore(config) : undefined;
  try {
    const gateway = await assembleGateway(config, opts);
    return {
      ...gateway,
      async close() {
        try {
          await gateway.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (err) {
    lock?.release();
    throw err;
  }
}

/**
 * Assemble and start mimtrust: keys, TLS, token verifier, roles, contracts, audit log and
 * the upstream pool, then the server with its roles as plugins (admin API, NGSI-LD proxy).
 */
async function assembleGateway(config: Config, opts: StartOptions): Promise<Gateway> {
  const log = opts.logger ?? createLogger(config);
  const metrics = new GatewayMetrics();
  const tlsSetup = await loadTls(config, log);
  const tls = tlsSetup?.material;
  if (!tlsSetup) log.warn('TLS is disabled (tls.enabled: false): tokens and data cross the network in plain text');

  const oidcKeys = config.oidc.enabled ? await loadOrCreateKeySet(config.keysDir, OIDC_KEY_SET_NAME) : undefined;
  const issuers = await trustedIssuers(config, oidcKeys);
  if (issuers.length === 0) log.warn('no token issuer is trusted: every request will be refused with 401');
  if (config.localIssuer.enabled && config.issuers.length === 0) {
    log.warn("the local issuer is enabled (localIssuer.enabled: true): whoever can read its key (local-issuer.jwk.json in keysDir) can mint tokens with any role; for trying mimtrust out, not for a city's data");
  }
  if (config.localIssuer.enabled && config.issuers.length > 0) {
    log.warn("the local issuer is enabled next to external issuers: whoever can read its key (local-issuer.jwk.json in keysDir) can mint tokens for any of the city's clients, with any role; disable it (localIssuer.enabled: false) once a real identity provider is configured");
  }
  const parties = partyNames(namedIssuers(config));
  const resolver = await contextResolverFor(config.contexts);
  const providers = await resolveProviders(config.providers, resolver);
  const providerIds = new Set(providers.keys());
  let roles = await RoleChecker.fromFiles(config.policiesDir, { providers: providerIds });
  // A new role policy replaces the old one whole; one that does not load leaves it in force.
  const stopRoleWatch = config.watchPolicies
    ? watchFolder(
        config.policiesDir,
        async () => {
          roles = await RoleChecker.fromFiles(config.policiesDir, { providers: providerIds });
          log.info('roles reloaded');
        },
        (err) => log.error(err, 'roles not reloaded; the previous policy stays in force'),
      )
    : undefined;

  let stores: Stores | undefined;
  let metricsListener: MetricsListener | undefined;
  let audit: AuditLog | undefined;
  let copies: CheckpointCopies | undefined;
  let contracts: ContractRegistry | undefined;
  let opened: OpenedCredentials | undefined;
  let stopSweep: (() => Promise<void>) | undefined;
  const upstream = new Upstream(config.upstream, createUpstreamAuth(config.upstream.auth), metrics.upstream);
  const delivery = new NotificationDelivery({ policy: config.subscriptions.endpoints, ...config.subscriptions.delivery });
  let relayBase = config.subscriptions.relayBaseUrl ?? '';
  try {
    stores = await openStores(config, { log, metrics, worker: opts.worker });
    const store = stores;
    // Where other processes share the store, a DPoP proof is also taken once there: a replay to any of them is refused.
    const verifier = createTokenVerifier(issuers, { onJwksFetch: metrics.jwksFetched, dpop: config.auth.dpop, ...(store.shared ? { sharedReplay: store.keys } : {}) });
    // Key sets fetched now, so the first request does not wait on an issuer; one that cannot
    // be reached is fetched again when a token needs it, and its tokens fail until then.
    for (const { issuer, ok } of await verifier.warmUp()) {
      if (!ok) log.warn(`the key set of issuer ${issuer} could not be fetched at start; it will be tried again on use`);
    }
    const auditKey = loadOrCreateAuditKey(config.keysDir);
    // A worker's segment is a chain of its own: its checkpoints are anchored in a file of their own.
    const anchorFile = config.audit.anchorFile !== null && opts.worker !== undefined ? workerAnchorFile(config.audit.anchorFile, opts.worker) : config.audit.anchorFile;
    copies = new CheckpointCopies({ ...config.audit, anchorFile, onError: (err, msg) => log.error(err, msg) });
    audit = await AuditLog.open({
      store: store.audit,
      signingKey: auditKey.privateKey,
      checkpointEvery: config.audit.checkpointEvery,
      checkpointIntervalMs: config.audit.checkpointIntervalSec * 1000,
      maxTargets: config.audit.maxTargets,
      onCheckpoint: copies.onCheckpoint,
    });

    if (config.enforceContracts) {
      contracts = await ContractRegistry.open({
        dir: config.contractsDir,
        store: store.contracts,
        copies: store.contractCopies,
        changes: store.changes,
        resolver,
        parties,
        providers,
        retry: config.contexts.contractRetry,
        onReload: (s) => log.info(`contracts reloaded: ${s.contracts.size} in force (revision ${s.revision})`),
        onReloadError: (err) => log.error(err, 'contracts not reloaded; the previous set stays in force'),
        onDocument: (report) => logContractDocument(log, report),
      });
      log.info(`contracts: ${contracts.snapshot.contracts.size} in force from ${config.contractsDir}`);
      if (config.watchContracts) contracts.watch();
    } else {
      log.warn('contracts are not enforced (enforceContracts: false): roles alone decide');
    }
    const registry = contracts;
    const openLog = audit;
    metrics.watch({ auditPending: () => openLog.pending, contractRevision: registry ? () => registry.snapshot.revision : undefined });
    // On PostgreSQL every process counts in the store, so a limit holds across instances;
    // otherwise several workers count in the primary, so it holds across them.
    const counters: UsageCounting = store.counters ?? (opts.worker === undefined ? new UsageCounters() : new PrimaryCounters());
    const snapshot = (): DecisionSnapshot => ({ roles, contracts: registry?.snapshot, counters: counters.values });

    const exchanges = new OpenExchanges();
    const exchangeDeps: ExchangeDeps = {
      audit,
      receive: receiver({ tls: tls !== undefined, clientCerts: tls?.ca !== undefined }),
      headers: securityHeaders(tls !== undefined),
      log,
      open: exchanges,
    };
    const app = createServer({ config, tls, log, metrics }, () => exchangeDeps);
    allowOrigins(app, { settings: config.cors, except: [EXT_AUTHZ_PREFIX, RELAY_PATH, OIDC_PREFIX], headers: exchangeDeps.headers });
    const readiness = new Readiness([
      ['broker', brokerAnswers(upstream, Math.min(config.upstream.responseTimeoutMs, READY_BROKER_TIMEOUT_MS))],
      ...store.checks,
      // Both are in memory before the gateway listens (the start stops otherwise) and are only ever replaced whole.
      ['contracts', async () => { if (config.enforceContracts && registry?.snapshot === undefined) throw new Error('no contract set'); }],
      ['roles', async () => { if (roles === undefined) throw new Error('no role policy'); }],
    ]);
    // Probes are not part of the described API: registered before it starts collecting.
    await app.register(probeRoutes({ headers: exchangeDeps.headers, readiness, version: versionInfo() }));
    // Before the routes it describes: their schemas are collected as they are registered.
    await describeApi(app, { headers: exchangeDeps.headers });
    // Writes are decided on the types the broker holds; roles alone do not depend on types.
    const storedTypes = registry ? new StoredTypes({ upstream, basePath: compileBasePath(config.upstream.basePath).canonical, ...config.storedTypes }) : undefined;
    // Loaded only when enabled: the JSON-LD and signature libraries are large.
    const vc = config.credentials.enabled ? await import('../credentials/index.js') : undefined;
    opened = vc ? await vc.credentialsFromConfig(config, store.statusLists) : undefined;
    const credentials = opened?.credentials;
    const trustedIssuers = vc ? await vc.TrustedIssuers.open(config.credentials.trustedIssuers, store.trustedIssuers, store.changes) : undefined;
    // Consent records live beside the audit log: each event is on it, and a withdrawal holds on the next request.
    const consents = new Consents({
      store: store.consents, changes: store.changes, audit, parties, subjectTemplate: config.consent.subjectTemplate, listeners: credentials ? [credentials] : [],
    });
    await app.register(consentPlugin({ ...exchangeDeps, verifier, consents, resolver, apiScope: config.consent.apiScope, ...(credentials ? { receipts: credentials } : {}) }));
    if (vc && credentials) await app.register(vc.credentialsPlugin({ ...exchangeDeps, credentials, verifier, roles: () => roles, providers, verifyLimit: vc.verifyLimitOf(config) }));
    if (oidcKeys !== undefined) {
      stopSweep = sweepEvery((limit) => store.sweep(limit), SWEEP_EVERY_MS, (err) => log.error(err, 'expired issuer sessions and tokens were not removed; tried again later'));
      const secret = loadOrCreateSecret(config.keysDir, OIDC_COOKIE_SECRET_NAME);
      const accounts = new Accounts(store.accounts);
      // The upstream may send the browser back to another instance: its pending logins are in the store.
      const upstream = upstreamFromConfig(config.oidc, process.env, pendingInStore(store.oidc.adapter('UpstreamLogin')));
      const issuerId = config.oidc.issuer as string;
      const wallet = config.wallet.enabled ? walletClient(issuerId, secret) : undefined;
      // The list may be empty now and filled through the admin API: an empty list refuses every login.
      const vpLogin = vc && credentials && trustedIssuers
        ? new vc.PresentationLogin({
          verify: (presentation, options) => credentials.verifyPresentation(presentation, options),
          trusted: () => trustedIssuers.entries(),
          domain: issuerId,
          challengeTtlMs: config.credentials.vpLogin.challengeTtlSec * 1000,
          maxChallenges: config.credentials.vpLogin.maxChallenges,
          keys: store.keys,
        })
        : undefined;
      // Receipts into citizens' own wallets: offered on the wallet page, redeemed at the issuer.
      const oid4vci = config.credentials.oid4vci;
      const offers = vc && credentials && wallet && oid4vci.enabled
        ? vc.credentialOffersFromConfig(oid4vci, { consents, credentials, authorizationServer: issuerId, keys: store.keys })
        : undefined;
      const issuer = await createIssuer({
        config, keys: oidcKeys, cookieSecret: secret, accounts, adapter: (model) => store.oidc.adapter(model), firstParty: wallet === undefined ? [] : [wallet],
        ...(vpLogin ? { vpLogin } : {}),
        ...(offers ? { preAuthorized: { codes: offers, accessTokenTtlSec: oid4vci.accessTokenTtlSec } } : {}),
      });
      if (vc && offers) {
        // Only the grant's own tokens: another audience than the gateway's.
        const trust = ownIssuerTrust({ issuer: issuerId, audience: OID4VCI_RESOURCE, publicKeys: oidcKeys.publicKeys, maxTokenLifetimeSec: config.auth.maxTokenLifetimeSec });
        await app.register(vc.oid4vciPlugin({ ...exchangeDeps, offers, clientId: OID4VCI_CLIENT_ID, verifier: createTokenVerifier([trust], { dpop: config.auth.dpop, ...(store.shared ? { sharedReplay: store.keys } : {}) }) }));
      }
      auditTokenIssuance(issuer.provider, issuerId, audit, (err) => log.error({ err }, 'a token was not issued: the audit log did not take its record'));
      await app.register(issuerPlugin(issuer, {
        issuerId: config.oidc.issuer as string, issuerName: config.oidc.name, accounts, consents, snapshot: () => registry?.snapshot,
        secret, consentDays: config.oidc.consentDays, grantTtlSec: config.oidc.refreshTokenTtlSec, loginThrottle: config.oidc.loginThrottle,
        ...(store.loginFailures !== undefined ? { loginFailures: store.loginFailures } : {}),
        ...(upstream !== undefined ? { upstream, onUpstreamFailure: (err: UpstreamLoginError) => log.warn({ reason: err.reason, err: err.cause }, 'login through the upstream identity provider failed') } : {}),
      }, exchangeDeps.headers), { prefix: OIDC_PREFIX });
      await app.register(authorizationServerMetadataPlugin(issuer, issuerId, exchangeDeps.headers));
      log.info(`OIDC issuer ${config.oidc.issuer} on ${OIDC_PREFIX}, in the gateway process`);
      if (wallet !== undefined) {
        await app.register(walletPlugin({
          ...exchangeDeps, consents, issuer: issuerId, issuerKeys: oidcKeys.publicKeys, client: wallet,
          accessHistory: (subject, limit) => store.accessHistory(subject, limit),
          ...walletPartyNames(issuer.clients, { id: issuerId, name: config.oidc.name }),
          ...(offers ? { offers } : {}),
          sessionKeys: store.keys,
        }));
        log.info(`citizen wallet on ${WALLET_PREFIX}`);
      }
    }
    const shared = {
      ...exchangeDeps, basePath: config.upstream.basePath, verifier, snapshot, storedTypes, forwardAuthorization: config.upstream.forwardAuthorization, consents,
    };
    if (registry) {
      const adminDeps = { ...shared, roles: () => roles, registry, resolver, parties, providers, ...(trustedIssuers ? { trustedIssuers } : {}) };
      await app.register(adminPlugin(adminDeps));
      await app.register(consolePlugin({ ...adminDeps, sessionKeys: store.keys }));
    }
    if (config.pdp.enabled) {
      await app.register(pdpPlugin({ ...shared, resolver: registry ? resolver : undefined, counters }));
      log.info(`decision API on ${PDP_PREFIX} (Envoy ext_authz: ${EXT_AUTHZ_PREFIX})`);
    }
    const subscriptionStore = new CachedSubscriptionStore(store.subscriptions, store.changes);
    const subscriptions: SubscriptionStageDeps = {
      ...shared,
      resolver: registry ? resolver : undefined,
      counters,
      upstream,
      ownership: new SubscriptionOwnership({ store: subscriptionStore, policy: config.subscriptions.endpoints, relayBase: () => relayBase }),
      relay: new NotificationRelay({ store: subscriptionStore, delivery, maxGeometryPoints: config.limits.maxGeometryPoints, consents }),
    };
    await app.register(relayPlugin({ ...exchangeDeps, ...subscriptions }));
    await app.register(proxyPlugin({
      ...shared,
      resolver: registry ? resolver : undefined,
      counters,
      upstream,
      subscriptions,
      maxGeometryPoints: config.limits.maxGeometryPoints,
    }));
    if (config.metrics.port !== null && opts.worker !== undefined) {
      // The primary asks each worker for its registry and serves the sum.
      metrics.collectProcessMetrics();
      answerPrimaryMetrics(metrics.registry);
    } else if (config.metrics.port !== null) {
      metrics.collectProcessMetrics();
      metricsListener = await listenMetrics(metrics.registry, config.metrics.host, config.metrics.port);
      log.info(`metrics on ${metricsListener.url}`);
      if (!isLoopback(config.metrics.host)) log.warn(`the metrics listener is on ${config.metrics.host}, not a loopback address: whoever reaches it reads the gateway's counters without a token`);
    }
    const address = await app.listen({
      host: config.listen.host,
      port: config.listen.port,
      // The origin only: a broker URL may carry credentials in its user part.
      listenTextResolver: (at) => `listening on ${at}, forwarding to ${upstream.origin}`,
    }).catch((err: unknown) => {
      throw listenError(err, config.listen) ?? err;
    });
    const url = address.replace('[::1]', 'localhost');
    if (credentials) {
      const port = (app.server.address() as { port: number }).port;
      const host = config.tls.hostnames[0] ?? 'localhost';
      await credentials.bind(config.credentials.baseUrl ?? `https://${host.includes(':') ? `[${host}]` : host}:${port}`);
      log.info(`credentials issued as ${credentials.did}`);
    }
    const stopTlsWatch = tlsSetup ? watchTls(app.server as unknown as Server, config, tlsSetup, log) : undefined;
    if (relayBase === '') {
      relayBase = `${url}${RELAY_PATH}`;
      log.info(`subscriptions.relayBaseUrl is not set: brokers are told to send notifications to ${relayBase}/...`);
    }
    const openAudit = audit;
    const openContracts = contracts;
    const openCopies = copies;
    const openMetrics = metricsListener;
    const openCredentials = opened;
    return {
      app,
      url,
      metricsUrl: openMetrics?.url,
      log,
      auditSettled: () => openAudit.flush(),
      async close() {
        stopRoleWatch?.();
        stopTlsWatch?.();
        await stopSweep?.();
        openContracts?.close();
        await app.close();
        // Handlers whose client has gone outlive their connection: their records come first.
        await exchanges.settled();
        await openMetrics?.close();
        await upstream.close();
        await delivery.close();
        await openCredentials?.close();
        await openAudit.close();
        await openCopies.close();
        await store.close();
      },
    };
  } catch (err) {
    stopRoleWatch?.();
    await stopSweep?.();
    contracts?.close();
    await metricsListener?.close();
    await upstream.close().catch(() => undefined);
    await delivery.close().catch(() => undefined);
    await opened?.close().catch(() => undefined);
    await audit?.close().catch(() => undefined);
    await copies?.close().catch(() => undefined);
    await stores?.close().catch(() => undefined);
    throw err;
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
