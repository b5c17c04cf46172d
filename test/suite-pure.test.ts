/** The suite's pure rules, table-driven: language choice, slow-down, receipts, SMS split, filters, escaping. */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickLanguage } from '../src/intake/suite/i18n/index.js';
import { signInWaitMs } from '../src/intake/suite/slow-down.js';
import { receiptChoice } from '../src/intake/suite/receipts.js';
import { smsSplit } from '../src/model/gsm.js';
import { filterOf, liveRowsOf } from '../src/intake/suite/pages/sent.js';
import { splitRecipients } from '../src/intake/suite/pages/compose.js';
import { fieldIdOf, documentOf } from '../src/intake/suite/pages/forwarding.js';
import { groupByDestination } from '../src/intake/suite/pages/dead-letters.js';
import { safeNext } from '../src/intake/suite/pages/sign-in.js';
import { html } from '../src/intake/suite/html.js';
import { parseUtcInput } from '../src/intake/suite/format.js';
import { claimedCallback } from './helpers/fixtures.js';

describe('suite rules', () => {
  it('picks the language from the cookie, else Accept-Language by preference, else English', () => {
    const cases: Array<[string | undefined, string | undefined, string]> = [
      [undefined, undefined, 'en'],
      [undefined, 'de-AT,de;q=0.9,en;q=0.8', 'de'],
      [undefined, 'fr-FR,fr;q=0.9,de;q=0.5,en;q=0.4', 'de'],
      [undefined, 'en;q=0.5,de;q=0.7', 'de'],
      [undefined, 'de;q=0', 'en'],
      [undefined, 'fr', 'en'],
      ['en', 'de', 'en'],
      ['de', 'en', 'de'],
      ['xx', 'de', 'de'],
    ];
    for (const [cookie, header, expected] of cases) assert.equal(pickLanguage(cookie, header).lang, expected, `${cookie} / ${header}`);
  });

  it('lets five sign-in failures pass, then waits twice as long each time, up to 15 minutes', () => {
    const cases: Array<[number, number]> = [[0, 0], [4, 0], [5, 1_000], [6, 2_000], [10, 32_000], [15, 900_000], [40, 900_000]];
    for (const [failures, wait] of cases) assert.equal(signInWaitMs(failures), wait, `${failures} failures`);
  });

  it('asks for the receipts the switches ask for, and always for failures', () => {
    const cases: Array<[Parameters<typeof receiptChoice>[0], Parameters<typeof receiptChoice>[1], string[], string[]]> = [
      ['sms', { receipt: true, forwardDelivered: false, forwardRead: false }, ['delivered'], ['delivered', 'rejected', 'undeliverable']],
      ['sms', { receipt: false, forwardDelivered: true, forwardRead: true }, [], ['rejected', 'undeliverable']],
      ['mms', { receipt: true, forwardDelivered: false, forwardRead: false }, ['delivered'], ['delivered', 'rejected', 'undeliverable']],
      ['whatsapp', { receipt: true, forwardDelivered: true, forwardRead: true }, ['delivered', 'read'], ['delivered', 'read', 'rejected', 'undeliverable']],
      ['whatsapp', { receipt: true, forwardDelivered: false, forwardRead: true }, ['read'], ['read', 'rejected', 'undeliverable']],
      ['viber_service', { receipt: false, forwardDelivered: false, forwardRead: false }, [], ['rejected', 'undeliverable']],
    ];
    for (const [channel, switches, request, statuses] of cases) {
      assert.deepEqual(receiptChoice(channel, switches), { receipt_request: request, receipt_statuses: statuses }, `${channel} ${JSON.stringify(switches)}`);
    }
  });

  it('counts SMS parts as the platform splits them: GSM 7-bit or UCS-2', () => {
    const cases: Array<[string, 'gsm' | 'ucs2', number, number]> = [
      ['', 'gsm', 0, 1],
      ['a'.repeat(160), 'gsm', 160, 1],
      ['a'.repeat(161), 'gsm', 161, 2],
      ['€'.repeat(80), 'gsm', 160, 1],
      ['€'.repeat(81), 'gsm', 162, 2],
      ['Grüße', 'gsm', 5, 1],
      ['ł'.repeat(70), 'ucs2', 70, 1],
      ['ł'.repeat(71), 'ucs2', 71, 2],
      ['😀'.repeat(35), 'ucs2', 70, 1],
      ['a'.repeat(306), 'gsm', 306, 2],
      ['a'.repeat(307), 'gsm', 307, 3],
    ];
    for (const [text, encoding, units, parts] of cases) assert.deepEqual(smsSplit(text), { encoding, units, parts }, `${text.slice(0, 3)}… (${text.length})`);
  });

  it('reads the Sent filters and search from the query, ignoring what it does not know', () => {
    const uuid = '01a2351b-f1d6-7588-9070-1eeeeaca26a5';
    const cases: Array<[Record<string, string>, object]> = [
      [{}, {}],
      [{ status: 'delivered', channel: 'whatsapp', interface: 'smpp' }, { state: 'delivered', channel: 'whatsapp', interface: 'smpp' }],
      [{ status: 'nope', channel: 'fax', interface: 'ftp' }, {}],
      [{ q: '+436641234567' }, { to: '436641234567' }],
      [{ q: uuid.toUpperCase() }, { uuid }],
      [{ q: ' order-7 ' }, { client_ref: 'order-7' }],
      [{ from: '2026-05-01T10:00', until: '2026-05-02T00:00' }, { from: Date.UTC(2026, 4, 1, 10), until: Date.UTC(2026, 4, 2) }],
      [{ from: '2026-02-30T10:00' }, {}],
      [{ before: `1700000000000_${uuid}` }, { before: { created_at: 1_700_000_000_000, uuid } }],
      [{ before: 'x_y' }, {}],
    ];
    for (const [query, filter] of cases) assert.deepEqual(filterOf(query), filter, JSON.stringify(query));
    assert.equal(parseUtcInput('2026-02-30T10:00'), undefined);
  });

  it('reads the rows a live stream follows, dropping what is not a row', () => {
    const uuid = '01a2351b-f1d6-7588-9070-1eeeeaca26a5';
    assert.deepEqual([...liveRowsOf(`${uuid.toUpperCase()}.1700000000000,garbage,${uuid}x.1,`)], [[uuid, 1_700_000_000_000]]);
    assert.equal(liveRowsOf(Array.from({ length: 80 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}.1`).join(',')).size, 50);
  });

  it('splits recipients on commas, semicolons, spaces and lines', () => {
    assert.deepEqual(splitRecipients(' 436641234567,436641234568;\n436641234569  436641234570 '), ['436641234567', '436641234568', '436641234569', '436641234570']);
    assert.deepEqual(splitRecipients(' , '), []);
  });

  it('maps forwarding problems to form fields and the form back to the API document', () => {
    const cases: Array<[string, string]> = [['sms.suite.url', 'sms-suite-url'], ['ott.api.format', 'ott-api-format'], ['sms.suite', 'sms-suite-type'], ['ott.statuses[2]', 'ott-statuses'], ['enabled', 'enabled']];
    for (const [name, id] of cases) assert.equal(fieldIdOf(name), id, name);
    const rules = new Map([
      ['sms.suite', { type: 'url', url: 'https://example.com/r', address: 'left@over.example', queue_url: '', format: 'xml' }],
      ['sms.api', { type: 'none', url: '', address: '', queue_url: '', format: 'json' }],
    ]);
    assert.deepEqual(documentOf({ enabled: false, statuses: ['read'], rules }), {
      enabled: false,
      sms: { suite: { type: 'url', url: 'https://example.com/r', format: 'xml' }, api: { type: 'none' } },
      ott: { statuses: ['read'] },
    });
  });

  it('groups dead letters by destination, newest group first', () => {
    const a = { type: 'url' as const, url: 'https://a.example/x' };
    const b = { type: 'url' as const, url: 'https://b.example/x' };
    const groups = groupByDestination([
      claimedCallback({ id: '3', destination: b, destination_key: 'url:b', created_at: 30, last_error: 'HTTP 503' }),
      claimedCallback({ id: '2', destination: a, destination_key: 'url:a', created_at: 20, last_error: 'timeout' }),
      claimedCallback({ id: '1', destination: b, destination_key: 'url:b', created_at: 10, last_error: 'HTTP 500' }),
    ]);
    assert.deepEqual(groups.map((group) => [group.destination, group.count, group.latest, group.lastError, group.callbacks.map((c) => c.id)]), [
      [b, 2, 30, 'HTTP 503', ['3', '1']],
      [a, 1, 20, 'timeout', ['2']],
    ]);
  });

  it('redirects after sign-in only inside the suite', () => {
    const cases: Array<[string, string]> = [['/suite/sent?status=read', '/suite/sent?status=read'], ['//evil.example/suite/', '/suite/'], ['https://evil.example', '/suite/'], ['/v1/account', '/suite/'], ['', '/suite/']];
    for (const [next, expected] of cases) assert.equal(safeNext(next), expected, next);
  });

  it('escapes every interpolated value but nested templates', () => {
    const inner = html`<b>${'<i>'}</b>`;
    assert.equal(html`<p title="${'"x" & \'y\''}">${inner}${['<', 1, null, undefined, false]}</p>`.text, '<p title="&quot;x&quot; &amp; &#39;y&#39;"><b>&lt;i&gt;</b>&lt;1</p>');
  });
});
