/**
 * Compose: channel, one or several recipients, sender, text with a live count of characters and
 * SMS parts (as the platform will split it), receipt switches, send. Each recipient is checked
 * by the REST API's own validator, so errors carry the API's reasons, shown beside their field.
 */
import type { FastifyInstance } from 'fastify';
import { html, type Html } from '../html.js';
import { described, errorsByField, field, options, switchControl } from '../forms.js';
import { csrfField } from '../layout.js';
import { PREFIX, type SuiteContext } from '../context.js';
import { formValue, signedIn, type Form, type PageKit } from '../kit.js';
import { receiptChoice } from '../receipts.js';
import { CHANNELS, isChannel, sectionOf, type Channel } from '../../../model/vocabulary.js';
import { smsSplit } from '../../../model/gsm.js';
import { validateMessageRequest } from '../../api/message-request.js';
import type { InvalidParameter } from '../../../http/problems.js';
import type { AcceptRequest } from '../../accept.js';

interface ComposeForm {
  channel: string;
  to: string;
  from: string;
  text: string;
  receipt: boolean;
  forwardDelivered: boolean;
  forwardRead: boolean;
}

const EMPTY: ComposeForm = { channel: 'sms', to: '', from: '', text: '', receipt: true, forwardDelivered: true, forwardRead: true };
const FIELDS = ['channel', 'to', 'from', 'text'] as const;

/** Recipients as typed: separated by commas, semicolons, spaces or lines. */
export function splitRecipients(to: string): string[] {
  return to.split(/[\s,;]+/).filter((entry) => entry !== '');
}

/**
 * Every recipient through the API's validator; problems keyed by the form's field. A problem
 * with one recipient names it, so the person sees which number to fix.
 */
export function checkCompose(form: ComposeForm, policy: Parameters<typeof validateMessageRequest>[1], t: SuiteContext['t']) {
  const recipients = splitRecipients(form.to);
  const invalid: InvalidParameter[] = [];
  const contents = [];
  for (const [index, to] of (recipients.length > 0 ? recipients : ['']).entries()) {
    const body: Record<string, unknown> = { channel: form.channel, message_type: 'text', from: form.from, text: form.text };
    if (to !== '') body.to = to;
    const result = validateMessageRequest(body, policy);
    if (result.ok) contents.push(result.value.first);
    else for (const problem of result.invalid) invalid.push(problem.name === 'to' && recipients.length > 1 ? { name: 'to', reason: `${t.compose.recipient(index + 1)} (${to}): ${problem.reason}` } : problem);
  }
  return { invalid, contents };
}

export function countLine(channel: string, text: string, t: SuiteContext['t']): string {
  const characters = [...text].length;
  if (!isChannel(channel) || sectionOf(channel) !== 'sms') return t.compose.countOtt(characters);
  const split = smsSplit(text);
  return t.compose.count(characters, split.parts, split.encoding);
}

function countElement(channel: string, text: string, t: SuiteContext['t']): Html {
  return html`<p id="text-count" class="hint" aria-live="polite" hx-get="${PREFIX}/compose/count" hx-trigger="input from:#text delay:150ms, change from:#channel" hx-include="#text, #channel" hx-swap="outerHTML">${countLine(channel, text, t)}</p>`;
}

function composePage(ctx: SuiteContext, form: ComposeForm, invalid: InvalidParameter[]): Html {
  const { t } = ctx;
  const errors = errorsByField(invalid);
  const others = invalid.filter((problem) => !(FIELDS as readonly string[]).includes(problem.name));
  const errorCount = new Set(invalid.map((problem) => problem.name)).size;
  return html`${invalid.length > 0 ? html`<div class="alert" role="alert"><p>${t.fieldErrors(errorCount)}</p>${others.map((problem) => html`<p>${problem.name}: ${problem.reason}</p>`)}</div>` : ''}
<form method="post" action="${PREFIX}/compose" novalidate>
${csrfField(ctx)}
${field({ id: 'channel', label: t.compose.channel, error: errors.get('channel'), control: (d, i) => html`<select id="channel" name="channel"${described(d, i)}>${options(CHANNELS, (c: Channel) => t.channels[c], form.channel)}</select>` })}
${field({ id: 'to', label: t.compose.to, hint: t.compose.toHint, error: errors.get('to'), control: (d, i) => html`<textarea id="to" name="to" rows="2" autocomplete="off"${described(d, i)}>${form.to}</textarea>` })}
${field({ id: 'from', label: t.compose.from, hint: t.compose.fromHint, error: errors.get('from'), control: (d, i) => html`<input type="text" id="from" name="from" value="${form.from}"${described(d, i)}>` })}
${field({ id: 'text', label: t.compose.text, error: errors.get('text'), control: (d, i) => html`<textarea id="text" name="text" rows="5"${described(d ? `${d} text-count` : 'text-count', i)}>${form.text}</textarea>${countElement(form.channel, form.text, t)}` })}
<fieldset><legend>${t.compose.smsReceipts}</legend>
${switchControl('receipt', 'receipt', t.compose.receipt, form.receipt, 'receipt-hint')}
</fieldset>
<fieldset><legend>${t.compose.ottReceipts}</legend>
${switchControl('forward-delivered', 'forward_delivered', t.compose.forwardDelivered, form.forwardDelivered, 'receipt-hint')}
${switchControl('forward-read', 'forward_read', t.compose.forwardRead, form.forwardRead, 'receipt-hint')}
</fieldset>
<p class="hint" id="receipt-hint">${t.compose.receiptHint}</p>
<button type="submit">${t.compose.send}</button>
</form>`;
}

export function composeRoutes(kit: PageKit) {
  return async function routes(app: FastifyInstance) {
    app.get('/compose', async (request, reply) =>
      kit.page(request, reply, { title: request.suite.t.compose.title, section: 'compose', body: composePage(request.suite, EMPTY, []) }),
    );

    app.get('/compose/count', async (request, reply) => {
      const query = request.query as Form;
      return reply.type('text/html; charset=utf-8').send(countElement(formValue(query, 'channel'), formValue(query, 'text'), request.suite.t).text);
    });

    app.post('/compose', async (request, reply) => {
      const ctx = signedIn(request);
      const body = request.body as Form;
      const form: ComposeForm = {
        channel: formValue(body, 'channel'),
        to: formValue(body, 'to'),
        from: formValue(body, 'from'),
        text: formValue(body, 'text'),
        receipt: formValue(body, 'receipt') === 'on',
        forwardDelivered: formValue(body, 'forward_delivered') === 'on',
        forwardRead: formValue(body, 'forward_read') === 'on',
      };
      const { invalid, contents } = checkCompose(form, kit.deps.addressPolicy, ctx.t);
      if (invalid.length > 0) {
        return kit.page(request, reply, { title: ctx.t.compose.title, section: 'compose', body: composePage(ctx, form, invalid) }, 422);
      }
      const requests: AcceptRequest[] = contents.map((first) => ({
        account_id: ctx.account.id,
        interface: 'suite',
        first,
        failover: [],
        ...receiptChoice(first.channel, form),
      }));
      await kit.deps.acceptMany(requests);
      return reply.redirect(`${PREFIX}/sent?sent=${requests.length}`, 303);
    });
  };
}
