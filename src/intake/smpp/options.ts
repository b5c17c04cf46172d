/** The SMPP server (customers bind to statusrelay as an SMSC): SMPP_SERVER_* settings. */
import fs from 'node:fs';
import { ConfigError, host, integer, port, type Env } from '../../ops/env.js';

export interface SmppServerConfig {
  /** 0 = no plain-TCP listener. */
  port: number;
  host: string;
  /** SMPP over TLS; undefined = none. */
  tls?: { port: number; cert: string; key: string };
  /** A session with no PDU for this long is unbound and closed. */
  idleMs: number;
  /** Unacknowledged deliver_sm per session. */
  window: number;
  /** How long a deliver_sm waits for its deliver_sm_resp (and for a free window slot). */
  responseTimeoutMs: number;
  /** Pause of a session's deliver_sm after ESME_RTHROTTLED / ESME_RMSGQFUL. */
  throttleMs: number;
  /** The parts of a concatenated submit get this long to arrive (then ESME_RSYSERR for the held ones). */
  concatTimeoutMs: number;
}

function readFile(env: Env, name: string): string {
  const file = env[name]!;
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(name, `must name a readable file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`, file);
  }
}

/** `fallbackHost`: the HTTP API's HOST. */
export function readSmppServerOptions(env: Env, fallbackHost: string): SmppServerConfig {
  const tlsPort = port(env, 'SMPP_SERVER_TLS_PORT', 0);
  const hasCert = Boolean(env.SMPP_SERVER_TLS_CERT) || Boolean(env.SMPP_SERVER_TLS_KEY);
  if (tlsPort > 0 && !(env.SMPP_SERVER_TLS_CERT && env.SMPP_SERVER_TLS_KEY)) {
    throw new ConfigError('SMPP_SERVER_TLS_PORT', 'needs SMPP_SERVER_TLS_CERT and SMPP_SERVER_TLS_KEY as well');
  }
  if (hasCert && tlsPort === 0) {
    throw new ConfigError('SMPP_SERVER_TLS_CERT, SMPP_SERVER_TLS_KEY', 'need SMPP_SERVER_TLS_PORT as well');
  }
  return {
    port: port(env, 'SMPP_SERVER_PORT', 2775),
    host: host(env, 'SMPP_SERVER_HOST', fallbackHost),
    ...(tlsPort > 0 ? { tls: { port: tlsPort, cert: readFile(env, 'SMPP_SERVER_TLS_CERT'), key: readFile(env, 'SMPP_SERVER_TLS_KEY') } } : {}),
    idleMs: integer(env, 'SMPP_SERVER_IDLE_MS', 60_000, { min: 100 }),
    window: integer(env, 'SMPP_SERVER_WINDOW', 10, { min: 1, max: 1000 }),
    responseTimeoutMs: integer(env, 'SMPP_SERVER_RESPONSE_TIMEOUT_MS', 10_000, { min: 10 }),
    throttleMs: integer(env, 'SMPP_SERVER_THROTTLE_MS', 1_000, { min: 1 }),
    concatTimeoutMs: integer(env, 'SMPP_SERVER_CONCAT_TIMEOUT_MS', 30_000, { min: 10 }),
  };
}
