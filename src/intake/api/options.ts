/** The HTTP API (server.ts): where it listens, the largest request body it reads, and /metrics. */
import { ConfigError, host, integer, port, type Env } from '../../ops/env.js';

export interface ApiConfig {
  port: number;
  host: string;
  bodyLimitBytes: number;
  metrics: MetricsConfig;
  /** REST API requests per second per account (an account's own api_rate_limit wins); bursts of twice that. */
  apiRateLimit: number;
}

export interface MetricsConfig {
  /** 0 = /metrics on the API's port; else its own listener there. */
  port: number;
  host: string;
  /** Bearer token /metrics requires; absent = none. */
  token?: string;
}

export function readApiOptions(env: Env): ApiConfig {
  return {
    port: port(env, 'PORT', 8080),
    host: host(env, 'HOST', '0.0.0.0'),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 64 * 1024, { min: 1024 }),
    apiRateLimit: integer(env, 'API_RATE_LIMIT', 1000, { min: 1, max: 1_000_000 }),
    metrics: {
      port: port(env, 'METRICS_PORT', 0),
      host: host(env, 'METRICS_HOST', '127.0.0.1'),
      ...(env.METRICS_TOKEN ? { token: metricsToken(env.METRICS_TOKEN) } : {}),
    },
  };
}

function metricsToken(value: string): string {
  if (!/^[\x21-\x7e]{16,}$/.test(value)) throw new ConfigError('METRICS_TOKEN', 'must be at least 16 visible ASCII characters (the value is not shown)');
  return value;
}
