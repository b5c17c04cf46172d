/** Prometheus metrics of one statusrelay process. One registry per process (tests make several). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(outboxDepth: () => Promise<number>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers: [registry] });

  return {
    registry,
    messagesAccepted: counter('statusrelay_messages_accepted_total', 'Messages accepted by an intake interface', ['channel', 'interface']),
    statusEvents: counter('statusrelay_status_events_total', 'Provider reports by what the lifecycle made of them', ['verdict']),
    callbacks: counter('statusrelay_callbacks_total', 'Callback attempts by outcome (delivered, retry, failed, dead)', ['outcome', 'destination']),
    providerInputRefused: counter(
      'statusrelay_provider_input_refused_total',
      'Provider input refused or parked instead of applied, by connector and reason',
      ['source', 'reason'],
    ),
    providerSubmits: counter('statusrelay_provider_submits_total', 'Submissions to providers by connector and outcome', ['source', 'outcome']),
    deliveryLatency: new Histogram({
      name: 'statusrelay_callback_delivery_seconds',
      help: 'Time from status event to acknowledged callback',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600],
      registers: [registry],
    }),
    outboxDepth: new Gauge({
      name: 'statusrelay_outbox_depth',
      help: 'Callbacks pending or in flight',
      registers: [registry],
      async collect() {
        this.set(await outboxDepth());
      },
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
