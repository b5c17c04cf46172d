/** What a message looks like to the Cloud API: POST {base}/{version}/{phone_number_id}/messages. */
import type { WhatsAppConfig } from './options.js';
import type { HttpProviderSpec } from '../http-carrier.js';
import { whatsappErrorCode } from './errors.js';

type Obj = Record<string, any>;

export function whatsappSpec(config: WhatsAppConfig): HttpProviderSpec {
  const url = `${config.baseUrl}/${config.apiVersion}/${config.phoneNumberId}/messages`;
  return {
    name: 'whatsapp',
    request(message) {
      const content =
        message.message_type === 'image'
          ? { type: 'image', image: { link: message.image_url, ...(message.text ? { caption: message.text } : {}) } }
          : { type: 'text', text: { preview_url: false, body: message.text } };
      return {
        url,
        headers: { authorization: `Bearer ${config.accessToken}` },
        body: { messaging_product: 'whatsapp', recipient_type: 'individual', to: message.to, ...content },
      };
    },
    providerId: (answer) => {
      const id = (answer as Obj | undefined)?.messages?.[0]?.id;
      return typeof id === 'string' && id ? id : undefined;
    },
    refusalCode: (_status, answer) => whatsappErrorCode((answer as Obj | undefined)?.error?.code),
  };
}
