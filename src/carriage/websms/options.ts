/** websms (LINK Mobility) as an upstream SMS provider: the WEBSMS_* settings. */
import { ConfigError, group, httpUrl, type Env } from '../../ops/env.js';

export interface WebsmsConfig {
  /** The REST API; messages go to POST {baseUrl}/rest/smsmessaging/text. */
  baseUrl: string;
  auth: { kind: 'bearer'; token: string } | { kind: 'basic'; username: string; password: string };
  /**
   * websms does not sign its delivery reports: they must name this secret, as the last segment
   * of the notification URL or as the HTTP Basic password.
   */
  notificationSecret: string;
  /** statusrelay's own public base URL, to which websms sends the delivery reports. */
  notificationBaseUrl: string;
}

/** Undefined without WEBSMS_BASE_URL. */
export function readWebsmsOptions(env: Env): WebsmsConfig | undefined {
  if (!env.WEBSMS_BASE_URL) return undefined;
  const basic = group(env, ['WEBSMS_USERNAME', 'WEBSMS_PASSWORD']);
  const token = env.WEBSMS_ACCESS_TOKEN || undefined;
  if (!basic === !token) {
    throw new ConfigError('WEBSMS_BASE_URL', 'needs either WEBSMS_ACCESS_TOKEN or WEBSMS_USERNAME + WEBSMS_PASSWORD');
  }
  const secret = env.WEBSMS_NOTIFICATION_SECRET ?? '';
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(secret)) {
    throw new ConfigError('WEBSMS_NOTIFICATION_SECRET', 'must be 16 to 128 letters, digits, - or _ (it protects the delivery report URL)');
  }
  return {
    baseUrl: httpUrl(env, 'WEBSMS_BASE_URL'),
    auth: token ? { kind: 'bearer', token } : { kind: 'basic', username: basic!.WEBSMS_USERNAME, password: basic!.WEBSMS_PASSWORD },
    notificationSecret: secret,
    notificationBaseUrl: httpUrl(env, 'WEBSMS_NOTIFICATION_BASE_URL'),
  };
}
