/**
 * Forwarding: the account's forwarding rules (the document of GET/PUT /v1/forwarding) as a form.
 * The global switch comes first and overrides everything; per section and interface, the rule
 * types the interface registry allows. Saved through the same validator as the API, so the
 * reasons shown beside each field are the API's.
 */
import type { FastifyInstance } from 'fastify';
import { html, type Html } from '../html.js';
import { described, errorsByField, field, options, switchControl } from '../forms.js';
import { csrfField } from '../layout.js';
import { PREFIX, type SuiteContext } from '../context.js';
import { formValue, formValues, signedIn, type Form, type PageKit } from '../kit.js';
import { saveForwardingRules } from '../../forwarding.js';
import { RULE_FIELDS, ruleFor, rulesOf, validateForwardingRules } from '../../../model/forwarding-rules.js';
import { INTERFACES, interfacesOn } from '../../../model/interfaces.js';
import { FORMATS, type RuleType } from '../../../model/destination.js';
import { SECTIONS, STATUSES, type InterfaceName, type Section, type Status } from '../../../model/vocabulary.js';

/** The form as typed: per `section.interface`, the chosen type and every destination field. */
interface RulesForm {
  enabled: boolean;
  statuses: string[];
  rules: Map<string, Record<string, string>>;
}

const DESTINATION_FIELDS = ['url', 'address', 'queue_url'] as const;
/** A URL rule's `batch` as two form fields; both empty = no batching. */
const BATCH_FIELDS = ['batch.max_items', 'batch.max_wait_ms'] as const;

/** The typed batch fields as the API's `batch` object (digits as numbers, anything else as typed, for the validator to name). */
function batchOf(typed: Record<string, string>): Record<string, unknown> | undefined {
  if (BATCH_FIELDS.every((name) => !typed[name])) return undefined;
  const value = (text = '') => (/^\d{1,6}$/.test(text) ? Number(text) : text);
  return { max_items: value(typed['batch.max_items']), max_wait_ms: value(typed['batch.max_wait_ms']) };
}

/** `sms.suite.url` → `sms-suite-url`; `ott.statuses[1]` → `ott-statuses`; `sms.suite` → its type select. */
export function fieldIdOf(problemName: string): string {
  if (problemName.startsWith('ott.statuses')) return 'ott-statuses';
  const parts = problemName.split('.');
  if (parts.length === 2) parts.push('type');
  return parts.join('-');
}

/** The document the form describes, in the shape PUT /v1/forwarding takes. */
export function documentOf(form: RulesForm): Record<string, unknown> {
  const sections: Record<string, Record<string, unknown>> = { sms: {}, ott: { statuses: form.statuses } };
  for (const section of SECTIONS) {
    for (const name of interfacesOn(section)) {
      const typed = form.rules.get(`${section}.${name}`);
      if (!typed) continue;
      const type = typed.type as RuleType;
      const rule: Record<string, unknown> = { type };
      for (const key of RULE_FIELDS[type] ?? []) {
        if (key !== 'batch') rule[key] = typed[key] ?? '';
        else if (batchOf(typed)) rule[key] = batchOf(typed);
      }
      sections[section]![name] = rule;
    }
  }
  return { enabled: form.enabled, ...sections };
}

function formOfBody(body: Form): RulesForm {
  const rules = new Map<string, Record<string, string>>();
  for (const section of SECTIONS) {
    for (const name of interfacesOn(section)) {
      const key = `${section}.${name}`;
      const typed: Record<string, string> = { type: formValue(body, `${key}.type`) };
      for (const fieldName of [...DESTINATION_FIELDS, ...BATCH_FIELDS, 'format']) typed[fieldName] = formValue(body, `${key}.${fieldName}`).trim();
      rules.set(key, typed);
    }
  }
  return { enabled: formValue(body, 'enabled') === 'on', statuses: formValues(body, 'ott.statuses'), rules };
}

function formOfAccount(account: { forwarding?: unknown }): RulesForm {
  const stored = rulesOf(account);
  const rules = new Map<string, Record<string, string>>();
  for (const section of SECTIONS) {
    for (const name of interfacesOn(section)) {
      const { batch, ...rule } = ruleFor(stored, section, name) as Record<string, string> & { batch?: { max_items: number; max_wait_ms: number } };
      const typed = batch ? { ...rule, 'batch.max_items': String(batch.max_items), 'batch.max_wait_ms': String(batch.max_wait_ms) } : rule;
      rules.set(`${section}.${name}`, typed);
    }
  }
  return { enabled: stored.enabled, statuses: [...stored.ott.statuses], rules };
}

/** The answer to "send a test callback" for one rule (`section.interface`). */
interface TestResult {
  rule: string;
  text: string;
}

function ruleFields(ctx: SuiteContext, section: Section, name: InterfaceName, typed: Record<string, string>, errors: Map<string, string>, test?: TestResult): Html {
  const { t } = ctx;
  const f = t.forwarding;
  const key = `${section}.${name}`;
  const id = `${section}-${name}`;
  const allowed = INTERFACES[name].allowed[section]!;
  const labels: Record<(typeof DESTINATION_FIELDS)[number], string> = { url: f.url, address: f.address, queue_url: f.queueUrl };
  const carried = new Set(allowed.flatMap((type) => RULE_FIELDS[type]));
  const fieldLabels: Record<(typeof DESTINATION_FIELDS)[number] | (typeof BATCH_FIELDS)[number], string> = {
    ...labels,
    'batch.max_items': f.batchMaxItems,
    'batch.max_wait_ms': f.batchMaxWaitMs,
  };
  const input = (fieldName: (typeof DESTINATION_FIELDS)[number] | (typeof BATCH_FIELDS)[number], type: string) => {
    const fieldId = `${id}-${fieldName.replace('.', '-')}`;
    return field({
      id: fieldId,
      label: fieldLabels[fieldName],
      error: errors.get(fieldId),
      control: (d, i) => html`<input type="${type}" id="${fieldId}" name="${key}.${fieldName}" value="${typed[fieldName] ?? ''}"${described(d, i)}>`,
    });
  };
  return html`<fieldset><legend>${t.interfaces[name]}</legend>
${field({ id: `${id}-type`, label: f.destination(t.interfaces[name]), error: errors.get(`${id}-type`), control: (d, i) => html`<select id="${id}-type" name="${key}.type"${described(d, i)}>${options(allowed, (type) => f.types[type], typed.type)}</select>` })}
${carried.has('url') ? input('url', 'url') : ''}
${carried.has('batch') ? html`${input('batch.max_items', 'number')}${input('batch.max_wait_ms', 'number')}` : ''}
${carried.has('address') ? input('address', 'email') : ''}
${carried.has('queue_url') ? input('queue_url', 'url') : ''}
${carried.has('format') ? field({ id: `${id}-format`, label: f.format, error: errors.get(`${id}-format`), control: (d, i) => html`<select id="${id}-format" name="${key}.format"${described(d, i)}>${options(FORMATS, (format) => format.toUpperCase(), typed.format || 'json')}</select>` }) : ''}
${carried.has('url') || carried.has('address') || carried.has('queue_url')
  ? html`<button class="secondary" type="submit" formaction="${PREFIX}/forwarding/test?rule=${key}" aria-label="${f.testCallbackNamed(t.interfaces[name], section === 'sms' ? f.sms : f.ott)}">${f.testCallback}</button>`
  : ''}
${test?.rule === key ? html`<p class="notice" role="status" id="${id}-test">${test.text}</p>` : ''}
</fieldset>`;
}

function forwardingPage(ctx: SuiteContext, form: RulesForm, invalid: ReadonlyArray<{ name: string; reason: string }>, saved: boolean, test?: TestResult): Html {
  const { t } = ctx;
  const f = t.forwarding;
  const errors = new Map([...errorsByField(invalid)].map(([name, reason]) => [fieldIdOf(name), reason]));
  const statusesError = errors.get('ott-statuses');
  return html`${saved ? html`<p class="notice" role="status">${f.saved}</p>` : ''}
${invalid.length > 0 ? html`<div class="alert" role="alert"><p>${t.fieldErrors(errors.size)}</p></div>` : ''}
<form method="post" action="${PREFIX}/forwarding" novalidate>
${csrfField(ctx)}
${switchControl('enabled', 'enabled', f.enabled, form.enabled, 'enabled-hint')}
<p class="hint" id="enabled-hint">${f.enabledHint}</p>
<h2>${f.sms}</h2>
${interfacesOn('sms').map((name) => ruleFields(ctx, 'sms', name, form.rules.get(`sms.${name}`) ?? {}, errors, test))}
<h2>${f.ott}</h2>
<fieldset id="ott-statuses"${statusesError ? html` aria-describedby="ott-statuses-error"` : ''}><legend>${f.statuses}</legend>
${statusesError ? html`<p class="error" id="ott-statuses-error">${statusesError}</p>` : ''}
${STATUSES.map((status: Status) => html`<div class="switch"><input type="checkbox" id="ott-status-${status}" name="ott.statuses" value="${status}"${form.statuses.includes(status) ? html` checked` : ''}><label for="ott-status-${status}">${t.states[status]}</label></div>`)}
</fieldset>
${interfacesOn('ott').map((name) => ruleFields(ctx, 'ott', name, form.rules.get(`ott.${name}`) ?? {}, errors, test))}
<button type="submit">${f.save}</button>
</form>`;
}

export function forwardingRoutes(kit: PageKit) {
  return async function routes(app: FastifyInstance) {
    app.get('/forwarding', async (request, reply) => {
      const ctx = signedIn(request);
      const saved = formValue(request.query as Form, 'saved') === '1';
      return kit.page(request, reply, { title: ctx.t.forwarding.title, section: 'forwarding', body: forwardingPage(ctx, formOfAccount(ctx.account), [], saved) });
    });

    app.post('/forwarding', async (request, reply) => {
      const ctx = signedIn(request);
      const form = formOfBody(request.body as Form);
      const result = await saveForwardingRules(kit.deps.store, ctx.account.id, documentOf(form), kit.deps.addressPolicy, {
        ...(kit.deps.sqsEndpoint ? { sqsEndpoint: kit.deps.sqsEndpoint } : {}),
        sqsSharedIdentityAccounts: kit.deps.sqsSharedIdentityAccounts,
      });
      if (!result.ok) {
        return kit.page(request, reply, { title: ctx.t.forwarding.title, section: 'forwarding', body: forwardingPage(ctx, form, result.invalid, false) }, 422);
      }
      return reply.redirect(`${PREFIX}/forwarding?saved=1`, 303);
    });

    // One rule's destination, as typed (not saved), gets a signed sample callback; the page shows the answer.
    app.post('/forwarding/test', async (request, reply) => {
      const ctx = signedIn(request);
      const f = ctx.t.forwarding;
      const form = formOfBody(request.body as Form);
      const rule = formValue(request.query as Form, 'rule');
      const [section, name] = rule.split('.') as [Section, InterfaceName];
      const typed = form.rules.get(rule);
      if (!typed) return reply.callNotFound();
      const show = (invalid: ReadonlyArray<{ name: string; reason: string }>, text?: string) =>
        kit.page(request, reply, { title: f.title, section: 'forwarding', body: forwardingPage(ctx, form, invalid, false, text ? { rule, text } : undefined) }, invalid.length > 0 ? 422 : 200);
      // Only this rule is checked, so a problem elsewhere in the form does not stop the test.
      const only = documentOf({ ...form, rules: new Map([[rule, typed]]) }) as Record<Section, Record<string, unknown>>;
      const checked = validateForwardingRules({ [section]: { [name]: only[section][name] } }, kit.deps.addressPolicy, { ...(kit.deps.sqsEndpoint ? { sqsEndpoint: kit.deps.sqsEndpoint } : {}) });
      if (!checked.ok) return show(checked.invalid);
      const destination = checked.value[section][name]!;
      if (destination.type !== 'url' && destination.type !== 'email' && destination.type !== 'sqs') return show([], f.testNothing);
      const { format, ...target } = destination;
      const outcome = await kit.deps.sendTestCallback(ctx.account, target, format);
      const answer = [outcome.statusCode !== undefined ? `HTTP ${outcome.statusCode}` : '', outcome.error ?? ''].filter(Boolean).join(', ') || outcome.verdict;
      return show([], f.testAnswer(outcome.verdict, answer, Math.round(outcome.durationMs)));
    });
  };
}
