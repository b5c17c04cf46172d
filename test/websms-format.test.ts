/** The websms report format and its acknowledgement rule, as pure functions. */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { judgeWebsmsAnswer, websmsReportStatus, WEBSMS_REPORT_STATUS } from '../src/dispatch/formats/websms.js';
import { judgeHttpAnswer, renderBody } from '../src/dispatch/formats.js';
import { STATUSES } from '../src/model/vocabulary.js';
import { smsSplit } from '../src/model/gsm.js';
import type { Message } from '../src/model/types.js';

test('the status table: every status maps; 1360 and 1490 are expired, other rejections rejected', () => {
  for (const status of STATUSES) assert.ok(WEBSMS_REPORT_STATUS[status]['*'], status);
  assert.equal(websmsReportStatus('submitted'), 'accepted');
  assert.equal(websmsReportStatus('delivered'), 'delivered');
  assert.equal(websmsReportStatus('read'), 'delivered');
  assert.equal(websmsReportStatus('rejected', '1360'), 'expired');
  assert.equal(websmsReportStatus('rejected', '1490'), 'expired');
  assert.equal(websmsReportStatus('rejected', '1250'), 'rejected');
  assert.equal(websmsReportStatus('rejected'), 'rejected');
  assert.equal(websmsReportStatus('undeliverable', '1331'), 'expired');
});

test('websms answers: statusCode 2000 in any key case or an empty body acknowledges; anything else in a 2xx is retried', () => {
  assert.equal(judgeWebsmsAnswer(200, '{"statusCode":2000,"statusMessage":"OK"}').verdict, 'delivered');
  assert.equal(judgeWebsmsAnswer(200, '{"StatusCode":2000}').verdict, 'delivered');
  assert.equal(judgeWebsmsAnswer(200, '{"STATUSCODE":"2000"}').verdict, 'delivered');
  assert.equal(judgeWebsmsAnswer(204, '').verdict, 'delivered');
  assert.equal(judgeWebsmsAnswer(200, '  \n').verdict, 'delivered');
  assert.equal(judgeWebsmsAnswer(200, '<response><statusCode>2000</statusCode></response>').verdict, 'delivered');
  const retried = judgeWebsmsAnswer(200, '{"statusCode":4000,"statusMessage":"nope"}');
  assert.equal(retried.verdict, 'retry');
  assert.match(retried.error!, /4000/);
  assert.equal(judgeWebsmsAnswer(200, 'OK').verdict, 'retry');
  assert.equal(judgeWebsmsAnswer(200, '[2000]').verdict, 'retry');
  // Non-2xx answers: as for every callback.
  assert.equal(judgeWebsmsAnswer(503, '{"statusCode":2000}').verdict, 'retry');
  assert.equal(judgeWebsmsAnswer(404, '').verdict, 'failed');
});

test('the rule is a property of the format: json callbacks still take any 2xx', () => {
  assert.equal(judgeHttpAnswer('json', 200, '{"statusCode":4000}').verdict, 'delivered');
  assert.equal(judgeHttpAnswer('websms_json', 200, '{"statusCode":4000}').verdict, 'retry');
  assert.equal(judgeHttpAnswer('websms_xml', 200, '{"statusCode":4000}').verdict, 'retry');
});

test('the report renders the same bytes every time, with a 20-character notificationId', () => {
  const message = {
    uuid: '01890000-0000-7000-8000-000000000001', account_id: 'a', interface: 'websms', channel: 'sms', message_type: 'text',
    to: '436641234567', from: 'ACME', text: 'x', transfer_id: '0189000000007000800000000000000a', state: 'submitted', seen: [], failover: [],
    created_at: Date.UTC(2026, 0, 2, 3, 4, 5), updated_at: 0,
  } as unknown as Message;
  const payload = { message_uuid: message.uuid, to: message.to, from: message.from, timestamp: '2026-01-02T03:04:06.000Z', status: 'delivered' as const, channel: 'sms' as const };
  const a = renderBody(payload, 'websms_json', message);
  assert.equal(a.body, renderBody(payload, 'websms_json', message).body);
  const report = JSON.parse(a.body);
  assert.equal(report.notificationId.length, 20);
  assert.equal(report.transferId, message.transfer_id);
  assert.equal(report.sentOn, '2026-01-02T03:04:05.000+00:00');
  assert.equal(report.deliveredOn, '2026-01-02T03:04:06.000+00:00');
  assert.equal(report.clientMessageId, undefined);
  assert.equal(report.deliveredAs, 'sms', 'sent as SMS unless the provider said otherwise');
  const viaWebsms = JSON.parse(renderBody({ ...payload, websms: { delivered_as: 'failover-sms' } }, 'websms_json', message).body);
  assert.equal(viaWebsms.deliveredAs, 'failover-sms', 'what websms as the upstream reported');
});

test('SMS counts for maxSmsPerMessage (the split the SMPP connector sends): GSM 160/153, extension characters twice, UCS-2 70/67', () => {
  const smsCount = (text: string) => smsSplit(text).parts;
  assert.equal(smsCount('a'.repeat(160)), 1);
  assert.equal(smsCount('a'.repeat(161)), 2);
  assert.equal(smsCount('a'.repeat(306)), 2);
  assert.equal(smsCount('a'.repeat(307)), 3);
  assert.equal(smsCount('€'.repeat(80)), 1);
  assert.equal(smsCount('€'.repeat(81)), 2);
  assert.equal(smsCount('ж'.repeat(70)), 1);
  assert.equal(smsCount('ж'.repeat(71)), 2);
});
