/**
 * Wires the five stages around one store: intake → carriage → lifecycle → routing → dispatch.
 * main.ts runs it as a process; tests run it in-process on port 0.
 */
import { v7 as timeOrderedUuid } from 'uuid';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import type { AddressInfo } from 'node:net';
import type { Message, ProviderReport } from './model/types.js';
import type { TestCallbackPort } from './intake/suite/deps.js';
import { openStore } from './store/open.js';
import { startRetention } from './store/retention.js';
import { createMetrics } from './ops/metrics.js';
import { createStatusRecorder, type CommittedBatch } from './lifecycle/recorder.js';
import { routeStatusChange } from './routing/route.js';
import { renderBody } from './dispatch/formats.js';
import { createAcceptManyPort, createAcceptPort } from './intake/accept.js';
import { createEmailInterface } from './intake/email/server.js';
import { createCarriage } from './carriage/index.js';
import { createSimulator } from './carriage/simulator/simulator.js';
import { createDispatcher } from './dispatch/loop.js';
import { createHttpSender } from './dispatch/senders/http.js';
import { createEmailSender } from './dispatch/senders/email.js';
import { createSqsSender } from './dispatch/senders/sqs.js';
import { buildApi } from './intake/api/server.js';
import { TokenBuckets } from './intake/rate-limit.js';
import { metricsServer } from './intake/api/metrics.js';
import { websmsRoutes } from './intake/websms/routes.js';
import { tokenRoutes } from './intake/websms/tokens.js';
import { legacyXmlRoutes } from './intake/legacy-xml/routes.js';
import { suiteRoutes } from './intake/suite/server.js';
import { createConnectors } from './carriage/connectors.js';
import { createRefusals } from './carriage/refusals.js';
import { systemClock, type Clock } from './model/clock.js';
import { destinationKey } from './model/destination.js';
import { CUSTOMER_TEST_NUMBER } from './model/message.js';
import { createSmppServer } from './intake/smpp/server.js';
import { createSmppSender } from './intake/smpp/sender.js';
import { createAddressPolicy } from './model/address.js';

export interface RelayOptions {
  logger?: Logger;
  clock?: Clock;
  /** Tests: EMAIL_INTERFACE_PORT=0 then means "any free port" instead of "off". */
  emailInterfaceOnPortZero?: boolean;
}

export async function createRelay(config: Config, options: RelayOptions = {}) {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const now = clock.now;
  // Time-ordered ids: new rows land at the end of every index instead of on random pages.
  const newId = timeOrderedUuid;
  const onError = (error: unknown) => logger.error({ err: error }, 'background task failed');

  const store = await openStore(config.databaseUrl, { poolSize: config.databasePoolSize, sqlite: { synchronous: config.sqliteSynchronous, cacheMib: config.sqliteCacheMib }, secrets: config.secrets });
  await store.migrate();
  // Rows written in clear (before secrets were sealed) or under a rotated-out key are sealed now.
  const sealed = await store.sealSecrets();
  if (sealed.accounts_resealed > 0) logger.info(sealed, 'sealed stored secrets under the current key');
  const metrics = createMetrics(() => store.outboxDepth());

  // The destination guard: the HTTP sender checks the address it connects to, the API refuses literals.
  const addressPolicy = createAddressPolicy(config.destinationGuard.allowedNetworks);
  const httpSender = createHttpSender({
    connectTimeoutMs: config.dispatch.connectTimeoutMs,
    responseTimeoutMs: config.dispatch.responseTimeoutMs,
    connectionsPerOrigin: config.dispatch.perDestinationConcurrency,
    issuer: config.jwtIssuer,
    addressPolicy,
    onBatch: (items, verdict) => {
      metrics.callbackBatches.inc({ verdict });
      metrics.callbackBatchItems.inc(items);
    },
  });
  const timeouts = { connectTimeoutMs: config.dispatch.connectTimeoutMs, responseTimeoutMs: config.dispatch.responseTimeoutMs };
  // The SMPP server is an interface and, for its receipts, the `smpp` sender (late-bound: it
  // accepts through the accept port and wakes dispatch, both made below).
  const smppServer = createSmppServer({
    store,
    accept: (request) => accept(request),
    logger,
    clock,
    config: config.smppServer,
    onReceiverBound: (systemId) => {
      store.hurryDestination(destinationKey({ type: 'smpp', system_id: systemId }), now()).then(() => dispatcher.wake(), onError);
    },
  });
  const senders = {
    smpp: createSmppSender(smppServer, { responseTimeoutMs: config.smppServer.responseTimeoutMs, throttleMs: config.smppServer.throttleMs }),
    url: httpSender,
    email: createEmailSender({ smtp: config.smtp, ...timeouts, issuer: config.jwtIssuer, interfaceDomain: config.emailInterface.domain }),
    sqs: createSqsSender({ sqs: config.sqs, ...timeouts, credentialsOf: (accountId, queueUrl) => store.findSqsCredentials(accountId, queueUrl) }),
  };
  const dispatcher = createDispatcher({
    store,
    senders,
    config: config.dispatch,
    metrics,
    clock,
    onError,
  });

  // The one commit hook: dispatch sends the new callbacks, carriage starts failover items.
  // Late-bound: carriage reports to the recorder, and the recorder's commits start carriage items.
  const onCommitted = ({ transitions, contexts, lease }: CommittedBatch) => {
    if (lease) dispatcher.takeCommitted(transitions, contexts, lease.token);
    for (const transition of transitions) for (const message of transition.started) carriage.submit(message);
  };
  const recorder = createStatusRecorder({
    store,
    now,
    newId,
    errorTypeBase: config.errorTypeBase,
    metrics,
    // Routing decides where a status change goes, the format registry writes its bytes.
    planning: { route: routeStatusChange, render: renderBody },
    leaseNewCallbacksMs: config.dispatch.leaseMs,
    leaseRoomFor: (destinationKey) => dispatcher.roomToTake(destinationKey),
    onCommitted,
  });
  const connectorDeps = {
    store,
    report: (report: ProviderReport) => recorder.record(report),
    refusals: createRefusals({ store, metrics, logger, now, newId }),
    metrics,
    logger,
    clock,
    newId,
    errorTypeBase: config.errorTypeBase,
    onError,
  };
  const simulator = createSimulator({ ...connectorDeps, ...config.simulator });
  const connectors = createConnectors(config.providers, simulator, connectorDeps);
  const carriage = createCarriage(connectors.byChannel);

  // The suite's "send a test callback": one attempt through the real sender, signed like any callback.
  const sendTestCallback: TestCallbackPort = async (account, destination, format) => {
    const id = newId();
    const payload = { message_uuid: newId(), to: CUSTOMER_TEST_NUMBER, from: 'statusrelay', timestamp: new Date(now()).toISOString(), status: 'delivered' as const, channel: 'sms' as const, client_ref: 'statusrelay-test' };
    const { body, contentType } = renderBody(payload, format);
    const sender = senders[destination.type];
    const outcome = await sender.send(
      {
        id, account_id: account.id, message_uuid: payload.message_uuid, event_seq: 0, status: 'delivered', destination,
        destination_key: destinationKey(destination), format, content_type: contentType, body,
        headline: { channel: 'sms', to: payload.to }, state: 'inflight', attempts: 1, created_at: now(), lease_token: id,
        signing: { signature_secret: account.signature_secret, api_key: account.api_key, ...(account.application_id ? { application_id: account.application_id } : {}) },
      },
      now(),
    );
    return { verdict: outcome.verdict, durationMs: outcome.durationMs, ...(outcome.statusCode !== undefined ? { statusCode: outcome.statusCode } : {}), ...(outcome.error ? { error: outcome.error } : {}) };
  };

  const acceptDeps = { store, metrics, now, newId, onAccepted: (message: Message) => carriage.submit(message) };
  const acceptMany = createAcceptManyPort(acceptDeps);
  const accept = createAcceptPort(acceptMany);
  const emailInterface =
    config.emailInterface.port === 0 && !options.emailInterfaceOnPortZero
      ? undefined
      : createEmailInterface({ config: config.emailInterface, store, acceptMany, logger, now });
  /** Where the e-mail interface listens once started (`host:port`), if it is on. */
  let emailAddress: AddressInfo | undefined;
  const websms = { acceptMany, store, now, newId, addressPolicy };
  const api = buildApi({
    store,
    accept,
    metrics,
    logger,
    now,
    bodyLimitBytes: config.bodyLimitBytes,
    retentionDays: config.retention.days,
    rateLimit: { buckets: new TokenBuckets(now), defaultRate: config.apiRateLimit },
    metricsAccess: { ownPort: config.metrics.port > 0, ...(config.metrics.token ? { token: config.metrics.token } : {}) },
    wakeDispatch: () => dispatcher.wake(),
    addressPolicy,
    ...(config.sqs.endpoint ? { sqsEndpoint: config.sqs.endpoint } : {}),
    sqsSharedIdentityAccounts: config.sqs.sharedIdentityAccounts,
    providerWebhooks: connectors.webhooks,
    customerInterfaces: [
      websmsRoutes(websms),
      tokenRoutes(websms),
      legacyXmlRoutes(websms),
      suiteRoutes({
        store,
        acceptMany,
        now,
        newId,
        sendTestCallback,
        wakeDispatch: () => dispatcher.wake(),
        addressPolicy,
        ...(config.sqs.endpoint ? { sqsEndpoint: config.sqs.endpoint } : {}),
        sqsSharedIdentityAccounts: config.sqs.sharedIdentityAccounts,
        retentionDays: config.retention.days,
      }),
    ],
  });

  let ttlTimer: NodeJS.Timeout | undefined;
  const metricsListener = config.metrics.port > 0 ? metricsServer(metrics.registry, config.metrics.token) : undefined;
  let metricsAddress: string | undefined;
  let retention: ReturnType<typeof startRetention> | undefined;
  let unsubscribeOutbox: (() => void) | undefined;

  return {
    config,
    store,
    api,
    recorder,
    carriage,
    logger,
    /** The e-mail interface's bound address after start(), if it is on. */
    emailAddress: () => emailAddress,
    smppServer,
    /** Starts every stage and listens; resolves with the bound address. */
    async start(): Promise<string> {
      dispatcher.start();
      // Other nodes on the same database wake this one when they write outbox rows.
      unsubscribeOutbox = store.onOutboxChange?.(() => dispatcher.wake());
      const resumed = await carriage.resumeOpen(store);
      ttlTimer = setInterval(() => recorder.expireDue().catch(onError), config.ttlSweepMs);
      retention = startRetention(store, config.retention, {
        now,
        onError,
        onPurged: (counts) => {
          for (const [kind, count] of Object.entries(counts)) if (count > 0) metrics.retentionDeleted.inc({ kind }, count);
        },
      });
      const address = await api.listen({ port: config.port, host: config.host });
      emailAddress = await emailInterface?.listen();
      metricsAddress = await metricsListener?.listen({ port: config.metrics.port, host: config.metrics.host });
      if (!metricsListener && !config.metrics.token) logger.warn('GET /metrics is open on the API port: set METRICS_PORT or METRICS_TOKEN');
      await smppServer.listen();
      logger.info({ address, email: emailAddress, metrics: metricsAddress, store: store.kind, resumed }, 'statusrelay listening');
      return address;
    },
    /** Graceful stop: no new requests, in-flight attempts finish, the rest waits for the next start. */
    async stop(): Promise<void> {
      await api.close();
      await metricsListener?.close();
      await emailInterface?.close();
      await smppServer.stopIntake();
      clearInterval(ttlTimer);
      await retention?.stop();
      await carriage.stop();
      await recorder.idle();
      unsubscribeOutbox?.();
      await dispatcher.stop();
      await Promise.all(Object.values(senders).map((sender) => sender.close()));
      await store.close();
    },
  };
}

export type Relay = Awaited<ReturnType<typeof createRelay>>;
