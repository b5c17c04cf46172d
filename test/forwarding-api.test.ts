/**
 * GET/PUT /v1/forwarding, and the rules at work in a running relay: the global switch, the OTT
 * statuses filter, `interface` for API messages, XML callbacks over HTTP.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startReceiver, startRelay, waitFor, type Receiver, type RunningRelay } from './helpers/relay.js';
import { SILENT_SIMULATOR, allFinished, callbacksOf, report, sendMessage, setRules } from './helpers/forwarding.js';
import { DEFAULT_RULES } from '../src/model/forwarding-rules.js';
import { parseXmlCallback, renderBody } from '../src/dispatch/formats.js';
import { buildPayload } from '../src/lifecycle/callback.js';

const URL_OK = 'https://example.com/receipts';
const QUEUE_OK = 'https://sqs.eu-central-1.amazonaws.com/123456789012/status';

/** Each body and the exact fields the 422 must name, with a word its reason must contain. */
const invalid: Array<[string, unknown, Array<[string, RegExp]>]> = [
  ['body not an object', [], [['', /JSON object/]]],
  ['unknown top-level field', { forward: true }, [['forward', /unknown field/]]],
  ['enabled not a boolean', { enabled: 'no' }, [['enabled', /true or false/]]],
  ['enabled null', { enabled: null }, [['enabled', /true or false/]]],
  ['sms not an object', { sms: [] }, [['sms', /object keyed by interface/]]],
  ['unknown SMS interface', { sms: { fax: { type: 'none' } } }, [['sms.fax', /unknown interface/]]],
  ['SMPP is no OTT interface', { ott: { smpp: { type: 'none' } } }, [['ott.smpp', /unknown interface; one of suite, api, email/]]],
  ['destination not an object', { sms: { suite: 'none' } }, [['sms.suite', /object with a type/]]],
  ['unknown type', { sms: { suite: { type: 'ftp', format: 'json' } } }, [['sms.suite.type', /one of url, email, sqs, interface, none/]]],
  ['SMS via API: url', { sms: { api: { type: 'url', url: URL_OK, format: 'json' } } }, [['sms.api.type', /interface fixes the destination.*interface, none/]]],
  ['SMS via e-mail interface: sqs', { sms: { email: { type: 'sqs', queue_url: QUEUE_OK, format: 'json' } } }, [['sms.email.type', /interface, none/]]],
  ['SMS via SMPP: email', { sms: { smpp: { type: 'email', address: 'a@example.com', format: 'json' } } }, [['sms.smpp.type', /interface, none/]]],
  ['SMS via Outlook: url', { sms: { outlook: { type: 'url', url: URL_OK, format: 'xml' } } }, [['sms.outlook.type', /interface, none/]]],
  ['SMS via legacy XML: url', { sms: { legacy_xml: { type: 'url', url: URL_OK, format: 'xml' } } }, [['sms.legacy_xml.type', /interface, none/]]],
  ['SMS suite: interface', { sms: { suite: { type: 'interface', format: 'json' } } }, [['sms.suite.type', /no destination of its own.*url, email, sqs, none/]]],
  ['OTT suite: interface', { ott: { suite: { type: 'interface', format: 'json' } } }, [['ott.suite.type', /url, email, sqs, none/]]],
  ['OTT e-mail interface: url', { ott: { email: { type: 'url', url: URL_OK, format: 'json' } } }, [['ott.email.type', /interface, none/]]],
  ['format missing', { sms: { suite: { type: 'url', url: URL_OK } } }, [['sms.suite.format', /json, xml/]]],
  ['format unknown', { ott: { api: { type: 'interface', format: 'csv' } } }, [['ott.api.format', /json, xml/]]],
  ['receipt is the SMPP interface\'s own format', { sms: { api: { type: 'interface', format: 'receipt' } } }, [['sms.api.format', /one of json, xml$/]]],
  ['SMPP receipts are no XML', { sms: { smpp: { type: 'interface', format: 'xml' } } }, [['sms.smpp.format', /one of receipt, json$/]]],
  ['receipt only for interface rules', { sms: { suite: { type: 'url', url: URL_OK, format: 'receipt' } } }, [['sms.suite.format', /one of json, xml$/]]],
  ['url not http(s)', { sms: { suite: { type: 'url', url: 'ftp://example.com/x', format: 'json' } } }, [['sms.suite.url', /http or https/]]],
  ['url missing', { ott: { suite: { type: 'url', format: 'json' } } }, [['ott.suite.url', /http or https/]]],
  ['address invalid', { sms: { suite: { type: 'email', address: 'ops at example.com', format: 'json' } } }, [['sms.suite.address', /e-mail address/]]],
  ['address with a header break', { sms: { suite: { type: 'email', address: 'ops@example.com\r\nBcc: x@example.com', format: 'json' } } }, [['sms.suite.address', /e-mail address/]]],
  ['address without a domain', { ott: { api: { type: 'email', address: 'ops@localhost', format: 'xml' } } }, [['ott.api.address', /e-mail address/]]],
  ['queue URL without account and name', { ott: { suite: { type: 'sqs', queue_url: 'https://example.com/queue', format: 'json' } } }, [['ott.suite.queue_url', /SQS queue URL/]]],
  ['queue URL not a URL', { sms: { suite: { type: 'sqs', queue_url: 'status.fifo', format: 'json' } } }, [['sms.suite.queue_url', /SQS queue URL/]]],
  ['field of another type', { sms: { suite: { type: 'url', url: URL_OK, address: 'a@example.com', format: 'json' } } }, [['sms.suite.address', /unknown field for type url/]]],
  ['none takes no format', { sms: { api: { type: 'none', format: 'json' } } }, [['sms.api.format', /unknown field for type none/]]],
  ['statuses not an array', { ott: { statuses: 'read' } }, [['ott.statuses', /array of/]]],
  ['unknown status', { ott: { statuses: ['read', 'seen'] } }, [['ott.statuses[1]', /unknown status/]]],
  ['status twice', { ott: { statuses: ['read', 'delivered', 'read'] } }, [['ott.statuses[2]', /listed twice/]]],
  [
    'every problem at once',
    { enabled: 1, sms: { api: { type: 'url', url: URL_OK, format: 'json' }, suite: { type: 'email', address: 'x', format: 'pdf' } }, ott: { statuses: ['opened'] } },
    [['enabled', /true or false/], ['sms.suite.format', /json, xml/], ['sms.suite.address', /e-mail/], ['sms.api.type', /interface/], ['ott.statuses[0]', /unknown status/]],
  ],
];

describe('forwarding rules API', () => {
  let running: RunningRelay;
  let receiver: Receiver;

  before(async () => {
    running = await startRelay(SILENT_SIMULATOR);
    receiver = await startReceiver({ secret: running.credentials.signature_secret });
  });

  after(async () => {
    await running.stop();
    await receiver.close();
  });

  it('a new account has the defaults: API messages to their interface in JSON, everything else none', async () => {
    const answer = await running.api('GET', '/v1/forwarding');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, DEFAULT_RULES);
  });

  it('without credentials: 401', async () => {
    const answer = await fetch(`${running.baseUrl}/v1/forwarding`);
    assert.equal(answer.status, 401);
  });

  it('PUT replaces the document; keys left out take their defaults', async () => {
    const rules = { ott: { statuses: ['read'], suite: { type: 'email', address: 'ops@example.com', format: 'xml' } } };
    const put = await running.api('PUT', '/v1/forwarding', rules);
    assert.equal(put.status, 200);
    const expected = { ...DEFAULT_RULES, ott: { ...DEFAULT_RULES.ott, ...rules.ott } };
    assert.deepEqual(put.body, expected);
    assert.deepEqual((await running.api('GET', '/v1/forwarding')).body, expected);
    await setRules(running, {});
    assert.deepEqual((await running.api('GET', '/v1/forwarding')).body, DEFAULT_RULES);
  });

  for (const [name, body, fields] of invalid) {
    it(`422 names the field: ${name}; nothing changes`, async () => {
      const kept = { sms: { suite: { type: 'url', url: URL_OK, format: 'xml' } } };
      await setRules(running, kept);
      const before = (await running.api('GET', '/v1/forwarding')).body;
      const answer = await running.api('PUT', '/v1/forwarding', body);
      assert.equal(answer.status, 422);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(answer.body.type, 'https://statusrelay.dev/problems/invalid-parameters');
      const got = answer.body.invalid_parameters as Array<{ name: string; reason: string }>;
      assert.deepEqual(got.map((p) => p.name), fields.map(([field]) => field));
      fields.forEach(([, reason], i) => assert.match(got[i]!.reason, reason));
      assert.deepEqual((await running.api('GET', '/v1/forwarding')).body, before);
    });
  }

  describe('the rules at work', () => {
    const forMessage = (uuid: string) => receiver.received.filter((r) => r.body.includes(uuid));

    it('an SMS from the API with interface/XML reaches its webhook_url as signed XML that parses back to its JSON twin', async () => {
      await setRules(running, { sms: { api: { type: 'interface', format: 'xml' } } });
      const uuid = await sendMessage(running, { webhook_url: receiver.url, client_ref: 'ref <1> & "2"' });
      await report(running, uuid, ['submitted', 'delivered'], { usage: { currency: 'EUR', price: '0.0330' }, network_code: '23203' });
      await callbacksOf(running, uuid, allFinished(2));
      const received = forMessage(uuid);
      assert.equal(received.length, 2);

      const message = (await running.relay.store.getMessage(uuid))!;
      const events = await running.relay.store.listEvents(uuid);
      received.forEach((callback, i) => {
        assert.equal(callback.headers['content-type'], 'application/xml');
        assert.ok(callback.verified, callback.verifyError); // both signatures over the exact XML bytes
        const twin = JSON.parse(renderBody(buildPayload(message, events[i]!), 'json').body);
        assert.deepEqual(parseXmlCallback(callback.body), twin);
      });
      assert.deepEqual(received.map((r) => (parseXmlCallback(r.body) as { status: string }).status), ['submitted', 'delivered']);
    });

    it('interface without a webhook_url uses the account status URL', async () => {
      await setRules(running, {});
      assert.equal((await running.api('PATCH', '/v1/account', { status_url: receiver.url + '?account' })).status, 200);
      const uuid = await sendMessage(running);
      await report(running, uuid, ['submitted']);
      await callbacksOf(running, uuid, allFinished(1));
      const [callback] = forMessage(uuid);
      assert.equal(callback?.headers['content-type'], 'application/json');
      assert.equal(JSON.parse(callback!.body).status, 'submitted');
      await running.api('PATCH', '/v1/account', { status_url: null });
    });

    it('OTT statuses filter: only the chosen changes are forwarded, all are recorded', async () => {
      await setRules(running, { ott: { statuses: ['read'] } });
      const uuid = await sendMessage(running, { channel: 'whatsapp', webhook_url: receiver.url });
      await report(running, uuid, ['submitted', 'delivered', 'read']);
      const callbacks = await callbacksOf(running, uuid, allFinished(1));
      assert.deepEqual(callbacks.map((c) => [c.status, c.state]), [['read', 'delivered']]);
      assert.deepEqual(forMessage(uuid).map((r) => JSON.parse(r.body).status), ['read']);
      const history = (await running.api('GET', `/v1/messages/${uuid}`)).body;
      assert.deepEqual(history.statuses.map((s: { status: string }) => s.status), ['submitted', 'delivered', 'read']);
    });

    it('the global switch: nothing is forwarded, the statuses are still recorded; on again, forwarding resumes', async () => {
      await setRules(running, { enabled: false, sms: { api: { type: 'interface', format: 'json' } } });
      const off = await sendMessage(running, { webhook_url: receiver.url });
      await report(running, off, ['submitted', 'delivered']);
      const history = (await running.api('GET', `/v1/messages/${off}`)).body;
      assert.deepEqual(history.statuses.map((s: { status: string }) => s.status), ['submitted', 'delivered']);
      assert.deepEqual((await running.api('GET', `/v1/messages/${off}/callbacks`)).body.callbacks, []);

      await setRules(running, { enabled: true });
      const on = await sendMessage(running, { webhook_url: receiver.url });
      await report(running, on, ['submitted']);
      await waitFor(() => forMessage(on).length === 1);
      assert.equal(forMessage(off).length, 0);
    });
  });
});
