/**
 * Walks every forwarding case of the README (per section and interface) through routeStatusChange. Each row's rules
 * go through the validator first, so every document used here is one a customer could PUT.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeStatusChange } from '../src/routing/route.js';
import { DEFAULT_RULES, validateForwardingRules } from '../src/model/forwarding-rules.js';
import type { Message } from '../src/model/types.js';
import type { Channel, InterfaceName, Status } from '../src/model/vocabulary.js';
import type { Delivery } from '../src/model/destination.js';
import { storedMessage } from './helpers/fixtures.js';

const HOOK = 'https://hooks.example.com/message';
const STATUS_URL = 'https://hooks.example.com/account';
const RECEIPTS = 'https://example.com/receipts';
const QUEUE = 'https://sqs.eu-central-1.amazonaws.com/123456789012/status';
const FIFO = 'https://sqs.eu-central-1.amazonaws.com/123456789012/status.fifo';
const SENDER = 'sender@customer.example';

const url = (u: string, format: Delivery['format'] = 'json'): Delivery => ({ destination: { type: 'url', url: u }, format });
const mail = (address: string, format: 'json' | 'xml' = 'json'): Delivery => ({ destination: { type: 'email', address }, format });
const sqs = (queue_url: string, format: 'json' | 'xml' = 'json'): Delivery => ({ destination: { type: 'sqs', queue_url }, format });

interface Row {
  row: string;
  channel: Channel;
  via: InterfaceName;
  status: Status;
  /** A forwarding document as PUT by the customer; undefined = never configured (defaults). */
  rules?: object;
  message?: Partial<Message>;
  /** Without a status_url unless given. */
  statusUrl?: string;
  expect: Delivery[];
}

const ALL_STATUSES: Status[] = ['submitted', 'delivered', 'read', 'rejected', 'undeliverable'];

const rows: Row[] = [
  // Defaults: the relay core's behaviour for API messages, nothing for any other tool.
  { row: 'default: API SMS → webhook_url, JSON', channel: 'sms', via: 'api', status: 'delivered', message: { webhook_url: HOOK }, expect: [url(HOOK)] },
  { row: 'default: API SMS without webhook_url → account status_url', channel: 'sms', via: 'api', status: 'submitted', statusUrl: STATUS_URL, expect: [url(STATUS_URL)] },
  { row: 'default: API SMS with neither → nothing', channel: 'sms', via: 'api', status: 'delivered', expect: [] },
  ...ALL_STATUSES.map((status): Row => ({ row: `default: API WhatsApp ${status} → webhook_url`, channel: 'whatsapp', via: 'api', status, message: { webhook_url: HOOK }, expect: [url(HOOK)] })),
  { row: 'default: suite SMS → nothing', channel: 'sms', via: 'suite', status: 'delivered', statusUrl: STATUS_URL, expect: [] },
  { row: 'default: e-mail interface SMS → sender address, JSON', channel: 'sms', via: 'email', status: 'delivered', message: { return_to: { type: 'email', address: SENDER } }, expect: [mail(SENDER)] },
  { row: 'default: e-mail interface WhatsApp read, read receipt asked → sender address', channel: 'whatsapp', via: 'email', status: 'read', message: { return_to: { type: 'email', address: SENDER }, receipt_request: ['read'] }, expect: [mail(SENDER)] },
  { row: 'default: SMPP SMS → the customer\'s session, the standard receipt', channel: 'sms', via: 'smpp', status: 'delivered', message: { return_to: { type: 'smpp', system_id: 'ACME01' } }, expect: [{ destination: { type: 'smpp', system_id: 'ACME01' }, format: 'smpp_receipt' }] },
  { row: 'default: Outlook SMS → sender address, JSON', channel: 'sms', via: 'outlook', status: 'delivered', message: { return_to: { type: 'email', address: SENDER } }, expect: [mail(SENDER)] },
  { row: 'default: suite WhatsApp → nothing', channel: 'whatsapp', via: 'suite', status: 'read', expect: [] },

  // 1.1 SMS from the Messaging Suite: URL, e-mail or SQS, JSON or XML, or none.
  { row: '1.1 suite SMS → URL JSON', channel: 'sms', via: 'suite', status: 'delivered', rules: { sms: { suite: { type: 'url', url: RECEIPTS, format: 'json' } } }, expect: [url(RECEIPTS)] },
  { row: '1.1 suite SMS → URL XML', channel: 'sms', via: 'suite', status: 'rejected', rules: { sms: { suite: { type: 'url', url: RECEIPTS, format: 'xml' } } }, expect: [url(RECEIPTS, 'xml')] },
  { row: '1.1 suite SMS → e-mail XML', channel: 'sms', via: 'suite', status: 'delivered', rules: { sms: { suite: { type: 'email', address: 'ops@example.com', format: 'xml' } } }, expect: [mail('ops@example.com', 'xml')] },
  { row: '1.1 suite SMS → SQS JSON', channel: 'sms', via: 'suite', status: 'submitted', rules: { sms: { suite: { type: 'sqs', queue_url: QUEUE, format: 'json' } } }, expect: [sqs(QUEUE)] },
  { row: '1.1 suite MMS → SQS FIFO (MMS follows the SMS rules)', channel: 'mms', via: 'suite', status: 'delivered', rules: { sms: { suite: { type: 'sqs', queue_url: FIFO, format: 'json' } } }, expect: [sqs(FIFO)] },
  { row: '1.1 suite SMS → none', channel: 'sms', via: 'suite', status: 'delivered', rules: { sms: { suite: { type: 'none' } } }, expect: [] },
  { row: '1.1 a suite rule does not apply to API messages', channel: 'sms', via: 'api', status: 'delivered', message: { webhook_url: HOOK }, rules: { sms: { suite: { type: 'url', url: RECEIPTS, format: 'json' } } }, expect: [url(HOOK)] },

  // 1.2 Interfaces: the interface fixes the destination, the account picks the format or none.
  { row: '1.2 e-mail interface SMS → sender address, JSON', channel: 'sms', via: 'email', status: 'delivered', message: { return_to: { type: 'email', address: SENDER } }, rules: { sms: { email: { type: 'interface', format: 'json' } } }, expect: [mail(SENDER)] },
  { row: '1.2 e-mail interface SMS, read receipt asked → forwarded', channel: 'sms', via: 'email', status: 'delivered', message: { return_to: { type: 'email', address: SENDER }, receipt_request: ['read'] }, rules: { sms: { email: { type: 'interface', format: 'xml' } } }, expect: [mail(SENDER, 'xml')] },
  { row: '1.2 e-mail interface SMS, no receipt asked → nothing', channel: 'sms', via: 'email', status: 'delivered', message: { return_to: { type: 'email', address: SENDER }, receipt_request: [] }, rules: { sms: { email: { type: 'interface', format: 'json' } } }, expect: [] },
  { row: '1.2 API SMS, interface XML → webhook_url', channel: 'sms', via: 'api', status: 'delivered', message: { webhook_url: HOOK }, rules: { sms: { api: { type: 'interface', format: 'xml' } } }, expect: [url(HOOK, 'xml')] },
  { row: '1.2 API SMS, interface → account status_url', channel: 'sms', via: 'api', status: 'delivered', statusUrl: STATUS_URL, rules: { sms: { api: { type: 'interface', format: 'xml' } } }, expect: [url(STATUS_URL, 'xml')] },
  { row: '1.2 API SMS, none wins over the webhook_url', channel: 'sms', via: 'api', status: 'delivered', message: { webhook_url: HOOK }, rules: { sms: { api: { type: 'none' } } }, expect: [] },
  { row: '1.2 SMPP SMS → the customer\'s session', channel: 'sms', via: 'smpp', status: 'delivered', message: { return_to: { type: 'smpp', system_id: 'ACME01' } }, rules: { sms: { smpp: { type: 'interface', format: 'json' } } }, expect: [{ destination: { type: 'smpp', system_id: 'ACME01' }, format: 'smpp_json' }] },
  { row: '1.2 SMPP SMS → the session, the standard receipt', channel: 'sms', via: 'smpp', status: 'delivered', message: { return_to: { type: 'smpp', system_id: 'ACME01' } }, rules: { sms: { smpp: { type: 'interface', format: 'receipt' } } }, expect: [{ destination: { type: 'smpp', system_id: 'ACME01' }, format: 'smpp_receipt' }] },
  { row: '1.2 SMPP SMS, none', channel: 'sms', via: 'smpp', status: 'delivered', message: { return_to: { type: 'smpp', system_id: 'ACME01' } }, rules: { sms: { smpp: { type: 'none' } } }, expect: [] },
  { row: '1.2 Outlook SMS → the account\'s address', channel: 'sms', via: 'outlook', status: 'delivered', message: { return_to: { type: 'email', address: SENDER } }, rules: { sms: { outlook: { type: 'interface', format: 'xml' } } }, expect: [mail(SENDER, 'xml')] },
  { row: '1.2 Outlook SMS, none', channel: 'sms', via: 'outlook', status: 'delivered', message: { return_to: { type: 'email', address: SENDER } }, rules: { sms: { outlook: { type: 'none' } } }, expect: [] },

  // 1.3 Legacy XML: the notification URL the legacy request named (recorded as return_to), by
  // default or as chosen, rendered as the websms report (its XML form by default).
  { row: '1.3 legacy XML SMS → its notification URL by default, as the websms XML report', channel: 'sms', via: 'legacy_xml', status: 'delivered', message: { return_to: { type: 'url', url: HOOK } }, expect: [url(HOOK, 'websms_xml')] },
  { row: '1.3 legacy XML SMS, interface json → the websms JSON report', channel: 'sms', via: 'legacy_xml', status: 'delivered', message: { return_to: { type: 'url', url: HOOK } }, rules: { sms: { legacy_xml: { type: 'interface', format: 'json' } } }, expect: [url(HOOK, 'websms_json')] },
  { row: '1.3 legacy XML SMS, interface without a URL → nothing (no account fallback)', channel: 'sms', via: 'legacy_xml', status: 'delivered', statusUrl: STATUS_URL, rules: { sms: { legacy_xml: { type: 'interface', format: 'xml' } } }, expect: [] },
  // 1.4 websms REST API: the notificationCallbackUrl (return_to), else the account's status_url, as the websms report.
  { row: '1.4 websms SMS → its notificationCallbackUrl by default, as the websms JSON report', channel: 'sms', via: 'websms', status: 'delivered', message: { return_to: { type: 'url', url: HOOK } }, statusUrl: STATUS_URL, expect: [url(HOOK, 'websms_json')] },
  { row: '1.4 websms SMS without a notificationCallbackUrl → the status_url', channel: 'sms', via: 'websms', status: 'submitted', statusUrl: STATUS_URL, expect: [url(STATUS_URL, 'websms_json')] },
  { row: '1.4 websms SMS, interface xml → the websms XML report', channel: 'sms', via: 'websms', status: 'delivered', message: { return_to: { type: 'url', url: HOOK } }, rules: { sms: { websms: { type: 'interface', format: 'xml' } } }, expect: [url(HOOK, 'websms_xml')] },
  { row: '1.4 websms SMS, none → nothing', channel: 'sms', via: 'websms', status: 'delivered', message: { return_to: { type: 'url', url: HOOK } }, rules: { sms: { websms: { type: 'none' } } }, expect: [] },

  // 2.1 WhatsApp from the suite: URL, e-mail, SQS or none; delivered and read each on its own.
  { row: '2.1 suite WhatsApp delivered → URL XML', channel: 'whatsapp', via: 'suite', status: 'delivered', rules: { ott: { suite: { type: 'url', url: RECEIPTS, format: 'xml' } } }, expect: [url(RECEIPTS, 'xml')] },
  { row: '2.1 suite WhatsApp read → e-mail JSON', channel: 'whatsapp', via: 'suite', status: 'read', rules: { ott: { suite: { type: 'email', address: 'ops@example.com', format: 'json' } } }, expect: [mail('ops@example.com')] },
  { row: '2.1 suite WhatsApp read → SQS', channel: 'whatsapp', via: 'suite', status: 'read', rules: { ott: { statuses: ['read'], suite: { type: 'sqs', queue_url: QUEUE, format: 'json' } } }, expect: [sqs(QUEUE)] },
  { row: '2.1 suite WhatsApp, only read chosen: delivered not forwarded', channel: 'whatsapp', via: 'suite', status: 'delivered', rules: { ott: { statuses: ['read'], suite: { type: 'sqs', queue_url: QUEUE, format: 'json' } } }, expect: [] },
  { row: '2.1 suite WhatsApp, only delivered chosen: read not forwarded', channel: 'whatsapp', via: 'suite', status: 'read', rules: { ott: { statuses: ['delivered'], suite: { type: 'url', url: RECEIPTS, format: 'json' } } }, expect: [] },
  { row: '2.1 suite WhatsApp, delivered and read chosen: submitted not forwarded', channel: 'whatsapp', via: 'suite', status: 'submitted', rules: { ott: { statuses: ['delivered', 'read'], suite: { type: 'url', url: RECEIPTS, format: 'json' } } }, expect: [] },
  { row: '2.1 suite WhatsApp, rejected added → forwarded', channel: 'whatsapp', via: 'suite', status: 'rejected', rules: { ott: { statuses: ['delivered', 'read', 'rejected'], suite: { type: 'url', url: RECEIPTS, format: 'json' } } }, expect: [url(RECEIPTS)] },
  { row: '2.1 suite WhatsApp → none', channel: 'whatsapp', via: 'suite', status: 'read', rules: { ott: { suite: { type: 'none' } } }, expect: [] },
  { row: '2.1 Viber follows the OTT rules', channel: 'viber_service', via: 'suite', status: 'read', rules: { ott: { statuses: ['read'], suite: { type: 'url', url: RECEIPTS, format: 'json' } } }, expect: [url(RECEIPTS)] },
  { row: '2.1 Messenger follows the OTT rules', channel: 'messenger', via: 'suite', status: 'delivered', rules: { ott: { statuses: ['read'], suite: { type: 'url', url: RECEIPTS, format: 'json' } } }, expect: [] },
  { row: '2.1 RCS follows the OTT rules', channel: 'rcs', via: 'suite', status: 'delivered', rules: { ott: { statuses: ['delivered'], suite: { type: 'sqs', queue_url: QUEUE, format: 'xml' } } }, expect: [sqs(QUEUE, 'xml')] },
  { row: '2.1 SMS ignores ott.statuses', channel: 'sms', via: 'suite', status: 'submitted', rules: { sms: { suite: { type: 'url', url: RECEIPTS, format: 'json' } }, ott: { statuses: ['read'] } }, expect: [url(RECEIPTS)] },

  // 2.2 WhatsApp from the e-mail interface: delivery notification → delivered, read receipt → read.
  { row: '2.2 e-mail WhatsApp, delivery notification asked: delivered → sender', channel: 'whatsapp', via: 'email', status: 'delivered', message: { return_to: { type: 'email', address: SENDER }, receipt_request: ['delivered'] }, rules: { ott: { email: { type: 'interface', format: 'xml' } } }, expect: [mail(SENDER, 'xml')] },
  { row: '2.2 e-mail WhatsApp, delivery notification asked: read not forwarded', channel: 'whatsapp', via: 'email', status: 'read', message: { return_to: { type: 'email', address: SENDER }, receipt_request: ['delivered'] }, rules: { ott: { email: { type: 'interface', format: 'json' } } }, expect: [] },
  { row: '2.2 e-mail WhatsApp, read receipt asked: read → sender', channel: 'whatsapp', via: 'email', status: 'read', message: { return_to: { type: 'email', address: SENDER }, receipt_request: ['read'] }, rules: { ott: { email: { type: 'interface', format: 'json' } } }, expect: [mail(SENDER)] },
  { row: '2.2 e-mail WhatsApp, read receipt asked: delivered not forwarded', channel: 'whatsapp', via: 'email', status: 'delivered', message: { return_to: { type: 'email', address: SENDER }, receipt_request: ['read'] }, rules: { ott: { email: { type: 'interface', format: 'json' } } }, expect: [] },
  { row: '2.2 e-mail WhatsApp, both asked but the account forwards only read', channel: 'whatsapp', via: 'email', status: 'delivered', message: { return_to: { type: 'email', address: SENDER }, receipt_request: ['delivered', 'read'] }, rules: { ott: { statuses: ['read'], email: { type: 'interface', format: 'json' } } }, expect: [] },
  { row: '2.2 e-mail WhatsApp, none wins over the request', channel: 'whatsapp', via: 'email', status: 'read', message: { return_to: { type: 'email', address: SENDER }, receipt_request: ['read'] }, rules: { ott: { email: { type: 'none' } } }, expect: [] },

  // 2.3 WhatsApp from the API: the suite's choices (URL, e-mail, SQS) or none.
  { row: '2.3 API WhatsApp → e-mail XML (issue example)', channel: 'whatsapp', via: 'api', status: 'read', message: { webhook_url: HOOK }, rules: { ott: { api: { type: 'email', address: 'ops@example.com', format: 'xml' } } }, expect: [mail('ops@example.com', 'xml')] },
  { row: '2.3 API WhatsApp → SQS', channel: 'whatsapp', via: 'api', status: 'delivered', rules: { ott: { api: { type: 'sqs', queue_url: FIFO, format: 'json' } } }, expect: [sqs(FIFO)] },
  { row: '2.3 API WhatsApp → URL', channel: 'whatsapp', via: 'api', status: 'delivered', message: { webhook_url: HOOK }, rules: { ott: { api: { type: 'url', url: RECEIPTS, format: 'json' } } }, expect: [url(RECEIPTS)] },
  { row: '2.3 API WhatsApp → none', channel: 'whatsapp', via: 'api', status: 'delivered', message: { webhook_url: HOOK }, rules: { ott: { api: { type: 'none' } } }, expect: [] },
  { row: '2.3 API WhatsApp, statuses filter applies to the API too', channel: 'whatsapp', via: 'api', status: 'submitted', message: { webhook_url: HOOK }, rules: { ott: { statuses: ['delivered', 'read'] } }, expect: [] },
];

// 1.4 / 2.4 The global switch: every row that forwards something forwards nothing when it is off.
const globalOff: Row[] = rows
  .filter((row) => row.expect.length > 0)
  .map((row) => ({ ...row, row: `1.4/2.4 global switch off: ${row.row}`, rules: { ...(row.rules ?? {}), enabled: false }, expect: [] }));

for (const row of [...rows, ...globalOff]) {
  test(row.row, () => {
    let forwarding: unknown;
    if (row.rules !== undefined) {
      const result = validateForwardingRules(row.rules);
      assert.ok(result.ok, JSON.stringify(!result.ok && result.invalid));
      forwarding = result.value;
    }
    const message = storedMessage({ channel: row.channel, interface: row.via, ...row.message });
    const account = { forwarding, ...(row.statusUrl ? { status_url: row.statusUrl } : {}) };
    assert.deepEqual(routeStatusChange(message, row.status, account), row.expect);
  });
}

test('the global switch rows cover both sections', () => {
  assert.ok(globalOff.some((row) => row.channel === 'sms') && globalOff.some((row) => row.channel === 'whatsapp'));
  assert.ok(globalOff.length >= 20, String(globalOff.length));
});

test('an empty document is the defaults', () => {
  const result = validateForwardingRules({});
  assert.ok(result.ok);
  assert.deepEqual(result.value, DEFAULT_RULES);
});
