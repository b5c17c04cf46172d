/**
 * Envelope senders an account allows to send through the e-mail interface without AUTH
 * (`PATCH /v1/account` `email_senders`): exact addresses (`ops@example.com`) or a whole domain
 * (`*@example.com`). Compared case-insensitively.
 */
import { isEmailAddress } from '../../model/destination.js';
import type { InvalidParameter } from '../../http/problems.js';

export const MAX_EMAIL_SENDERS = 100;

/** Every problem of a proposed `email_senders` list, named `email_senders[i]`. */
export function emailSendersProblem(value: unknown): InvalidParameter[] {
  if (!Array.isArray(value) || value.length > MAX_EMAIL_SENDERS) {
    return [{ name: 'email_senders', reason: `must be a list of at most ${MAX_EMAIL_SENDERS} addresses or *@domain patterns` }];
  }
  const invalid: InvalidParameter[] = [];
  value.forEach((entry, i) => {
    if (!isSenderPattern(entry)) invalid.push({ name: `email_senders[${i}]`, reason: 'must be an e-mail address (ops@example.com) or *@domain (*@example.com)' });
  });
  return invalid;
}

function isSenderPattern(entry: unknown): boolean {
  if (typeof entry !== 'string') return false;
  return entry.startsWith('*@') ? isEmailAddress(`x${entry.slice(1)}`) : isEmailAddress(entry);
}

/** Lower-cased, without duplicates, in the given order. */
export function normalizeSenders(list: string[]): string[] {
  return [...new Set(list.map((entry) => entry.toLowerCase()))];
}

/** Whether `address` (an envelope sender) matches one of the account's patterns. */
export function senderAllowed(patterns: readonly string[] | undefined, address: string): boolean {
  if (!patterns || !address) return false;
  const lower = address.toLowerCase();
  const domain = lower.slice(lower.lastIndexOf('@') + 1);
  return patterns.some((pattern) => pattern === lower || (pattern.startsWith('*@') && pattern.slice(2) === domain));
}
