/** The WhatsApp Business Cloud API: the WHATSAPP_* settings. */
import { group, httpUrl, type Env } from '../../ops/env.js';

export interface WhatsAppConfig {
  baseUrl: string;
  apiVersion: string;
  accessToken: string;
  phoneNumberId: string;
  /** Signs the status webhooks (X-Hub-Signature-256). */
  appSecret: string;
  /** Answers the GET subscription handshake. */
  verifyToken: string;
}

/** Undefined when none of the four credentials is set. */
export function readWhatsAppOptions(env: Env): WhatsAppConfig | undefined {
  const given = group(env, ['WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID', 'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN']);
  if (!given) return undefined;
  return {
    baseUrl: httpUrl(env, 'WHATSAPP_BASE_URL', 'https://graph.facebook.com'),
    apiVersion: env.WHATSAPP_API_VERSION || 'v21.0',
    accessToken: given.WHATSAPP_ACCESS_TOKEN,
    phoneNumberId: given.WHATSAPP_PHONE_NUMBER_ID,
    appSecret: given.WHATSAPP_APP_SECRET,
    verifyToken: given.WHATSAPP_VERIFY_TOKEN,
  };
}
