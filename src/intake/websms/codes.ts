/**
 * The websms API's status codes that statusrelay answers with (README, "The websms REST API").
 * Every answer carries one code and a statusMessage that names the field at fault.
 */
export const WEBSMS_CODES = Object.freeze({
  OK: 2000,
  MALFORMED: 4000,
  INVALID_CREDENTIALS: 4001,
  INVALID_RECIPIENT: 4002,
  INVALID_SENDER: 4003,
  INVALID_MESSAGE_TYPE: 4004,
  INVALID_CLIENT_MESSAGE_ID: 4008,
  INVALID_TEXT: 4009,
  INVALID_PRIORITY: 4015,
  INVALID_NOTIFICATION_URL: 4016,
  PARAMETER_MISSING: 4019,
  TOO_MANY_RECIPIENTS: 4025,
  MAX_SMS_EXCEEDED: 4026,
  INVALID_CONTENT_CATEGORY: 4040,
  INVALID_VALIDITY_PERIOD: 4041,
  INTERNAL_ERROR: 5000,
} as const);

export interface WebsmsAnswer {
  statusCode: number;
  statusMessage: string;
  transferId?: string;
  clientMessageId?: string;
  smsCount?: number;
}
