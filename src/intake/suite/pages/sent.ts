/**
 * Sent: every message of the account, by any interface, newest first; filters, search and keyset
 * paging on (account_id, created_at, uuid). New statuses arrive by server-sent events: the
 * stream polls the store for the rows on the page, by primary key (so it sees changes recorded by
 * any node, and needs no index of its own), and htmx swaps each changed row's status and time cells.
 */
import type { FastifyInstance } from 'fastify';
import { html, type Html } from '../html.js';
import { field, options } from '../forms.js';
import { PREFIX, type SuiteContext } from '../context.js';
import { formValue, signedIn, type Form, type PageKit } from '../kit.js';
import { parseUtcInput, utc, utcInput } from '../format.js';
import { CHANNELS, INTERFACE_NAMES, STATUSES, isChannel, type MessageState } from '../../../model/vocabulary.js';
import type { Message } from '../../../model/types.js';
import type { MessageFilter, StatusTime } from '../../../store/store.js';

export const PAGE_SIZE = 50;
const STATES: readonly MessageState[] = ['accepted', ...STATUSES];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LIVE_ROW = /^([0-9a-f-]{36})\.(\d{1,15})$/i;

/** The rows a live stream follows, as the page saw them: `uuid.updated_at`, comma-separated. */
export function liveRowsOf(value: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const entry of value.split(',').slice(0, PAGE_SIZE)) {
    const match = LIVE_ROW.exec(entry);
    if (match) rows.set(match[1]!.toLowerCase(), Number(match[2]));
  }
  return rows;
}

/** The filter a query string asks for; unknown values are ignored rather than refused. */
export function filterOf(query: Form): MessageFilter {
  const filter: MessageFilter = {};
  const state = formValue(query, 'status');
  if ((STATES as readonly string[]).includes(state)) filter.state = state as MessageState;
  const channel = formValue(query, 'channel');
  if (isChannel(channel)) filter.channel = channel;
  const name = formValue(query, 'interface');
  if ((INTERFACE_NAMES as readonly string[]).includes(name)) filter.interface = name as MessageFilter['interface'];
  const from = parseUtcInput(formValue(query, 'from'));
  if (from !== undefined) filter.from = from;
  const until = parseUtcInput(formValue(query, 'until'));
  if (until !== undefined) filter.until = until;
  const search = formValue(query, 'q').trim();
  // A message id, else a number (a leading + is forgiven), else a client_ref.
  if (UUID.test(search)) filter.uuid = search.toLowerCase();
  else if (/^\+?\d{3,15}$/.test(search)) filter.to = search.replace(/^\+/, '');
  else if (search !== '') filter.client_ref = search;
  const before = /^(\d{1,15})_([0-9a-f-]{36})$/i.exec(formValue(query, 'before'));
  if (before) filter.before = { created_at: Number(before[1]), uuid: before[2]!.toLowerCase() };
  return filter;
}

/** The time the message reached its current state (and, once read, when it was delivered). */
export function reachedAt(message: Message, times: StatusTime[]): { state?: number; delivered?: number } {
  const at = (status: string) => times.find((time) => time.message_uuid === message.uuid && time.status === status)?.occurred_at;
  return { state: message.state === 'accepted' ? undefined : at(message.state), ...(message.state === 'read' ? { delivered: at('delivered') } : {}) };
}

export function statusCell(message: Message, t: SuiteContext['t']): Html {
  return html`<span class="status-${message.state}">${t.states[message.state]}</span>`;
}

export function reachedCell(message: Message, times: StatusTime[], t: SuiteContext['t']): Html {
  const reached = reachedAt(message, times);
  return html`${utc(reached.state)}${reached.delivered !== undefined ? html`<br><span class="hint">${t.states.delivered}: ${utc(reached.delivered)}</span>` : ''}`;
}

function row(message: Message, times: StatusTime[], t: SuiteContext['t']): Html {
  return html`<tr>
<td><a href="${PREFIX}/messages/${message.uuid}">${utc(message.created_at)}</a></td>
<td>${t.channels[message.channel]}</td>
<td class="mono">${message.to}</td>
<td>${message.from}</td>
<td>${t.interfaces[message.interface]}</td>
<td sse-swap="status-${message.uuid}">${statusCell(message, t)}</td>
<td sse-swap="reached-${message.uuid}">${reachedCell(message, times, t)}</td>
<td>${message.client_ref ?? ''}</td>
</tr>`;
}

function filters(ctx: SuiteContext, query: Form): Html {
  const { t } = ctx;
  const s = t.sent;
  const any = html`<option value="">${s.any}</option>`;
  return html`<form method="get" action="${PREFIX}/sent" role="search" aria-label="${s.filters}" class="filters">
${field({ id: 'f-status', label: s.status, control: () => html`<select id="f-status" name="status">${any}${options(STATES, (state) => t.states[state], formValue(query, 'status'))}</select>` })}
${field({ id: 'f-channel', label: s.channel, control: () => html`<select id="f-channel" name="channel">${any}${options(CHANNELS, (c) => t.channels[c], formValue(query, 'channel'))}</select>` })}
${field({ id: 'f-interface', label: s.interface, control: () => html`<select id="f-interface" name="interface">${any}${options(INTERFACE_NAMES, (i) => t.interfaces[i], formValue(query, 'interface'))}</select>` })}
${field({ id: 'f-from', label: s.from, control: () => html`<input type="datetime-local" id="f-from" name="from" value="${utcInput(parseUtcInput(formValue(query, 'from')))}">` })}
${field({ id: 'f-until', label: s.until, control: () => html`<input type="datetime-local" id="f-until" name="until" value="${utcInput(parseUtcInput(formValue(query, 'until')))}">` })}
${field({ id: 'f-q', label: s.search, control: () => html`<input type="search" id="f-q" name="q" value="${formValue(query, 'q')}" aria-describedby="f-q-hint">` })}
<p class="hint" id="f-q-hint">${s.searchHint}</p>
<div class="field"><button type="submit">${s.apply}</button> <a href="${PREFIX}/sent">${s.reset}</a></div>
</form>`;
}

export function sentRoutes(kit: PageKit) {
  const { store } = kit.deps;
  const streams = new Set<() => void>();

  return async function routes(app: FastifyInstance) {
    // Open streams would keep the server from closing: end them first.
    app.addHook('preClose', async () => {
      for (const end of streams) end();
    });

    app.get('/sent', async (request, reply) => {
      const ctx = signedIn(request);
      const { t } = ctx;
      const query = request.query as Form;
      const found = await store.listAccountMessages(ctx.account.id, filterOf(query), PAGE_SIZE + 1);
      const messages = found.slice(0, PAGE_SIZE);
      const times = messages.length > 0 ? await store.listStatusTimes(messages.map((m) => m.uuid)) : [];
      const last = messages[messages.length - 1];
      // The next page keeps the filters, not the cursor or the "sent" notice.
      const olderQuery = new URLSearchParams(Object.entries(query).filter(([key, value]) => key !== 'before' && key !== 'sent' && typeof value === 'string') as Array<[string, string]>);
      if (last) olderQuery.set('before', `${last.created_at}_${last.uuid}`);
      const sentCount = Number(formValue(query, 'sent'));
      const body = html`${Number.isInteger(sentCount) && sentCount > 0 ? html`<p class="notice" role="status">${t.compose.sent(sentCount)}</p>` : ''}
${filters(ctx, query)}
<p class="hint">${t.sent.live}</p>
<table hx-ext="sse" sse-connect="${PREFIX}/sent/events?rows=${messages.map((message) => `${message.uuid}.${message.updated_at}`).join(',')}">
<caption class="hint">${t.sent.title}</caption>
<thead><tr><th scope="col">${t.sent.time}</th><th scope="col">${t.sent.channel}</th><th scope="col">${t.sent.to}</th><th scope="col">${t.sent.sender}</th><th scope="col">${t.sent.interface}</th><th scope="col">${t.sent.status}</th><th scope="col">${t.sent.reachedAt}</th><th scope="col">${t.sent.clientRef}</th></tr></thead>
<tbody>${messages.length > 0 ? messages.map((message) => row(message, times, t)) : html`<tr><td colspan="8">${t.sent.none}</td></tr>`}</tbody>
</table>
<nav class="pager" aria-label="${t.sent.title}">${query.before ? html`<a href="${PREFIX}/sent">${t.sent.newest}</a>` : ''}${found.length > PAGE_SIZE ? html`<a href="${PREFIX}/sent?${olderQuery.toString()}">${t.sent.older}</a>` : ''}</nav>`;
      return kit.page(request, reply, { title: t.sent.title, section: 'sent', body, scripts: [kit.assets.url('sse.min.js')] });
    });

    app.get('/sent/events', async (request, reply) => {
      const ctx = signedIn(request);
      /** Each followed row's updated_at as last shown: a row is sent again only when it changed. */
      const shown = liveRowsOf(formValue(request.query as Form, 'rows'));
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
      raw.write(': live\n\n');
      let timer: NodeJS.Timeout | undefined;
      const end = () => {
        clearTimeout(timer);
        streams.delete(end);
        raw.end();
      };
      streams.add(end);
      raw.on('close', end);
      const poll = async () => {
        // A stream lives no longer than the session it was opened with.
        if (kit.deps.now() >= ctx.session.expires_at) return end();
        if (shown.size === 0) return;
        const found = await store.listAccountMessagesByUuid(ctx.account.id, [...shown.keys()]);
        const changed = found.filter((message) => shown.get(message.uuid) !== message.updated_at);
        if (changed.length === 0) return;
        const times = await store.listStatusTimes(changed.map((message) => message.uuid));
        for (const message of changed) {
          raw.write(`event: status-${message.uuid}\ndata: ${statusCell(message, ctx.t).text}\n\n`);
          raw.write(`event: reached-${message.uuid}\ndata: ${reachedCell(message, times, ctx.t).text}\n\n`);
          shown.set(message.uuid, message.updated_at);
        }
      };
      const loop = () => {
        poll().then(
          () => {
            if (streams.has(end)) timer = setTimeout(loop, kit.deps.livePollMs ?? 1_000);
          },
          end,
        );
      };
      loop();
    });
  };
}
