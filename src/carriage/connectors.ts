/**
 * Builds the connectors the configuration asks for and says which carries each channel
 * (config.providers.carriers). Channels nobody else carries stay on the simulator.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ProvidersConfig } from '../config.js';
import type { Carrier } from './carrier.js';
import type { ConnectorDeps } from './deps.js';
import { CHANNELS, type Channel } from '../lifecycle/vocabulary.js';
import { createSmppCarrier } from './smpp/carrier.js';

export interface Connectors {
  byChannel: Record<Channel, Carrier>;
  /** The provider webhook routes; they exist (and refuse) when their provider is not configured. */
  webhooks: FastifyPluginAsync[];
}

export function createConnectors(config: ProvidersConfig, simulator: Carrier, deps: ConnectorDeps): Connectors {
  const built: Partial<Record<string, Carrier>> = { simulator };
  if (config.smpp) built.smpp = createSmppCarrier(config.smpp, deps);
  const byChannel = Object.fromEntries(
    CHANNELS.map((channel) => [channel, built[config.carriers[channel]] ?? simulator]),
  ) as Record<Channel, Carrier>;
  return { byChannel, webhooks: [] };
}
