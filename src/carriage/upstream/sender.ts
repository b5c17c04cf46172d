/**
 * Sending through another platform's Messages API: POST {base}/v1/messages with Basic auth
 * (api key and secret) or a JWT (RS256, signed with the application's private key). Its
 * `message_uuid` becomes our provider_ref. On SMS and MMS the customer's `submitted` is the
 * upstream's own, which carries `usage` and `destination.network_code`.
 */
import { randomUUID } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import type { Message } from '../../model/types.js';
import type { UpstreamConfig } from './options.js';
import type { HttpProviderSpec } from '../http-carrier.js';
import { ERROR_CODES } from '../../model/errors.js';
import { CHANNEL_TRAITS } from '../../model/vocabulary.js';

type Obj = Record<string, any>;

/** The code at the end of a problem `type` URL ("...#1170"), if it is one we know. */
function codeOfProblem(answer: unknown): number | undefined {
  const match = /#(\d+)$/.exec(String((answer as Obj | undefined)?.type ?? ''));
  const code = match ? Number(match[1]) : undefined;
  return code !== undefined && ERROR_CODES[code] ? code : undefined;
}

function authorization(config: UpstreamConfig): () => string {
  const { auth } = config;
  if (auth.kind === 'basic') {
    const header = `Basic ${Buffer.from(`${auth.apiKey}:${auth.apiSecret}`).toString('base64')}`;
    return () => header;
  }
  const sign = createSigner({ key: auth.privateKey, algorithm: 'RS256', expiresIn: 15 * 60_000 });
  return () => `Bearer ${sign({ application_id: auth.applicationId, jti: randomUUID() })}`;
}

function content(message: Message): Obj {
  if (message.message_type === 'image') {
    return { image: { url: message.image_url, ...(message.text ? { caption: message.text } : {}) } };
  }
  return { text: message.text };
}

export function upstreamSpec(config: UpstreamConfig, now: () => number): HttpProviderSpec {
  const auth = authorization(config);
  return {
    name: 'upstream',
    request(message) {
      // What is left of the message's time to live, in whole seconds as the API wants it.
      const ttl = message.expires_at === undefined ? undefined : Math.max(1, Math.floor((message.expires_at - now()) / 1000));
      return {
        url: `${config.baseUrl}/v1/messages`,
        headers: { authorization: auth() },
        body: {
          message_type: message.message_type,
          channel: message.channel,
          to: message.to,
          from: message.from,
          ...content(message),
          ...(message.client_ref !== undefined ? { client_ref: message.client_ref } : {}),
          ...(ttl !== undefined ? { ttl } : {}),
        },
      };
    },
    providerId: (answer) => {
      const id = (answer as Obj | undefined)?.message_uuid;
      return typeof id === 'string' && id ? id : undefined;
    },
    // The upstream names its reason with a Messages API code: the same catalogue as ours.
    refusalCode: (status, answer) => codeOfProblem(answer) ?? (status === 422 || status === 400 ? 1020 : 1331),
    // On channels billed on `submitted` (SMS, MMS) its `submitted` carries the price and network.
    reportsSubmitted: (message) => CHANNEL_TRAITS[message.channel].billableOn === 'submitted',
  };
}
