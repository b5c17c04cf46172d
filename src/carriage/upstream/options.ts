/** Another platform's Messages API that statusrelay sends through: the UPSTREAM_* settings. */
import { ConfigError, group, httpUrl, type Env } from '../../ops/env.js';

export interface UpstreamConfig {
  baseUrl: string;
  auth: { kind: 'basic'; apiKey: string; apiSecret: string } | { kind: 'jwt'; applicationId: string; privateKey: string };
  /** Verifies the JWT of its status callbacks. */
  signatureSecret: string;
}

/** Undefined without UPSTREAM_MESSAGES_URL. */
export function readUpstreamOptions(env: Env): UpstreamConfig | undefined {
  if (!env.UPSTREAM_MESSAGES_URL) return undefined;
  if (!env.UPSTREAM_SIGNATURE_SECRET) throw new ConfigError('UPSTREAM_MESSAGES_URL', 'needs UPSTREAM_SIGNATURE_SECRET to verify its callbacks');
  const basic = group(env, ['UPSTREAM_API_KEY', 'UPSTREAM_API_SECRET']);
  const jwt = group(env, ['UPSTREAM_APPLICATION_ID', 'UPSTREAM_PRIVATE_KEY']);
  if (!basic === !jwt) {
    throw new ConfigError('UPSTREAM_MESSAGES_URL', 'needs either UPSTREAM_API_KEY + UPSTREAM_API_SECRET or UPSTREAM_APPLICATION_ID + UPSTREAM_PRIVATE_KEY');
  }
  return {
    baseUrl: httpUrl(env, 'UPSTREAM_MESSAGES_URL'),
    auth: basic
      ? { kind: 'basic', apiKey: basic.UPSTREAM_API_KEY, apiSecret: basic.UPSTREAM_API_SECRET }
      : // A PEM in one environment line usually has its newlines written as \n.
        { kind: 'jwt', applicationId: jwt!.UPSTREAM_APPLICATION_ID, privateKey: jwt!.UPSTREAM_PRIVATE_KEY.replace(/\\n/g, '\n') },
    signatureSecret: env.UPSTREAM_SIGNATURE_SECRET,
  };
}
