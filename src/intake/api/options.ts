/** The HTTP API (server.ts): where it listens and the largest request body it reads. */
import { host, integer, port, type Env } from '../../ops/env.js';

export interface ApiConfig {
  port: number;
  host: string;
  bodyLimitBytes: number;
}

export function readApiOptions(env: Env): ApiConfig {
  return {
    port: port(env, 'PORT', 8080),
    host: host(env, 'HOST', '0.0.0.0'),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 64 * 1024, { min: 1024 }),
  };
}
