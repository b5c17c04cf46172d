/**
 * Addressing of the e-mail interface: `<msisdn>@<domain>` is an SMS, `<msisdn>@whatsapp.<domain>`
 * a WhatsApp message. Pure.
 */
import type { Channel } from '../../model/vocabulary.js';

export type Recipient = { ok: true; channel: Channel; to: string } | { ok: false; reason: string };

const MSISDN = /^\d{7,15}$/;

export function parseRecipient(address: string, domain: string): Recipient {
  const at = address.lastIndexOf('@');
  if (at < 1) return { ok: false, reason: `${address} is not an address of this service` };
  // A leading '+' is what people type; the number itself is what counts.
  const local = address.slice(0, at).replace(/^\+/, '');
  const host = address.slice(at + 1).toLowerCase();
  const channel: Channel | undefined = host === domain ? 'sms' : host === `whatsapp.${domain}` ? 'whatsapp' : undefined;
  if (!channel) return { ok: false, reason: `unknown domain ${host}: send to <number>@${domain} (SMS) or <number>@whatsapp.${domain} (WhatsApp)` };
  if (!MSISDN.test(local)) return { ok: false, reason: `${local} is not a phone number: 7 to 15 digits (E.164 without '+')` };
  return { ok: true, channel, to: local };
}
