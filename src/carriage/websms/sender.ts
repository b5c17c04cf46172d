/**
 * Sending SMS through the websms REST API: POST {base}/rest/smsmessaging/text with Basic or
 * Bearer auth, one recipient per request, `clientMessageId` = our message uuid and
 * `notificationCallbackUrl` = our delivery report endpoint. The answer is HTTP 200 whatever
 * happened; its `statusCode` decides (codes.ts). Its `transferId` becomes our provider_ref.
 */
import type { Message } from '../../model/types.js';
import type { HttpProviderSpec } from '../http-carrier.js';
import type { WebsmsConfig } from './options.js';
import { sendVerdict } from './codes.js';
import { WEBSMS_REPORT_PATH } from './webhook.js';

type Obj = Record<string, unknown>;

/** websms allows 60 s to 3 days. */
const VALIDITY_SECONDS = { min: 60, max: 259_200 };

function statusCodeOf(answer: unknown): number | undefined {
  const code = (answer as Obj | undefined)?.statusCode;
  return typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : undefined;
}

function authorization(config: WebsmsConfig): string {
  const { auth } = config;
  return auth.kind === 'bearer' ? `Bearer ${auth.token}` : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

/** Numbers go out as international (digits only); anything else as an alphanumeric sender. */
function sender(from: string): Obj {
  const digits = from.replace(/^\+/, '');
  return /^\d+$/.test(digits) ? { senderAddress: digits, senderAddressType: 'international' } : { senderAddress: from, senderAddressType: 'alphanumeric' };
}

export function websmsSpec(config: WebsmsConfig, now: () => number): HttpProviderSpec {
  const header = authorization(config);
  const notificationCallbackUrl = `${config.notificationBaseUrl}${WEBSMS_REPORT_PATH}/${config.notificationSecret}`;
  return {
    name: 'websms',
    request(message: Message) {
      const left = message.expires_at === undefined ? undefined : Math.floor((message.expires_at - now()) / 1000);
      const validity = left === undefined ? undefined : Math.min(VALIDITY_SECONDS.max, Math.max(VALIDITY_SECONDS.min, left));
      return {
        url: `${config.baseUrl}/rest/smsmessaging/text`,
        headers: { authorization: header, accept: 'application/json' },
        body: {
          recipientAddressList: [message.to.replace(/^\+/, '')],
          messageContent: message.text ?? '',
          ...sender(message.from),
          notificationCallbackUrl,
          clientMessageId: message.uuid,
          ...(validity !== undefined ? { validityPeriode: validity } : {}),
        },
      };
    },
    providerId: (answer) => {
      const id = (answer as Obj | undefined)?.transferId;
      return typeof id === 'string' && id ? id : undefined;
    },
    refusedIn2xx(answer) {
      const code = statusCodeOf(answer);
      // A 2xx without a statusCode is not an answer of this API: worth asking again.
      if (code === undefined) return { kind: 'retry' };
      const verdict = sendVerdict(code);
      return verdict.kind === 'accepted' ? undefined : verdict;
    },
    // Non-2xx answers carry the same codes (401 with 4001 is caught before as our credentials).
    refusalCode: (_status, answer) => {
      const verdict = sendVerdict(statusCodeOf(answer) ?? 4000);
      return verdict.kind === 'rejected' || verdict.kind === 'undeliverable' ? verdict.code : 1331;
    },
  };
}
