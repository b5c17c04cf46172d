/**
 * Builds the connectors the configuration asks for and says which carries each channel
 * (config.providers.carriers). Channels nobody else carries stay on the simulator.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ProvidersConfig } from './options.js';
import type { Carrier } from './carrier.js';
import type { ConnectorDeps } from './deps.js';
import { CHANNELS, type Channel } from '../model/vocabulary.js';
import { createSmppCarrier } from './smpp/carrier.js';
import { createEarlyReports } from './early-reports.js';
import { createHttpCarrier } from './http-carrier.js';
import { whatsappSpec } from './whatsapp/sender.js';
import { whatsappWebhook } from './whatsapp/webhook.js';
import { upstreamSpec } from './upstream/sender.js';
import { upstreamWebhook } from './upstream/webhook.js';

export interface Connectors {
  byChannel: Record<Channel, Carrier>;
  /** The provider webhook routes; they exist (and refuse) when their provider is not configured. */
  webhooks: FastifyPluginAsync[];
}

export function createConnectors(config: ProvidersConfig, simulator: Carrier, deps: ConnectorDeps): Connectors {
  const built: Partial<Record<string, Carrier>> = { simulator };
  if (config.smpp) built.smpp = createSmppCarrier(config.smpp, deps);
  // One matcher per HTTP provider, shared by its sender (announces ids) and its webhook (waits for them).
  const whatsappEarly = createEarlyReports(config.http.holdMs, deps.clock);
  if (config.whatsapp) built.whatsapp = createHttpCarrier(whatsappSpec(config.whatsapp), config.http, deps, whatsappEarly);
  const upstreamEarly = createEarlyReports(config.http.holdMs, deps.clock);
  if (config.upstream) built.upstream = createHttpCarrier(upstreamSpec(config.upstream, deps.clock.now), config.http, deps, upstreamEarly);
  const byChannel = Object.fromEntries(
    CHANNELS.map((channel) => [channel, built[config.carriers[channel]] ?? simulator]),
  ) as Record<Channel, Carrier>;
  return {
    byChannel,
    webhooks: [whatsappWebhook(config.whatsapp, deps, whatsappEarly), upstreamWebhook(config.upstream, deps, upstreamEarly)],
  };
}
