/**
 * The simulator's provider behaviour as a pure function: for a message and a seed, the reports
 * a provider would send and when. The same message and seed always give the same plan, so a
 * restarted process replays it and the lifecycle drops what was already recorded.
 */
import type { Message, ProviderReport } from '../../model/types.js';
import { CHANNEL_TRAITS, type Channel, type Status } from '../../model/vocabulary.js';
import { seededRandom } from '../../model/clock.js';

export interface PlannedReport {
  /** Delay after the message was accepted, in ms (before time scaling). */
  afterMs: number;
  status: Status;
  /** Error code for rejected / undeliverable. */
  errorCode?: number;
  details: Omit<ProviderReport, 'message_uuid' | 'status' | 'occurred_at' | 'source' | 'error'>;
}

export interface ChannelProfile {
  /** Share of messages that end rejected, undeliverable or expired (1360). */
  rejected: number;
  undeliverable: number;
  expired: number;
  /** Of delivered OTT messages, the share later read. */
  read: number;
  price: string;
  rejectCodes: number[];
}

export interface SimulatorProfile {
  currency: string;
  /** Share of reports the provider sends twice. */
  duplicates: number;
  /** Share of read messages whose delivered report arrives after the read (or never). */
  outOfOrder: number;
  channels: Record<Channel, ChannelProfile>;
}

const CARRIER_CODES = [1170, 1250, 1050, 1240, 1190, 1210];
const OTT_CODES = [1170, 1300, 1340, 1380];

export const DEFAULT_PROFILE: SimulatorProfile = Object.freeze({
  currency: 'EUR',
  duplicates: 0.03,
  outOfOrder: 0.05,
  channels: {
    sms: { rejected: 0.04, undeliverable: 0.005, expired: 0.01, read: 0, price: '0.0333', rejectCodes: CARRIER_CODES },
    mms: { rejected: 0.06, undeliverable: 0.005, expired: 0.01, read: 0, price: '0.1200', rejectCodes: [...CARRIER_CODES, 1380] },
    rcs: { rejected: 0.08, undeliverable: 0.005, expired: 0, read: 0.7, price: '0.0250', rejectCodes: [...OTT_CODES, 1400] },
    whatsapp: { rejected: 0.04, undeliverable: 0.005, expired: 0, read: 0.75, price: '0.0485', rejectCodes: OTT_CODES },
    viber_service: { rejected: 0.05, undeliverable: 0.005, expired: 0, read: 0.6, price: '0.0300', rejectCodes: OTT_CODES },
    messenger: { rejected: 0.03, undeliverable: 0.005, expired: 0, read: 0.8, price: '0.0100', rejectCodes: OTT_CODES },
  },
}) as SimulatorProfile;

/** MCC+MNC of a few real operators (Austria, Germany, UK, US). */
const NETWORK_CODES = ['23201', '23203', '23205', '26201', '26202', '26203', '23410', '23415', '310260', '311480'];

function hash(text: string, seed: number): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Parts of a multipart SMS: 160 GSM characters fit one, 153 per part once split. */
function smsParts(text: string | undefined): number {
  const length = text?.length ?? 0;
  return length <= 160 ? 1 : Math.ceil(length / 153);
}

export function planReports(message: Message, seed: number, profile: SimulatorProfile = DEFAULT_PROFILE): PlannedReport[] {
  const random = seededRandom(hash(message.uuid, seed));
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const between = (low: number, high: number) => Math.round(low + random() * (high - low));
  const channel = CHANNEL_TRAITS[message.channel];
  const odds = profile.channels[message.channel];
  const ott = channel.statuses.includes('read');
  const usage = { currency: profile.currency, price: odds.price };
  const common = ott ? {} : { network_code: pick(NETWORK_CODES) };
  const parts = message.channel === 'sms' ? smsParts(message.text) : 1;
  const sms = message.channel === 'sms' ? { sms: { count_total: String(parts) } } : {};

  const draw = random();
  if (draw < odds.undeliverable) {
    return [{ afterMs: between(100, 2_000), status: 'undeliverable', errorCode: pick([1030, 1230, 1331]), details: {} }];
  }
  const submitted: PlannedReport = {
    afterMs: between(50, 400),
    status: 'submitted',
    details: { ...common, ...sms, ...(channel.billableOn === 'submitted' ? { usage } : {}) },
  };
  const plan: PlannedReport[] = [submitted];
  if (draw < odds.undeliverable + odds.rejected) {
    plan.push({ afterMs: between(300, 3_000), status: 'rejected', errorCode: pick(odds.rejectCodes), details: { ...common } });
  } else if (draw < odds.undeliverable + odds.rejected + odds.expired) {
    plan.push({ afterMs: between(30_000, 120_000), status: 'rejected', errorCode: 1360, details: { ...common } });
  } else {
    const deliveredAt = between(800, 5_000);
    const segments = parts > 1 ? { sms: { count_total: String(parts), segments: segmentsOf(parts) } } : sms;
    const delivered: PlannedReport = {
      afterMs: deliveredAt,
      status: 'delivered',
      details: { ...common, ...segments, ...(channel.billableOn === 'delivered' ? { usage } : {}) },
    };
    plan.push(delivered);
    if (ott && random() < odds.read) {
      const read: PlannedReport = { afterMs: deliveredAt + between(2_000, 60_000), status: 'read', details: {} };
      plan.push(read);
      // OTT providers may report read first (chat open) and the delivered late, or never.
      if (random() < profile.outOfOrder) delivered.afterMs = read.afterMs + between(100, 2_000);
    }
  }
  if (random() < profile.duplicates) {
    const repeated = pick(plan);
    plan.push({ ...repeated, afterMs: repeated.afterMs + between(10, 1_000) });
  }
  return plan.sort((a, b) => a.afterMs - b.afterMs);
}

function segmentsOf(parts: number): Array<Record<string, string>> {
  return Array.from({ length: parts }, (_, i) => ({ part: String(i + 1), status: 'delivered' }));
}
