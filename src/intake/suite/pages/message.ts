/**
 * Message: the whole timeline (each status with its time, usage, network code, error with its
 * explanation), the failover items, and every callback with every attempt; replay one callback.
 */
import type { FastifyInstance } from 'fastify';
import { html, type Html } from '../html.js';
import { csrfField } from '../layout.js';
import { PREFIX, type SuiteContext } from '../context.js';
import { formValue, signedIn, type Form, type PageKit } from '../kit.js';
import { utc } from '../format.js';
import { findAccountMessage, replayCallback } from '../../history.js';
import { ERROR_CODES } from '../../../model/errors.js';
import type { Message, StatusEvent } from '../../../model/types.js';
import type { Destination } from '../../../model/destination.js';
import type { Attempt, Callback } from '../../../store/store.js';

const FINISHED: ReadonlyArray<Callback['state']> = ['delivered', 'failed', 'dead'];

/** A destination as a person reads it. */
export function destinationText(destination: Destination): string {
  switch (destination.type) {
    case 'url':
      return destination.url;
    case 'email':
      return destination.address;
    case 'sqs':
      return destination.queue_url;
    case 'smpp':
      return `SMPP ${destination.system_id}`;
  }
}

function errorText(event: StatusEvent): Html | string {
  if (!event.error) return '';
  const known = ERROR_CODES[Number(event.error.title)];
  return html`<strong>${event.error.title}</strong> ${known?.detail ?? event.error.detail}`;
}

function timeline(events: StatusEvent[], t: SuiteContext['t']): Html {
  const m = t.message;
  if (events.length === 0) return html`<p>${m.noEvents}</p>`;
  return html`<table><thead><tr><th scope="col">${m.status}</th><th scope="col">${m.time}</th><th scope="col">${m.source}</th><th scope="col">${m.usage}</th><th scope="col">${m.network}</th><th scope="col">${m.error}</th></tr></thead>
<tbody>${events.map(
    (event) => html`<tr><td class="status-${event.status}">${t.states[event.status]}${event.implied ? html` <span class="hint">(${m.implied})</span>` : ''}${!event.forwarded ? html` <span class="hint">(${m.late})</span>` : ''}</td>
<td>${utc(event.occurred_at)}</td><td>${event.source}</td><td>${[event.usage ? `${event.usage.price} ${event.usage.currency}` : '', event.sms ? `${event.sms.count_total} SMS` : ''].filter(Boolean).join(' · ')}</td>
<td>${event.network_code ?? ''}</td><td>${errorText(event)}</td></tr>`,
  )}</tbody></table>`;
}

function attemptsTable(attempts: Attempt[], t: SuiteContext['t']): Html {
  const m = t.message;
  if (attempts.length === 0) return html``;
  return html`<table><caption class="hint">${m.attempts}</caption><thead><tr><th scope="col">${m.attempt}</th><th scope="col">${m.time}</th><th scope="col">${m.outcome}</th><th scope="col">${m.latency}</th></tr></thead>
<tbody>${attempts.map(
    (attempt) => html`<tr><td>${attempt.number}</td><td>${utc(attempt.started_at)}</td><td>${attempt.outcome}${attempt.status_code !== undefined ? ` · HTTP ${attempt.status_code}` : ''}${attempt.error ? ` · ${attempt.error}` : ''}</td><td>${attempt.duration_ms} ms</td></tr>`,
  )}</tbody></table>`;
}

function callbackSection(ctx: SuiteContext, callback: Callback & { attempts_log: Attempt[] }): Html {
  const { t } = ctx;
  const m = t.message;
  const where = destinationText(callback.destination);
  return html`<section aria-labelledby="cb-${callback.id}">
<h3 id="cb-${callback.id}">${t.states[callback.status]} → ${where}</h3>
<dl class="facts"><dt>${m.destination}</dt><dd class="mono">${where}</dd><dt>${m.format}</dt><dd>${callback.format}</dd>
<dt>${m.state}</dt><dd>${callback.state}${callback.last_error ? ` · ${callback.last_error}` : ''}</dd>
${callback.state === 'pending' && callback.due_at !== undefined ? html`<dt>${m.nextRetry}</dt><dd>${utc(callback.due_at)}</dd>` : ''}</dl>
${attemptsTable(callback.attempts_log, t)}
${FINISHED.includes(callback.state)
  ? html`<form method="post" action="${PREFIX}/callbacks/${callback.id}/replay">${csrfField(ctx)}<button type="submit" aria-label="${m.replayNamed(t.states[callback.status], where)}">${m.replay}</button></form>`
  : ''}
</section>`;
}

function messagePage(ctx: SuiteContext, message: Message, events: StatusEvent[], callbacks: Array<Callback & { attempts_log: Attempt[] }>, notice?: string): Html {
  const { t } = ctx;
  const m = t.message;
  return html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<h2>${m.details}</h2>
<dl class="facts">
<dt>${m.id}</dt><dd class="mono">${message.uuid}</dd>
<dt>${t.sent.channel}</dt><dd>${t.channels[message.channel]}</dd>
<dt>${t.sent.to}</dt><dd class="mono">${message.to}</dd>
<dt>${t.sent.sender}</dt><dd>${message.from}</dd>
<dt>${t.sent.interface}</dt><dd>${t.interfaces[message.interface]}</dd>
<dt>${t.sent.status}</dt><dd class="status-${message.state}">${t.states[message.state]}</dd>
<dt>${t.sent.time}</dt><dd>${utc(message.created_at)}</dd>
${message.client_ref ? html`<dt>${t.sent.clientRef}</dt><dd>${message.client_ref}</dd>` : ''}
${message.text ? html`<dt>${m.text}</dt><dd>${message.text}</dd>` : ''}
</dl>
<h2>${m.timeline}</h2>
${timeline(events, t)}
${message.failover.length > 0
  ? html`<h2>${m.failover}</h2><ol>${message.failover.map((item) => html`<li>${t.channels[item.channel]} → <span class="mono">${item.to}</span> (${item.from})</li>`)}</ol>`
  : ''}
<h2>${m.callbacks}</h2>
${callbacks.length === 0 ? html`<p>${m.noCallbacks}</p>` : callbacks.map((callback) => callbackSection(ctx, callback))}`;
}

export function messageRoutes(kit: PageKit) {
  const { store, now } = kit.deps;
  return async function routes(app: FastifyInstance) {
    app.get<{ Params: { uuid: string }; Querystring: { replayed?: string } }>('/messages/:uuid', async (request, reply) => {
      const ctx = signedIn(request);
      const message = await findAccountMessage(store, request.params.uuid, ctx.account.id);
      if (!message) return reply.callNotFound();
      const [events, callbacks] = await Promise.all([store.listEvents(message.uuid), store.listCallbacks(message.uuid)]);
      const notice = request.query.replayed === '1' ? ctx.t.message.replayed : undefined;
      return kit.page(request, reply, { title: `${ctx.t.message.title} ${message.to}`, section: 'sent', body: messagePage(ctx, message, events, callbacks, notice) });
    });

    app.post<{ Params: { id: string } }>('/callbacks/:id/replay', async (request, reply) => {
      const ctx = signedIn(request);
      const outcome = await replayCallback(store, request.params.id, ctx.account.id, now(), kit.deps.wakeDispatch);
      if (!outcome.replayed && outcome.reason === 'not-found') return reply.callNotFound();
      if (!outcome.replayed) return kit.page(request, reply, { title: ctx.t.message.replay, body: html`<p class="alert" role="alert">${ctx.t.message.notReplayable}</p>` }, 409);
      const callback = await store.getCallback(request.params.id);
      const back = formValue(request.body as Form, 'from') === 'dead-letters' ? `${PREFIX}/dead-letters?replayed=1` : `${PREFIX}/messages/${callback!.message_uuid}?replayed=1`;
      return reply.redirect(back, 303);
    });
  };
}
