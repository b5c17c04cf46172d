/**
 * The simulator, which connector carries which channel, and the settings the HTTP provider
 * connectors share. Each connector's own settings are read in its folder's options.ts.
 */
import { CHANNELS, type Channel } from '../model/vocabulary.js';
import { ConfigError, decimal, integer, type Env } from '../ops/env.js';
import type { RetryConfig } from '../model/retry.js';
import { readSmppOptions, type SmppConfig } from './smpp/options.js';
import { readWhatsAppOptions, type WhatsAppConfig } from './whatsapp/options.js';
import { readUpstreamOptions, type UpstreamConfig } from './upstream/options.js';
import { readWebsmsOptions, type WebsmsConfig } from './websms/options.js';

export interface SimulatorConfig {
  seed: number;
  /** Multiplies every simulated delay: 1 = realistic seconds, 0.01 = a hundred times faster. */
  timeScale: number;
}

/** Which connector carries a channel. */
export type CarrierKind = 'simulator' | 'smpp' | 'whatsapp' | 'upstream' | 'websms';

/** Settings shared by the HTTP provider connectors (WhatsApp, upstream). */
export interface ProviderHttpConfig {
  timeoutMs: number;
  /** Retries of a failed submission back off like callbacks do, for at most patienceMs. */
  retry: RetryConfig;
  patienceMs: number;
  /** A webhook for an id not stored yet waits this long for the send answer that names it. */
  holdMs: number;
}

export interface ProvidersConfig {
  /** Every channel's connector; unconfigured channels stay on the simulator. */
  carriers: Record<Channel, CarrierKind>;
  smpp?: SmppConfig;
  whatsapp?: WhatsAppConfig;
  upstream?: UpstreamConfig;
  websms?: WebsmsConfig;
  http: ProviderHttpConfig;
}

export function readSimulatorOptions(env: Env): SimulatorConfig {
  return {
    seed: integer(env, 'SIMULATOR_SEED', 1),
    timeScale: decimal(env, 'SIMULATOR_TIME_SCALE', 1, 0, 1_000),
  };
}

export function readProvidersOptions(env: Env): ProvidersConfig {
  const smpp = readSmppOptions(env);
  const whatsapp = readWhatsAppOptions(env);
  const upstream = readUpstreamOptions(env);
  const websms = readWebsmsOptions(env);
  const taken: Partial<Record<Channel, CarrierKind>> = {};
  if (smpp) taken.sms = 'smpp';
  if (whatsapp) taken.whatsapp = 'whatsapp';
  for (const channel of websmsChannels(env, taken, websms !== undefined)) taken[channel] = 'websms';
  return {
    carriers: assignCarriers(env, taken, upstream !== undefined),
    ...(smpp ? { smpp } : {}),
    ...(whatsapp ? { whatsapp } : {}),
    ...(upstream ? { upstream } : {}),
    ...(websms ? { websms } : {}),
    http: {
      timeoutMs: integer(env, 'PROVIDER_TIMEOUT_MS', 10_000, { min: 1 }),
      retry: { baseMs: integer(env, 'PROVIDER_RETRY_BASE_MS', 1_000, { min: 1 }), capMs: 60_000, windowMs: Number.POSITIVE_INFINITY, jitter: 0.2 },
      patienceMs: integer(env, 'PROVIDER_PATIENCE_MS', 10 * 60_000, { min: 1 }),
      holdMs: integer(env, 'PROVIDER_HOLD_MS', 5_000),
    },
  };
}

/** Channels the websms REST API can carry: its text endpoint sends SMS only. */
const WEBSMS_CAPABLE: readonly Channel[] = ['sms'];

/** WEBSMS_CHANNELS (default: sms, unless the SMSC carries it). */
function websmsChannels(env: Env, taken: Partial<Record<Channel, CarrierKind>>, configured: boolean): Channel[] {
  const listed = (env.WEBSMS_CHANNELS ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  if (listed.length > 0 && !configured) throw new ConfigError('WEBSMS_CHANNELS', 'is set but WEBSMS_BASE_URL is not');
  if (!configured) return [];
  for (const channel of listed) {
    if (!(WEBSMS_CAPABLE as readonly string[]).includes(channel)) {
      throw new ConfigError('WEBSMS_CHANNELS', `names a channel websms cannot carry (it can: ${WEBSMS_CAPABLE.join(', ')})`, channel);
    }
    const other = taken[channel as Channel];
    if (other) throw new ConfigError('WEBSMS_CHANNELS', `names ${channel}, which ${other} already carries`);
  }
  return listed.length > 0 ? (listed as Channel[]) : WEBSMS_CAPABLE.filter((channel) => !taken[channel]);
}

/**
 * Which connector carries each channel: the SMSC takes sms, the Cloud API whatsapp, the
 * upstream the channels in UPSTREAM_CHANNELS (default: every channel nobody else took), the
 * simulator the rest. Naming a channel for two connectors is a mistake worth stopping for.
 */
function assignCarriers(env: Env, taken: Partial<Record<Channel, CarrierKind>>, upstream: boolean): Record<Channel, CarrierKind> {
  const listed = (env.UPSTREAM_CHANNELS ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  if (listed.length > 0 && !upstream) throw new ConfigError('UPSTREAM_CHANNELS', 'is set but UPSTREAM_MESSAGES_URL is not');
  for (const channel of listed) {
    if (!(CHANNELS as readonly string[]).includes(channel)) {
      throw new ConfigError('UPSTREAM_CHANNELS', `names an unknown channel (known: ${CHANNELS.join(', ')})`, channel);
    }
    const other = taken[channel as Channel];
    if (other) throw new ConfigError('UPSTREAM_CHANNELS', `names ${channel}, which ${other} already carries`);
  }
  const upstreamChannels = listed.length > 0 ? listed : upstream ? CHANNELS.filter((c) => !taken[c]) : [];
  return Object.fromEntries(
    CHANNELS.map((channel) => [channel, taken[channel] ?? (upstreamChannels.includes(channel) ? 'upstream' : 'simulator')]),
  ) as Record<Channel, CarrierKind>;
}
