/** An SMSC reached over SMPP 3.4: SMSC_URL and the SMSC_* settings. */
import { ConfigError, integer, oneOf, optionalInteger, type Env } from '../../ops/env.js';
import type { RetryConfig } from '../../model/retry.js';
import { RECEIPT_ID_TYPES, type ReceiptIdType } from './message-ids.js';

export interface SmppConfig {
  host: string;
  port: number;
  systemId: string;
  password: string;
  systemType: string;
  /** 0x34 = SMPP 3.4. */
  interfaceVersion: number;
  /** Source address TON/NPI; undefined = chosen per sender (alphanumeric 5/0, numeric 1/1). */
  sourceTon?: number;
  sourceNpi?: number;
  destTon: number;
  destNpi: number;
  /** 1 = receipt on success or failure, 2 = on failure only, 0 = none. */
  registeredDelivery: number;
  /** Unacknowledged submit_sm allowed at once. */
  window: number;
  enquireLinkMs: number;
  /** Reconnect backoff: first wait, doubling up to the cap, with jitter. */
  reconnect: RetryConfig;
  /** Pause after ESME_RTHROTTLED / ESME_RMSGQFUL before submitting again (doubles while it lasts). */
  throttleMs: number;
  /** A message that could not be handed to the SMSC for this long becomes undeliverable. */
  patienceMs: number;
  /** A receipt whose message id is not known yet waits this long for its submit_sm_resp. */
  receiptHoldMs: number;
  /** After the first part of a multipart SMS reported, the others get this long (then 1490). */
  segmentTimeoutMs: number;
  /** How receipts write the submit_sm_resp's message id (message-ids.ts). */
  receiptIdType: ReceiptIdType;
}

/** Undefined without SMSC_URL. The URL holds a password, so errors do not repeat it. */
export function readSmppOptions(env: Env): SmppConfig | undefined {
  const raw = env.SMSC_URL;
  if (!raw) return undefined;
  const url = URL.parse(raw);
  if (url?.protocol !== 'smpp:' || !url.hostname || !url.username) {
    throw new ConfigError('SMSC_URL', 'must look like smpp://system_id:password@host:port');
  }
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 2775,
    systemId: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    systemType: env.SMSC_SYSTEM_TYPE ?? '',
    interfaceVersion: integer(env, 'SMSC_INTERFACE_VERSION', 0x34),
    sourceTon: optionalInteger(env, 'SMSC_SOURCE_TON', { max: 6 }),
    sourceNpi: optionalInteger(env, 'SMSC_SOURCE_NPI', { max: 18 }),
    destTon: integer(env, 'SMSC_DEST_TON', 1, { max: 6 }),
    destNpi: integer(env, 'SMSC_DEST_NPI', 1, { max: 18 }),
    registeredDelivery: integer(env, 'SMSC_REGISTERED_DELIVERY', 1, { max: 2 }),
    window: integer(env, 'SMSC_WINDOW', 10, { min: 1 }),
    enquireLinkMs: integer(env, 'SMSC_ENQUIRE_LINK_MS', 30_000, { min: 100 }),
    reconnect: {
      baseMs: integer(env, 'SMSC_RECONNECT_BASE_MS', 1_000, { min: 1 }),
      capMs: integer(env, 'SMSC_RECONNECT_CAP_MS', 60_000, { min: 1 }),
      windowMs: Number.POSITIVE_INFINITY,
      jitter: 0.2,
    },
    throttleMs: integer(env, 'SMSC_THROTTLE_MS', 1_000, { min: 1 }),
    patienceMs: integer(env, 'SMSC_PATIENCE_MS', 10 * 60_000, { min: 1 }),
    receiptHoldMs: integer(env, 'SMSC_RECEIPT_HOLD_MS', 5_000),
    segmentTimeoutMs: integer(env, 'SMSC_SEGMENT_TIMEOUT_MS', 3_600_000, { min: 1 }),
    receiptIdType: oneOf(env, 'SMSC_RECEIPT_ID_TYPE', RECEIPT_ID_TYPES, 'auto'),
  };
}
