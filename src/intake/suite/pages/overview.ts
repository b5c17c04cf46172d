/**
 * Overview: messages and callbacks per day and status, delivery rate per channel, median time to
 * delivered, failing destinations, over the last days. Charts by uPlot (served by the app); every
 * chart has a table with the same numbers.
 */
import type { FastifyInstance } from 'fastify';
import { html, trusted, type Html } from '../html.js';
import { PREFIX, type SuiteContext } from '../context.js';
import { signedIn, type PageKit } from '../kit.js';
import { utc } from '../format.js';
import { STATUSES, type Channel, type MessageState } from '../../../model/vocabulary.js';
import type { AccountStats } from '../../../store/store.js';

export const OVERVIEW_DAYS = 14;
const DAY_MS = 86_400_000;
const STATES: readonly MessageState[] = ['accepted', ...STATUSES];
const CALLBACK_STATES = ['pending', 'inflight', 'delivered', 'failed', 'dead'] as const;

export interface Overview {
  /** Epoch day numbers, oldest first. */
  days: number[];
  messages: Map<MessageState, number[]>;
  callbacks: Map<string, number[]>;
  rates: Array<{ channel: Channel; total: number; delivered: number }>;
  medianToDeliveredMs?: number;
  failing: AccountStats['failing'];
}

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The stats laid out per day (every day present, zero where nothing happened). */
export function overviewOf(stats: AccountStats, now: number, days = OVERVIEW_DAYS): Overview {
  const today = Math.floor(now / DAY_MS);
  const dayList = Array.from({ length: days }, (_, i) => today - days + 1 + i);
  const perDay = <K>(rows: Array<{ day: number; count: number; key: K }>, keys: readonly K[]) => {
    const out = new Map<K, number[]>(keys.map((k) => [k, dayList.map(() => 0)]));
    for (const row of rows) {
      const index = row.day - dayList[0]!;
      const series = out.get(row.key);
      if (series && index >= 0 && index < days) series[index]! += row.count;
    }
    return out;
  };
  const rates = new Map<Channel, { channel: Channel; total: number; delivered: number }>();
  for (const row of stats.messages) {
    const rate = rates.get(row.channel) ?? { channel: row.channel, total: 0, delivered: 0 };
    rate.total += row.count;
    if (row.state === 'delivered' || row.state === 'read') rate.delivered += row.count;
    rates.set(row.channel, rate);
  }
  const medianMs = median(stats.toDelivered);
  return {
    days: dayList,
    messages: perDay(stats.messages.map((row) => ({ ...row, key: row.state })), STATES),
    callbacks: perDay(stats.callbacks.map((row) => ({ ...row, key: row.state })), CALLBACK_STATES as readonly string[]),
    rates: [...rates.values()].sort((a, b) => b.total - a.total),
    ...(medianMs !== undefined ? { medianToDeliveredMs: medianMs } : {}),
    failing: stats.failing,
  };
}

const dayText = (day: number) => utc(day * DAY_MS).slice(0, 10);

function seriesTable(caption: string, days: number[], series: Array<[string, number[]]>, t: SuiteContext['t']): Html {
  return html`<table><caption class="hint">${caption}</caption>
<thead><tr><th scope="col">${t.overview.day}</th>${series.map(([label]) => html`<th scope="col">${label}</th>`)}</tr></thead>
<tbody>${days.map((day, i) => html`<tr><th scope="row">${dayText(day)}</th>${series.map(([, values]) => html`<td>${values[i]}</td>`)}</tr>`)}</tbody></table>`;
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;
}

/** JSON inside a <script type="application/json">: `<` escaped so the text cannot close the element. */
function jsonForScript(value: unknown): Html {
  return trusted(JSON.stringify(value).replace(/</g, '\\u003c'));
}

function overviewPage(ctx: SuiteContext, overview: Overview): Html {
  const { t } = ctx;
  const o = t.overview;
  const messageSeries: Array<[string, number[]]> = [...overview.messages].map(([state, values]) => [t.states[state], values]);
  const callbackSeries: Array<[string, number[]]> = [...overview.callbacks].map(([state, values]) => [o.callbackStates[state] ?? state, values]);
  const chartData = {
    days: overview.days,
    messages: { series: messageSeries.map(([label, values]) => ({ label, values })) },
    callbacks: { series: callbackSeries.map(([label, values]) => ({ label, values })) },
  };
  return html`<p>${o.period(OVERVIEW_DAYS)}</p>
<script type="application/json" id="overview-data">${jsonForScript(chartData)}</script>
<h2>${o.messagesPerDay}</h2>
<div class="chart" id="chart-messages" aria-hidden="true"></div>
${seriesTable(o.messagesPerDay, overview.days, messageSeries, t)}
<h2>${o.callbacksPerDay}</h2>
<div class="chart" id="chart-callbacks" aria-hidden="true"></div>
${seriesTable(o.callbacksPerDay, overview.days, callbackSeries, t)}
<h2>${o.deliveryRate}</h2>
<table><thead><tr><th scope="col">${t.sent.channel}</th><th scope="col">${o.messages}</th><th scope="col">${o.delivered}</th><th scope="col">${o.rate}</th></tr></thead>
<tbody>${overview.rates.map((rate) => html`<tr><th scope="row">${t.channels[rate.channel]}</th><td>${rate.total}</td><td>${rate.delivered}</td><td>${((100 * rate.delivered) / rate.total).toFixed(1)} %</td></tr>`)}</tbody></table>
<h2>${o.medianToDelivered}</h2>
<p>${overview.medianToDeliveredMs === undefined ? o.noDeliveries : duration(overview.medianToDeliveredMs)}</p>
<h2>${o.failing}</h2>
${overview.failing.length === 0
  ? html`<p>${o.noFailing}</p>`
  : html`<table><thead><tr><th scope="col">${t.message.destination}</th><th scope="col">${o.failures}</th><th scope="col">${o.latest}</th></tr></thead>
<tbody>${overview.failing.map((row) => html`<tr><td class="mono">${row.destination_key}</td><td>${row.failures}</td><td>${utc(row.latest)}</td></tr>`)}</tbody></table>
<p><a href="${PREFIX}/dead-letters">${t.nav.deadLetters}</a></p>`}`;
}

export function overviewRoutes(kit: PageKit) {
  return async function routes(app: FastifyInstance) {
    app.get('/overview', async (request, reply) => {
      const ctx = signedIn(request);
      const now = kit.deps.now();
      const since = (Math.floor(now / DAY_MS) - OVERVIEW_DAYS + 1) * DAY_MS;
      const overview = overviewOf(await kit.deps.store.accountStats(ctx.account.id, since), now);
      return kit.page(request, reply, {
        title: ctx.t.overview.title,
        section: 'overview',
        body: overviewPage(ctx, overview),
        styles: [kit.assets.url('uPlot.min.css')],
        scripts: [kit.assets.url('uPlot.min.js'), kit.assets.url('overview.js')],
      });
    });
  };
}
