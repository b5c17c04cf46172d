/**
 * Validation of a websms send request (`POST /rest/smsmessaging/text`, the simple endpoint and
 * the legacy XML interface all end here). Pure. The websms API answers one status code per
 * request, so the first problem found decides it; its statusMessage names the field. A request
 * with any problem stores nothing, not even its valid recipients.
 */
import type { MessageContent } from '../../model/types.js';
import { MAX_URL_LENGTH, httpUrlProblem } from '../../model/destination.js';
import type { AddressPolicy } from '../../model/address.js';
import { WEBSMS_CODES as C } from './codes.js';
import { smsSplit } from '../../model/gsm.js';
import { xmlUnsafeProblem } from '../../model/text.js';

export const WEBSMS_LIMITS = Object.freeze({
  recipients: 1000,
  text: 1000,
  clientMessageId: 100,
  url: MAX_URL_LENGTH,
  validityMin: 60,
  validityMax: 259_200,
  priorityMin: 1,
  priorityMax: 9,
});

export const SENDER_ADDRESS_TYPES = Object.freeze(['national', 'international', 'alphanumeric', 'shortcode'] as const);
export const CONTENT_CATEGORIES = Object.freeze(['informational', 'advertisement'] as const);

export interface WebsmsSend {
  /** One message per recipient, in request order. */
  messages: MessageContent[];
  notificationCallbackUrl?: string;
  clientMessageId?: string;
  test: boolean;
  /** SMS per recipient. */
  smsPerMessage: number;
}

export type WebsmsSendResult = { ok: true; value: WebsmsSend } | { ok: false; statusCode: number; statusMessage: string };

const MSISDN = /^\d{7,15}$/;
/** The sender formats per senderAddressType; without a type any of them is taken. */
const SENDER_FORMATS: Record<(typeof SENDER_ADDRESS_TYPES)[number], RegExp> = {
  international: /^\d{7,15}$/,
  national: /^\d{3,15}$/,
  shortcode: /^\d{3,8}$/,
  alphanumeric: /^[A-Za-z0-9][A-Za-z0-9 ]{0,10}$/,
};

class Refusal extends Error {
  constructor(
    readonly statusCode: number,
    readonly statusMessage: string,
  ) {
    super(statusMessage);
  }
}

function refuse(statusCode: number, statusMessage: string): never {
  throw new Refusal(statusCode, statusMessage);
}

const missing = (field: string) => refuse(C.PARAMETER_MISSING, `parameter missing: ${field}`);

function optionalBoolean(body: Record<string, unknown>, field: string): boolean {
  const value = body[field];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') refuse(C.PARAMETER_MISSING, `invalid parameter: ${field} must be true or false`);
  return value;
}

function optionalInteger(body: Record<string, unknown>, field: string, code: number, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    refuse(code, `invalid ${field}: must be an integer from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'up' : max}`);
  }
  return value;
}

function recipients(value: unknown): string[] {
  if (value === undefined || value === null) missing('recipientAddressList');
  if (!Array.isArray(value) || value.length === 0) {
    refuse(C.INVALID_RECIPIENT, 'invalid recipientAddressList: must be a list of 1 to 1000 MSISDNs');
  }
  if (value.length > WEBSMS_LIMITS.recipients) {
    refuse(C.TOO_MANY_RECIPIENTS, `too many recipients: recipientAddressList has ${value.length}, at most ${WEBSMS_LIMITS.recipients}`);
  }
  return value.map((item: unknown, i) => {
    // Older SDKs send the numbers as JSON integers.
    const msisdn = typeof item === 'number' && Number.isSafeInteger(item) ? String(item) : item;
    if (typeof msisdn !== 'string' || !MSISDN.test(msisdn)) {
      refuse(C.INVALID_RECIPIENT, `invalid recipient: recipientAddressList[${i}] must be 7 to 15 digits without '+'`);
    }
    return msisdn;
  });
}

function sender(body: Record<string, unknown>): string {
  const type = body.senderAddressType;
  if (type !== undefined && type !== null && !(SENDER_ADDRESS_TYPES as readonly unknown[]).includes(type)) {
    refuse(C.INVALID_SENDER, `invalid senderAddressType: must be one of ${SENDER_ADDRESS_TYPES.join(', ')}`);
  }
  const address = body.senderAddress;
  if (address === undefined || address === null || address === '') missing('senderAddress');
  const formats = type ? [SENDER_FORMATS[type as keyof typeof SENDER_FORMATS]] : Object.values(SENDER_FORMATS);
  if (typeof address !== 'string' || !formats.some((format) => format.test(address))) {
    refuse(
      C.INVALID_SENDER,
      `invalid senderAddress: must be ${type ? `a valid ${type} sender` : 'digits or an alphanumeric sender of 1 to 11 letters, digits or spaces'}`,
    );
  }
  return address;
}

/** `policy`: the destination guard's address policy for notificationCallbackUrl (model/address.ts). */
export function validateWebsmsSend(body: unknown, policy?: AddressPolicy): WebsmsSendResult {
  try {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) refuse(C.PARAMETER_MISSING, 'parameter missing: the request must be a JSON object');
    return { ok: true, value: check(body as Record<string, unknown>, policy) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, statusCode: error.statusCode, statusMessage: error.statusMessage };
    throw error;
  }
}

function check(body: Record<string, unknown>, policy?: AddressPolicy): WebsmsSend {
  const to = recipients(body.recipientAddressList);

  const text = body.messageContent;
  if (text === undefined || text === null) missing('messageContent');
  if (typeof text !== 'string' || text === '' || [...text].length > WEBSMS_LIMITS.text) {
    refuse(C.INVALID_TEXT, `invalid messageContent: must be a text of 1 to ${WEBSMS_LIMITS.text} characters`);
  }
  // As in the REST API: delivery reports in XML (the legacy interface's default) could not carry these.
  const textProblem = xmlUnsafeProblem('messageContent', text);
  if (textProblem) refuse(C.INVALID_TEXT, `invalid messageContent: ${textProblem}`);

  const from = sender(body);

  const messageType = body.messageType;
  if (messageType !== undefined && messageType !== null && messageType !== 'default') {
    refuse(C.INVALID_MESSAGE_TYPE, `invalid messageType: only default (text) is supported`);
  }

  const url = body.notificationCallbackUrl;
  const urlProblem = url === undefined || url === null ? undefined : httpUrlProblem(url, policy);
  if (urlProblem) {
    refuse(C.INVALID_NOTIFICATION_URL, `invalid notificationCallbackUrl: ${urlProblem}`);
  }

  const clientMessageId = body.clientMessageId;
  if (
    clientMessageId !== undefined &&
    clientMessageId !== null &&
    (typeof clientMessageId !== 'string' || clientMessageId === '' || clientMessageId.length > WEBSMS_LIMITS.clientMessageId)
  ) {
    refuse(C.INVALID_CLIENT_MESSAGE_ID, `invalid clientMessageId: must be a text of 1 to ${WEBSMS_LIMITS.clientMessageId} characters`);
  }
  const clientMessageIdProblem = xmlUnsafeProblem('clientMessageId', clientMessageId);
  if (clientMessageIdProblem) refuse(C.INVALID_CLIENT_MESSAGE_ID, `invalid clientMessageId: ${clientMessageIdProblem}`);

  optionalInteger(body, 'priority', C.INVALID_PRIORITY, WEBSMS_LIMITS.priorityMin, WEBSMS_LIMITS.priorityMax);
  const validity = optionalInteger(body, 'validityPeriode', C.INVALID_VALIDITY_PERIOD, WEBSMS_LIMITS.validityMin, WEBSMS_LIMITS.validityMax);

  const category = body.contentCategory;
  if (category !== undefined && category !== null && !(CONTENT_CATEGORIES as readonly unknown[]).includes(category)) {
    refuse(C.INVALID_CONTENT_CATEGORY, `invalid contentCategory: must be one of ${CONTENT_CATEGORIES.join(', ')}`);
  }

  const test = optionalBoolean(body, 'test');
  optionalBoolean(body, 'sendAsFlashSms');

  const { parts } = smsSplit(text);
  const max = optionalInteger(body, 'maxSmsPerMessage', C.MAX_SMS_EXCEEDED, 0, Number.MAX_SAFE_INTEGER);
  if (max !== undefined && max > 0 && parts > max) {
    refuse(C.MAX_SMS_EXCEEDED, `maxSmsPerMessage exceeded: the text needs ${parts} SMS, maxSmsPerMessage is ${max}`);
  }

  const messages = to.map((recipient) => {
    const content: MessageContent = { channel: 'sms', message_type: 'text', to: recipient, from, text };
    if (typeof clientMessageId === 'string') content.client_ref = clientMessageId;
    if (validity !== undefined) content.ttl = validity;
    return content;
  });
  return {
    messages,
    ...(typeof url === 'string' ? { notificationCallbackUrl: url } : {}),
    ...(typeof clientMessageId === 'string' ? { clientMessageId } : {}),
    test,
    smsPerMessage: parts,
  };
}
