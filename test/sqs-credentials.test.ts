/**
 * Each SQS destination signs with its own credentials (access keys or a role assumed with the
 * account id as ExternalId); the service's own identity only for SQS_SHARED_IDENTITY_ACCOUNTS.
 * Against fauxqs on 127.0.0.1 behind a recorder that notes who signed each request, and a
 * stand-in STS.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, startRelay, type RunningRelay } from './helpers/relay.js';
import { ASSUMED, startSigningRecorder, startSqsPeer, startStsStandIn, type SqsPeer } from './helpers/sqs.js';
import { SILENT_SIMULATOR, allFinished, callbacksOf, report, sendMessage, setRules } from './helpers/forwarding.js';
import { textMessage } from './helpers/fixtures.js';
import { createAccount } from '../src/intake/accounts.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { RawStore } from '../src/store/store.js';
import { validateForwardingRules } from '../src/model/forwarding-rules.js';
import { mayUseSharedIdentity } from '../src/model/destination.js';

const KEYS = { access_key_id: 'AKIATENANTA000000001', secret_access_key: 'tenant-a-secret-0123456789abcdef' };
const OTHER_KEYS = { access_key_id: 'AKIATENANTB000000002', secret_access_key: 'tenant-b-secret-0123456789abcdef' };
const ROLE = 'arn:aws:iam::123456789012:role/statusrelay-writer';

function openRaw(databaseUrl: string): RawStore {
  return databaseUrl.startsWith('file:') ? openSqliteStore(databaseUrl.slice('file:'.length)) : openPostgresStore(databaseUrl, { poolSize: 1 });
}

describe('SQS destination credentials', () => {
  let peer: SqsPeer;
  let recorder: Awaited<ReturnType<typeof startSigningRecorder>>;
  let sts: Awaited<ReturnType<typeof startStsStandIn>>;
  let running: RunningRelay;
  const accountId = () => running.credentials.account_id;
  const sendsSince = (mark: number) => recorder.requests.slice(mark).filter((request) => request.action === 'SendMessageBatch');
  const sqsRule = (queue_url: string, credentials?: object) => ({
    ott: { statuses: ['delivered'], api: { type: 'sqs', queue_url, format: 'json', ...(credentials ? { credentials } : {}) } },
  });

  /** Sends one message through the API and reports it delivered; resolves with its finished callback. */
  async function deliverOne(): Promise<any> {
    const uuid = await sendMessage(running, { channel: 'viber_service' });
    await report(running, uuid, ['submitted', 'delivered']);
    const [callback] = await callbacksOf(running, uuid, allFinished(1));
    return callback;
  }

  before(async () => {
    peer = await startSqsPeer();
    recorder = await startSigningRecorder(peer.endpoint);
    sts = await startStsStandIn();
    running = await startRelay({
      ...SILENT_SIMULATOR,
      ...peer.env(),
      SQS_ENDPOINT: recorder.baseUrl,
      STS_ENDPOINT: sts.baseUrl,
      // No account may use the service's own identity.
      SQS_SHARED_IDENTITY_ACCOUNTS: '',
    });
  });

  after(async () => {
    await running.stop();
    await Promise.all([recorder.close(), sts.close(), peer.close()]);
  });

  it("access keys: every send is signed with the destination's key; the secret is sealed in its row and never shown", async () => {
    const queueUrl = await peer.createQueue('keys');
    const put = await running.api('PUT', '/v1/forwarding', sqsRule(queueUrl, KEYS));
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.ott.api.credentials, { access_key_id: KEYS.access_key_id, secret_access_key: '(set)' });
    const shown = await running.api('GET', '/v1/forwarding');
    assert.deepEqual(shown.body.ott.api.credentials, { access_key_id: KEYS.access_key_id, secret_access_key: '(set)' });
    assert.ok(!JSON.stringify(shown.body).includes(KEYS.secret_access_key));

    const mark = recorder.requests.length;
    const callback = await deliverOne();
    assert.equal(callback.state, 'delivered', callback.last_error);
    assert.deepEqual(sendsSince(mark).map((request) => request.accessKeyId), [KEYS.access_key_id]);
    assert.equal((await peer.drain(queueUrl)).length, 1);

    const raw = openRaw(running.relay.config.databaseUrl);
    try {
      const [row] = await raw.listSqsCredentials(accountId());
      assert.equal(row!.queue_url, queueUrl);
      const stored = row!.credentials as { access_key_id: string; secret_access_key: string };
      assert.equal(stored.access_key_id, KEYS.access_key_id);
      assert.match(stored.secret_access_key, /^sealed:v1:/);
      assert.ok(!stored.secret_access_key.includes(KEYS.secret_access_key));
      assert.ok(!JSON.stringify((await raw.getAccount(accountId()))!.forwarding).includes(KEYS.secret_access_key), 'not in the forwarding document');
    } finally {
      await raw.close();
    }
  });

  it('the document PUT back as GET shows it keeps the stored secret; (set) for another key id is refused', async () => {
    const queueUrl = await peer.createQueue('kept');
    await setRules(running, sqsRule(queueUrl, KEYS));
    const shown = (await running.api('GET', '/v1/forwarding')).body;
    await setRules(running, shown);
    assert.deepEqual(await running.relay.store.findSqsCredentials(accountId(), queueUrl), KEYS);

    const mark = recorder.requests.length;
    assert.equal((await deliverOne()).state, 'delivered');
    assert.deepEqual(sendsSince(mark).map((request) => request.accessKeyId), [KEYS.access_key_id]);
    await peer.drain(queueUrl);

    const refused = await running.api('PUT', '/v1/forwarding', sqsRule(queueUrl, { access_key_id: OTHER_KEYS.access_key_id, secret_access_key: '(set)' }));
    assert.equal(refused.status, 422);
    assert.deepEqual(refused.body.invalid_parameters.map((p: { name: string }) => p.name), ['ott.api.credentials.secret_access_key']);
    assert.deepEqual(await running.relay.store.findSqsCredentials(accountId(), queueUrl), KEYS, 'nothing changed');
  });

  it("without credentials, for an account not allowed the service's identity: refused at PUT, and a stored callback fails for good", async () => {
    const queueUrl = await peer.createQueue('shared');
    await setRules(running, sqsRule(queueUrl, KEYS));
    const refused = await running.api('PUT', '/v1/forwarding', sqsRule(queueUrl));
    assert.equal(refused.status, 422);
    assert.equal(refused.body.invalid_parameters[0].name, 'ott.api.credentials');
    assert.match(refused.body.invalid_parameters[0].reason, /credentials are required.*SQS_SHARED_IDENTITY_ACCOUNTS/);
    assert.ok((await running.api('GET', '/v1/forwarding')).body.ott.api.credentials, 'the stored rules are unchanged');

    // A document stored before credentials were required.
    const old = validateForwardingRules(sqsRule(queueUrl), undefined, { sqsEndpoint: recorder.baseUrl });
    assert.ok(old.ok, JSON.stringify(old));
    await running.relay.store.updateAccount(accountId(), { forwarding: old.value, sqs_credentials: [] });
    const mark = recorder.requests.length;
    const callback = await deliverOne();
    assert.equal(callback.state, 'failed');
    assert.equal(callback.attempts, 1);
    assert.match(callback.last_error, /no credentials for this queue: this account may not send with the service's own AWS identity \(SQS_SHARED_IDENTITY_ACCOUNTS\)/);
    assert.equal(recorder.requests.length, mark, 'nothing was sent');
  });

  it('a role: assumed once, with the account id as ExternalId; sends carry its temporary key and session token', async () => {
    const queueUrl = await peer.createQueue('role');
    const put = await running.api('PUT', '/v1/forwarding', sqsRule(queueUrl, { role_arn: ROLE }));
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.ott.api.credentials, { role_arn: ROLE });

    const mark = recorder.requests.length;
    for (let i = 0; i < 2; i++) assert.equal((await deliverOne()).state, 'delivered');
    assert.equal(sts.calls.length, 1, 'the assumed credentials are kept until shortly before they expire');
    assert.deepEqual(
      { action: sts.calls[0]!.Action, role: sts.calls[0]!.RoleArn, externalId: sts.calls[0]!.ExternalId, session: sts.calls[0]!.RoleSessionName },
      { action: 'AssumeRole', role: ROLE, externalId: accountId(), session: 'statusrelay' },
    );
    const sends = sendsSince(mark);
    assert.equal(sends.length, 2);
    for (const send of sends) assert.deepEqual([send.accessKeyId, send.sessionToken], [ASSUMED.accessKeyId, ASSUMED.sessionToken]);
    assert.equal((await peer.drain(queueUrl)).length, 2);
  });

  it('two accounts writing to one queue each sign with their own keys', async () => {
    const queueUrl = await peer.createQueue('two-tenants');
    await setRules(running, sqsRule(queueUrl, KEYS));
    const other = await createAccount(running.relay.store, 'other tenant', Date.now());
    const asOther = (method: string, url: string, body: unknown) =>
      fetch(running.baseUrl + url, { method, headers: { authorization: basicAuth(other), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await asOther('PUT', '/v1/forwarding', sqsRule(queueUrl, OTHER_KEYS))).status, 200);

    const mark = recorder.requests.length;
    const sent = await asOther('POST', '/v1/messages', textMessage({ channel: 'viber_service' }));
    const otherUuid = ((await sent.json()) as { message_uuid: string }).message_uuid;
    await report(running, otherUuid, ['submitted', 'delivered']);
    assert.equal((await deliverOne()).state, 'delivered');
    await callbacksOf(running, otherUuid, () => sendsSince(mark).length === 2);
    assert.deepEqual(sendsSince(mark).map((request) => request.accessKeyId).sort(), [KEYS.access_key_id, OTHER_KEYS.access_key_id]);
    assert.equal((await peer.drain(queueUrl)).length, 2);
  });
});

describe('credentials in the forwarding document (validator)', () => {
  const QUEUE = 'https://sqs.eu-central-1.amazonaws.com/123456789012/status';
  const suite = (credentials: unknown) => ({ sms: { suite: { type: 'sqs', queue_url: QUEUE, format: 'json', credentials } } });
  const cases: Array<[string, object, boolean, string[], RegExp?]> = [
    ['access key id too short', suite({ access_key_id: 'AKIA', secret_access_key: KEYS.secret_access_key }), true, ['sms.suite.credentials.access_key_id']],
    ['secret missing', suite({ access_key_id: KEYS.access_key_id }), true, ['sms.suite.credentials.secret_access_key']],
    ['secret with a space', suite({ access_key_id: KEYS.access_key_id, secret_access_key: 'a secret with spaces in it' }), true, ['sms.suite.credentials.secret_access_key']],
    ['not a role ARN', suite({ role_arn: 'arn:aws:iam::123:user/me' }), true, ['sms.suite.credentials.role_arn'], /IAM role ARN/],
    ['keys and a role', suite({ ...KEYS, role_arn: ROLE }), true, ['sms.suite.credentials'], /not both/],
    ['unknown field', suite({ role_arn: ROLE, region: 'eu-west-1' }), true, ['sms.suite.credentials.region']],
    ['not an object', suite('AKIA:secret'), true, ['sms.suite.credentials']],
    ['none, shared identity not allowed', { sms: { suite: { type: 'sqs', queue_url: QUEUE, format: 'json' } } }, false, ['sms.suite.credentials'], /SQS_SHARED_IDENTITY_ACCOUNTS/],
    [
      'one queue, two sets of credentials',
      { sms: { suite: { type: 'sqs', queue_url: QUEUE, format: 'json', credentials: KEYS } }, ott: { suite: { type: 'sqs', queue_url: QUEUE, format: 'json', credentials: { role_arn: ROLE } } } },
      true,
      ['ott.suite.credentials'],
      /sms\.suite, which names the same queue/,
    ],
  ];
  for (const [name, body, sharedSqsIdentity, fields, reason] of cases) {
    it(name, () => {
      const result = validateForwardingRules(body, undefined, { sharedSqsIdentity });
      assert.ok(!result.ok);
      assert.deepEqual(result.invalid.map((problem) => problem.name), fields);
      if (reason) assert.match(result.invalid[0]!.reason, reason);
    });
  }

  it('accepted: keys, a role (also in GovCloud, with a path), none when the shared identity is allowed', () => {
    for (const credentials of [KEYS, { role_arn: ROLE }, { role_arn: 'arn:aws-us-gov:iam::123456789012:role/team/writer' }]) {
      const result = validateForwardingRules(suite(credentials), undefined, { sharedSqsIdentity: false });
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual((result.value.sms.suite as { credentials: unknown }).credentials, credentials);
    }
    assert.ok(validateForwardingRules({ sms: { suite: { type: 'sqs', queue_url: QUEUE, format: 'json' } } }, undefined, { sharedSqsIdentity: true }).ok);
  });

  it('SQS_SHARED_IDENTITY_ACCOUNTS: listed accounts, or * for all', () => {
    assert.equal(mayUseSharedIdentity([], 'a'), false);
    assert.equal(mayUseSharedIdentity(['b', 'c'], 'a'), false);
    assert.equal(mayUseSharedIdentity(['b', 'a'], 'a'), true);
    assert.equal(mayUseSharedIdentity(['*'], 'a'), true);
  });
});
