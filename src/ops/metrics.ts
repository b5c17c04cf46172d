/** Prometheus metrics of one relay (tests start several in one process). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

let processRegistry: Registry | undefined;

/**
 * Node's own metrics (event loop lag, GC, memory) belong to the process: collected once, since
 * prom-client offers no way to stop their samplers again.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createMetrics(outboxDepth: () => Promise<number>) {
  const own = new Registry();
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers: [own] });

  const metrics = {
    messagesAccepted: counter('statusrelay_messages_accepted_total', 'Messages accepted by an intake interface', ['channel', 'interface']),
    statusEvents: counter('statusrelay_status_events_total', 'Provider reports by what the lifecycle made of them', ['verdict']),
    callbacks: counter('statusrelay_callbacks_total', 'Callback attempts by outcome (delivered, retry, failed, dead)', ['outcome', 'destination']),
    providerInputRefused: counter(
      'statusrelay_provider_input_refused_total',
      'Provider input refused or parked instead of applied, by connector and reason',
      ['source', 'reason'],
    ),
    callbackBatches: counter('statusrelay_callback_batches_total', 'Batched callback POSTs by verdict (delivered, retry, failed)', ['verdict']),
    callbackBatchItems: counter('statusrelay_callback_batch_items_total', 'Callbacks carried in batched POSTs'),
    breakerOpened: counter('statusrelay_destination_breaker_opened_total', 'Destinations left out of claims after repeated failed attempts, by destination type', ['destination']),
    retentionDeleted: counter('statusrelay_retention_deleted_total', 'Rows deleted by retention (RETENTION_DAYS), by kind', ['kind']),
    parkedApplied: counter('statusrelay_parked_reports_applied_total', 'Parked provider reports applied once their id became known', ['source']),
    providerSubmits: counter('statusrelay_provider_submits_total', 'Submissions to providers by connector and outcome', ['source', 'outcome']),
    deliveryLatency: new Histogram({
      name: 'statusrelay_callback_delivery_seconds',
      help: 'Time from status event to acknowledged callback',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600],
      registers: [own],
    }),
    outboxDepth: new Gauge({
      name: 'statusrelay_outbox_depth',
      help: 'Callbacks pending or in flight',
      registers: [own],
      async collect() {
        this.set(await outboxDepth());
      },
    }),
  };
  return { ...metrics, registry: Registry.merge([processMetrics(), own]) };
}

export type Metrics = ReturnType<typeof createMetrics>;
