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
import { createEarlyReports, type EarlyReports } from './early-reports.js';
import { createHttpCarrier, handedOver, type HttpProviderSpec } from './http-carrier.js';
import { createParkedReplay, type ParkedReplay } from './parked-replay.js';
import { webhookReplayPlan, type NormalizedStatus } from './webhook.js';
import { whatsappSpec } from './whatsapp/sender.js';
import { whatsappNormalizer, whatsappWebhook } from './whatsapp/webhook.js';
import { upstreamSpec } from './upstream/sender.js';
import { upstreamNormalizer, upstreamWebhook } from './upstream/webhook.js';
import { websmsSpec } from './websms/sender.js';
import { websmsNormalizer, websmsWebhook } from './websms/webhook.js';

export interface Connectors {
  byChannel: Record<Channel, Carrier>;
  /** The provider webhook routes; they exist (and refuse) when their provider is not configured. */
  webhooks: FastifyPluginAsync[];
}

/**
 * What an HTTP provider's sender and webhook share: the matcher of webhooks that overtake the
 * send answer (the sender announces ids, the webhook waits for them) and the replay of those
 * parked for longer.
 */
interface HttpProviderMatching {
  early: EarlyReports;
  replay: ParkedReplay;
}

function httpMatching(
  config: ProvidersConfig,
  deps: ConnectorDeps,
  spec: HttpProviderSpec | undefined,
  source: string,
  normalize: (raw: unknown) => NormalizedStatus,
): HttpProviderMatching {
  return {
    early: createEarlyReports(config.http.holdMs, deps.clock),
    replay: createParkedReplay(source, deps, webhookReplayPlan(source, deps, normalize, (message) => handedOver(spec, message))),
  };
}

export function createConnectors(config: ProvidersConfig, simulator: Carrier, deps: ConnectorDeps): Connectors {
  const built: Partial<Record<string, Carrier>> = { simulator };
  if (config.smpp) built.smpp = createSmppCarrier(config.smpp, deps);
  const whatsapp = config.whatsapp && whatsappSpec(config.whatsapp);
  const whatsappMatch = httpMatching(config, deps, whatsapp, 'whatsapp', whatsappNormalizer(deps));
  if (whatsapp) built.whatsapp = createHttpCarrier(whatsapp, config.http, deps, whatsappMatch.early, whatsappMatch.replay);
  const upstream = config.upstream && upstreamSpec(config.upstream, deps.clock.now);
  const upstreamMatch = httpMatching(config, deps, upstream, 'upstream', upstreamNormalizer(deps));
  if (upstream) built.upstream = createHttpCarrier(upstream, config.http, deps, upstreamMatch.early, upstreamMatch.replay);
  const websms = config.websms && websmsSpec(config.websms, deps.clock.now);
  const websmsMatch = httpMatching(config, deps, websms, 'websms', websmsNormalizer(deps));
  if (websms) built.websms = createHttpCarrier(websms, config.http, deps, websmsMatch.early, websmsMatch.replay);
  const byChannel = Object.fromEntries(
    CHANNELS.map((channel) => [channel, built[config.carriers[channel]] ?? simulator]),
  ) as Record<Channel, Carrier>;
  return {
    byChannel,
    webhooks: [
      whatsappWebhook(config.whatsapp, deps, whatsappMatch.early, whatsappMatch.replay),
      upstreamWebhook(config.upstream, deps, upstreamMatch.early, upstreamMatch.replay),
      websmsWebhook(config.websms, deps, websmsMatch.early, websmsMatch.replay),
    ],
  };
}
