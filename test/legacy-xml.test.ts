/**
 * The legacy XML interface end to end: requests and answers checked against docs/websms-legacy.xsd,
 * delivery reports as XML at the notification URL, hostile XML refused quickly without a 5xx.
 */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRelay, verifyCallback, waitFor, type RunningRelay } from './helpers/relay.js';
import { validateXML } from 'xmllint-wasm';

const SILENT_SIMULATOR = { SIMULATOR_TIME_SCALE: '1000' };
const SCHEMA = fs.readFileSync('docs/websms-legacy.xsd', 'utf8');

/** libxml2's schema validation (xmllint compiled to WebAssembly): the problems, none when valid. */
const xsd = {
  async validate(xml: string): Promise<string[]> {
    const result = await validateXML({ xml: [{ fileName: 'document.xml', contents: xml }], schema: [SCHEMA] });
    return result.valid ? [] : result.errors.map((error) => error.message);
  },
};

function requestXml(fields: Record<string, string>, recipients = ['436641234567']): string {
  const list = recipients.map((r) => `    <recipientAddress>${r}</recipientAddress>`).join('\n');
  const rest = Object.entries(fields).map(([name, value]) => `  <${name}>${value}</${name}>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<smsSendRequest>\n  <recipientAddressList>\n${list}\n  </recipientAddressList>\n${rest}\n</smsSendRequest>\n`;
}

async function postXml(relay: RunningRelay, body: string, auth = relay.auth) {
  const started = Date.now();
  const response = await fetch(`${relay.baseUrl}/legacy/xml`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/xml' }, body });
  const text = await response.text();
  const code = /<statusCode>(\d+)<\/statusCode>/.exec(text)?.[1];
  return { status: response.status, text, code: code ? Number(code) : undefined, ms: Date.now() - started, contentType: response.headers.get('content-type') };
}

async function xmlReceiver(secret: string) {
  const received: Array<{ body: string; verified: boolean; verifyError?: string; contentType?: string }> = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      let verifyError: string | undefined;
      try {
        verifyCallback(body, request.headers, secret);
        verified = true;
      } catch (error) {
        verifyError = (error as Error).message;
      }
      received.push({ body, verified, verifyError, contentType: request.headers['content-type'] });
      response.writeHead(200, { 'content-type': 'application/xml' });
      response.end('<response><statusCode>2000</statusCode><statusMessage>OK</statusMessage></response>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/legacy/dlr`,
    received,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

test('the schema refuses what it forbids (so the checks below can fail)', async () => {
  assert.deepEqual(await xsd.validate(requestXml({ messageContent: 'Hi', senderAddress: 'ACME' })), []);
  assert.notDeepEqual(await xsd.validate(requestXml({ messageContent: 'Hi' })), [], 'senderAddress missing');
  assert.notDeepEqual(await xsd.validate(requestXml({ messageContent: 'Hi', senderAddress: 'ACME', priority: '10' })), []);
  assert.notDeepEqual(await xsd.validate(requestXml({ messageContent: 'Hi', senderAddress: 'ACME', colour: 'red' })), []);
  assert.notDeepEqual(await xsd.validate(requestXml({ messageContent: 'Hi', senderAddress: 'ACME' }, ['+43664'])), []);
  assert.notDeepEqual(await xsd.validate('<smsSendResponse><statusMessage>OK</statusMessage><statusCode>2000</statusCode></smsSendResponse>'), [], 'order');
});

test('a valid request is answered 2000 with a schema-valid answer; the report arrives as schema-valid XML, signed', async (t) => {
  const relay = await startRelay(SILENT_SIMULATOR);
  const receiver = await xmlReceiver(relay.credentials.signature_secret);
  t.after(async () => {
    await relay.stop();
    await receiver.close();
  });
  const body = requestXml({
    messageContent: 'Hello &amp; goodbye',
    senderAddress: 'ACME',
    senderAddressType: 'alphanumeric',
    notificationCallbackUrl: receiver.url,
    clientMessageId: 'legacy-1',
    validityPeriode: '3600',
    test: 'false',
  });
  assert.deepEqual(await xsd.validate(body), [], 'the request itself is valid');
  const answer = await postXml(relay, body);
  assert.equal(answer.status, 200);
  assert.match(answer.contentType ?? '', /^application\/xml/);
  assert.equal(answer.code, 2000, answer.text);
  assert.deepEqual(await xsd.validate(answer.text), []);
  const transferId = /<transferId>([^<]+)<\/transferId>/.exec(answer.text)![1]!;

  const shown = await relay.api('GET', `/v1/messages/${transferId}`);
  assert.equal(shown.body.interface, 'legacy_xml');
  assert.equal(shown.body.client_ref, 'legacy-1');
  await relay.relay.recorder.record({ message_uuid: shown.body.message_uuid, status: 'delivered', occurred_at: Date.now(), source: 'test' });
  await waitFor(() => receiver.received.length === 1, 5_000, 'the XML report');
  const [dlr] = receiver.received;
  assert.equal(dlr!.verified, true, dlr!.verifyError);
  assert.match(dlr!.contentType ?? '', /^application\/xml/);
  assert.deepEqual(await xsd.validate(dlr!.body), [], dlr!.body);
  assert.match(dlr!.body, new RegExp(`<transferId>${transferId}</transferId>`));
  assert.match(dlr!.body, /<deliveryReportMessageStatus>delivered<\/deliveryReportMessageStatus>/);
  assert.match(dlr!.body, /<clientMessageId>legacy-1<\/clientMessageId>/);
  const messageText = (await relay.relay.store.getMessage(shown.body.message_uuid))!.text;
  assert.equal(messageText, 'Hello & goodbye', 'predefined entities are decoded');
});

test('invalid fields get the websms codes; malformed XML is 4000 MALFORMED_XML with the reason; bad credentials 401', async (t) => {
  const relay = await startRelay(SILENT_SIMULATOR);
  t.after(() => relay.stop());
  const bad = await postXml(relay, requestXml({ messageContent: 'Hi', senderAddress: 'ACME', validityPeriode: '10' }));
  assert.equal(bad.code, 4041);
  assert.deepEqual(await xsd.validate(bad.text), []);
  assert.equal((await postXml(relay, requestXml({ messageContent: 'Hi', senderAddress: 'ACME' }, ['1']))).code, 4002);
  const malformed = await postXml(relay, '<smsSendRequest><messageContent>Hi</smsSendRequest>');
  assert.equal(malformed.status, 200);
  assert.equal(malformed.code, 4000);
  assert.match(malformed.text, /MALFORMED_XML: .+/);
  assert.equal((await postXml(relay, '<other/>')).code, 4000);
  const denied = await postXml(relay, requestXml({ messageContent: 'Hi', senderAddress: 'ACME' }), 'Basic bm9wZTpub3Bl');
  assert.equal(denied.status, 401);
  assert.equal(denied.code, 4001);
  assert.deepEqual(await relay.relay.store.listOpen(10), []);
});

test('hostile XML is refused quickly without a 5xx and stores nothing', async (t) => {
  const relay = await startRelay(SILENT_SIMULATOR);
  t.after(() => relay.stop());
  const laughs =
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n' +
    requestXml({ messageContent: '&lol3;', senderAddress: 'ACME' }).replace(/^<\?xml[^>]*>\n/, '');
  const external = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:1/secret">]><smsSendRequest><messageContent>&x;</messageContent></smsSendRequest>`;
  const deep = '<smsSendRequest>' + '<a>'.repeat(50_000) + '</a>'.repeat(50_000) + '</smsSendRequest>';
  const huge = requestXml({ messageContent: 'x'.repeat(70_000), senderAddress: 'ACME' });
  for (const [name, body] of [['entity expansion', laughs], ['external entity', external], ['deep nesting', deep], ['huge text', huge]] as const) {
    const answer = await postXml(relay, body);
    assert.ok(answer.status < 500, `${name}: ${answer.status}`);
    assert.ok(answer.status === 413 || answer.code === 4000, `${name}: ${answer.status} ${answer.text.slice(0, 200)}`);
    assert.ok(answer.ms < 1_000, `${name} took ${answer.ms} ms`);
  }
  assert.deepEqual(await relay.relay.store.listOpen(10), []);
});
