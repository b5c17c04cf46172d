/**
 * Dead letters: callbacks that ran out of retries, grouped by destination with the last error;
 * replay one, or every one since a time. "Every one since" runs in the background, one callback
 * at a time, and the page shows a progress bar (htmx polls it) until all are queued again. The
 * job lives in this process: behind a load balancer without sticky sessions another node answers
 * the poll with "done", and the replay itself finishes either way.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { html, type Html } from '../html.js';
import { field } from '../forms.js';
import { csrfField } from '../layout.js';
import { PREFIX, type SuiteContext } from '../context.js';
import { formValue, signedIn, type Form, type PageKit } from '../kit.js';
import { parseUtcInput, utc, utcInput } from '../format.js';
import { destinationText } from './message.js';
import type { Callback } from '../../../store/store.js';

/** Dead letters read per page view (newest first); groups count within these. */
const DEAD_LETTERS_SHOWN = 500;
/** Callbacks listed under each destination. */
const PER_GROUP = 10;
/** Most dead letters one "replay all since" takes (newest first); a larger backlog takes several. */
const REPLAY_ALL_MAX = 10_000;
/** A finished job's progress stays readable this long. */
const JOB_KEPT_MS = 10 * 60_000;

interface ReplayJob {
  accountId: string;
  total: number;
  done: number;
}

export interface DeadLetterGroup {
  destination: Callback['destination'];
  count: number;
  latest: number;
  lastError?: string;
  callbacks: Callback[];
}

/** Newest-first dead letters grouped by destination, the group with the newest first. */
export function groupByDestination(callbacks: Callback[]): DeadLetterGroup[] {
  const groups = new Map<string, DeadLetterGroup>();
  for (const callback of callbacks) {
    const group = groups.get(callback.destination_key);
    if (group) {
      group.count++;
      if (group.callbacks.length < PER_GROUP) group.callbacks.push(callback);
    } else {
      groups.set(callback.destination_key, { destination: callback.destination, count: 1, latest: callback.created_at, lastError: callback.last_error, callbacks: [callback] });
    }
  }
  return [...groups.values()];
}

function groupSection(ctx: SuiteContext, group: DeadLetterGroup, index: number): Html {
  const { t } = ctx;
  const d = t.deadLetters;
  const where = destinationText(group.destination);
  return html`<section aria-labelledby="dl-${index}">
<h2 id="dl-${index}" class="mono">${where}</h2>
<dl class="facts"><dt>${d.count}</dt><dd>${group.count}</dd><dt>${d.latest}</dt><dd>${utc(group.latest)}</dd><dt>${d.lastError}</dt><dd>${group.lastError ?? ''}</dd></dl>
<table><thead><tr><th scope="col">${d.latest}</th><th scope="col">${t.message.status}</th><th scope="col">${d.message}</th><th scope="col">${d.lastError}</th><th scope="col">${d.replay}</th></tr></thead>
<tbody>${group.callbacks.map(
    (callback) => html`<tr><td>${utc(callback.created_at)}</td><td>${t.states[callback.status]}</td><td><a class="mono" href="${PREFIX}/messages/${callback.message_uuid}">${callback.message_uuid}</a></td><td>${callback.last_error ?? ''}</td>
<td><form method="post" action="${PREFIX}/callbacks/${callback.id}/replay">${csrfField(ctx)}<input type="hidden" name="from" value="dead-letters"><button type="submit" aria-label="${t.message.replayNamed(t.states[callback.status], where)}">${d.replay}</button></form></td></tr>`,
  )}</tbody></table>
</section>`;
}

function progressFragment(ctx: SuiteContext, jobId: string, job: ReplayJob | undefined): Html {
  const d = ctx.t.deadLetters;
  // Unknown here (finished long ago, or started on another node): nothing left to show.
  if (!job) return html`<div id="replay-progress"></div>`;
  if (job.done >= job.total) return html`<div id="replay-progress"><p class="notice" role="status">${d.replayed(job.total)}</p></div>`;
  return html`<div id="replay-progress" hx-get="${PREFIX}/dead-letters/replay/${jobId}" hx-trigger="load delay:500ms" hx-swap="outerHTML">
<label for="replay-bar">${d.progress}</label>
<progress id="replay-bar" max="${job.total}" value="${job.done}">${job.done}/${job.total}</progress>
<p role="status">${d.progressText(job.done, job.total)}</p></div>`;
}

export function deadLetterRoutes(kit: PageKit) {
  const { store, now } = kit.deps;
  const jobs = new Map<string, ReplayJob>();

  return async function routes(app: FastifyInstance) {
    app.get('/dead-letters', async (request, reply) => {
      const ctx = signedIn(request);
      const { t } = ctx;
      const query = request.query as Form;
      const groups = groupByDestination(await store.listDeadLetters(ctx.account.id, DEAD_LETTERS_SHOWN));
      const replayed = Number(formValue(query, 'replayed'));
      const jobId = formValue(query, 'job');
      const job = jobs.get(jobId);
      const since = utcInput(now() - 24 * 3_600_000);
      const body = html`${Number.isInteger(replayed) && replayed > 0 ? html`<p class="notice" role="status">${t.deadLetters.replayed(replayed)}</p>` : ''}
${job && job.accountId === ctx.account.id ? progressFragment(ctx, jobId, job) : ''}
<p>${t.deadLetters.intro}</p>
<form method="post" action="${PREFIX}/dead-letters/replay" class="filters">${csrfField(ctx)}
${field({ id: 'since', label: t.deadLetters.since, control: () => html`<input type="datetime-local" id="since" name="since" value="${since}" required>` })}
<div class="field"><button type="submit">${t.deadLetters.replayAll}</button></div>
</form>
${groups.length === 0 ? html`<p>${t.deadLetters.none}</p>` : groups.map((group, index) => groupSection(ctx, group, index))}`;
      return kit.page(request, reply, { title: t.deadLetters.title, section: 'deadLetters', body });
    });

    app.get<{ Params: { job: string } }>('/dead-letters/replay/:job', async (request, reply) => {
      const ctx = signedIn(request);
      const job = jobs.get(request.params.job);
      const own = job && job.accountId === ctx.account.id ? job : undefined;
      return reply.type('text/html; charset=utf-8').send(progressFragment(ctx, request.params.job, own).text);
    });

    app.post('/dead-letters/replay', async (request, reply) => {
      const ctx = signedIn(request);
      const since = parseUtcInput(formValue(request.body as Form, 'since'));
      const dead = since === undefined ? [] : (await store.listDeadLetters(ctx.account.id, REPLAY_ALL_MAX)).filter((callback) => callback.created_at >= since);
      const jobId = randomUUID();
      const job: ReplayJob = { accountId: ctx.account.id, total: dead.length, done: 0 };
      jobs.set(jobId, job);
      void (async () => {
        for (const callback of dead) {
          await store.replayCallback(callback.id, ctx.account.id, now());
          job.done++;
          if (job.done % 100 === 0) kit.deps.wakeDispatch();
        }
        if (dead.length > 0) kit.deps.wakeDispatch();
      })()
        .catch((error: unknown) => {
          // Stopped (the store closed, say): show it as finished with what was done.
          job.total = job.done;
          request.log.error({ err: error }, 'dead letter replay stopped');
        })
        .finally(() => setTimeout(() => jobs.delete(jobId), JOB_KEPT_MS).unref());
      return reply.redirect(`${PREFIX}/dead-letters?job=${jobId}`, 303);
    });
  };
}
