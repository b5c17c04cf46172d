/**
 * One websms send, whatever it came in as (JSON, the simple endpoint, legacy XML): validate,
 * then one message per recipient, stored together through the accept port, under one transferId.
 */
import type { Account } from '../../store/store.js';
import type { InterfaceName } from '../../model/vocabulary.js';
import { WEBSMS_CODES, type WebsmsAnswer } from './codes.js';
import { validateWebsmsSend } from './request.js';
import type { WebsmsDeps } from './deps.js';

/** The transferId of a transfer: its first message's uuid without hyphens (GET /v1/messages accepts either). */
export function transferIdFor(uuid: string): string {
  return uuid.replace(/-/g, '');
}

export async function websmsSend(deps: WebsmsDeps, account: Account, body: unknown, via: InterfaceName): Promise<WebsmsAnswer> {
  const result = validateWebsmsSend(body, deps.addressPolicy);
  if (!result.ok) return { statusCode: result.statusCode, statusMessage: result.statusMessage };
  const send = result.value;
  const echo = send.clientMessageId !== undefined ? { clientMessageId: send.clientMessageId } : {};
  const smsCount = send.smsPerMessage * send.messages.length;
  if (send.test) {
    return { statusCode: WEBSMS_CODES.OK, statusMessage: 'OK (test: validated, nothing sent)', ...echo, smsCount };
  }
  const first = deps.newId();
  const transferId = transferIdFor(first);
  // Every recipient is validated first, then all are stored in one transaction: all or none.
  await deps.acceptMany(
    send.messages.map((content, i) => ({
      account_id: account.id,
      interface: via,
      first: content,
      failover: [],
      ...(i === 0 ? { uuid: first } : {}),
      transfer_id: transferId,
      ...(send.notificationCallbackUrl ? { return_to: { type: 'url' as const, url: send.notificationCallbackUrl } } : {}),
    })),
  );
  return { statusCode: WEBSMS_CODES.OK, statusMessage: 'OK', transferId, ...echo, smsCount };
}
