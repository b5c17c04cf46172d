/**
 * Cloud API error codes (Graph `error.code`, and `errors[].code` of a failed status) as
 * Messages API codes. Codes not listed are the provider's own unexplained error (1331).
 */
const CODES: Readonly<Record<number, number>> = Object.freeze({
  100: 1020, // invalid parameter
  131008: 1020, // required parameter missing
  131009: 1020, // parameter value invalid
  131051: 1020, // unsupported message type
  131021: 1170, // recipient cannot be the sender
  131030: 1170, // recipient not in the allowed list
  131026: 1300, // message undeliverable: not a WhatsApp user, or an old client
  131047: 1340, // more than 24 hours since the customer last wrote
  470: 1340, // the same, older code
  131052: 1380, // media download error
  131053: 1380, // media upload error
  131048: 1210, // spam rate limit hit
  131049: 1210, // not delivered to keep the ecosystem healthy
  130472: 1210, // recipient is part of an experiment
  131056: 1000, // too many messages to this recipient
  130429: 1000, // rate limit
  131000: 1331, // something went wrong
});

export function whatsappErrorCode(code: unknown): number {
  const numeric = typeof code === 'string' ? Number(code) : code;
  return typeof numeric === 'number' ? (CODES[numeric] ?? 1331) : 1331;
}
