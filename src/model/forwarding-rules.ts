/**
 * The account's forwarding rules (design.md section 5, seed 003): one JSON document saying, per
 * tool and per kind of channel, where status changes go. `sms` covers SMS and MMS receipts,
 * `ott` covers WhatsApp, Viber, Messenger and RCS status changes.
 *
 * The validator is pure and returns every problem at once, named by path (`sms.api.type`), so a
 * customer fixes a document in one round trip. Omitted keys take their defaults; the stored
 * document is always complete.
 */
import { STATUSES, type Channel, type Status } from './vocabulary.js';
import { FORMATS, httpUrlProblem, isEmailAddress, parseQueueUrl, type Format } from './destination.js';

/** A tool's choice. `interface` = the destination the tool itself fixes; only the format is chosen. */
export type RuleDestination =
  | { type: 'url'; url: string; format: Format }
  | { type: 'email'; address: string; format: Format }
  | { type: 'sqs'; queue_url: string; format: Format }
  | { type: 'interface'; format: Format }
  | { type: 'none' };

export type RuleType = RuleDestination['type'];

export const SMS_TOOLS = Object.freeze(['suite', 'api', 'email', 'smpp', 'outlook', 'legacy_xml'] as const);
/** OTT messages are sent from the suite, the REST API or the e-mail interface only (seed 003, section 2). */
export const OTT_TOOLS = Object.freeze(['suite', 'api', 'email'] as const);
export type SmsTool = (typeof SMS_TOOLS)[number];
export type OttTool = (typeof OTT_TOOLS)[number];

export interface ForwardingRules {
  /** The global switch: false forwards nothing, whatever else is set. */
  enabled: boolean;
  sms: Record<SmsTool, RuleDestination>;
  ott: Record<OttTool, RuleDestination> & { statuses: Status[] };
}

export type Section = 'sms' | 'ott';

/** SMS and MMS have receipts; every other channel has OTT status changes. */
export function sectionOf(channel: Channel): Section {
  return channel === 'sms' || channel === 'mms' ? 'sms' : 'ott';
}

const SUITE_TYPES: readonly RuleType[] = ['url', 'email', 'sqs', 'none'];
const INTERFACE_TYPES: readonly RuleType[] = ['interface', 'none'];

/**
 * Which destination types each tool may use. The suite has no destination of its own, so it picks
 * one; an interface fixes its destination, so only the format (or none) is left to choose. For
 * OTT through the API the suite's choices apply (seed 003, 2.3) and `interface` keeps the public
 * Messages API behaviour (the message's webhook_url).
 */
export const ALLOWED_TYPES: Readonly<Record<Section, Readonly<Record<string, readonly RuleType[]>>>> = Object.freeze({
  sms: { suite: SUITE_TYPES, api: INTERFACE_TYPES, email: INTERFACE_TYPES, smpp: INTERFACE_TYPES, outlook: INTERFACE_TYPES, legacy_xml: INTERFACE_TYPES },
  ott: { suite: SUITE_TYPES, api: [...SUITE_TYPES, 'interface'], email: INTERFACE_TYPES },
});

const NONE: RuleDestination = Object.freeze({ type: 'none' });
const API_DEFAULT: RuleDestination = Object.freeze({ type: 'interface', format: 'json' });

/**
 * A new account: API messages go where the Messages API sends them (every status, JSON), so the
 * relay core's behaviour is unchanged; every other tool forwards nothing until configured.
 */
export const DEFAULT_RULES: ForwardingRules = Object.freeze({
  enabled: true,
  sms: Object.freeze({ suite: NONE, api: API_DEFAULT, email: NONE, smpp: NONE, outlook: NONE, legacy_xml: NONE }),
  ott: Object.freeze({ statuses: STATUSES as unknown as Status[], suite: NONE, api: API_DEFAULT, email: NONE }),
});

/** The rules in force for an account: the stored document, or the defaults if none was saved. */
export function rulesOf(account: { forwarding?: unknown }): ForwardingRules {
  return (account.forwarding as ForwardingRules | undefined) ?? DEFAULT_RULES;
}

export interface FieldProblem {
  name: string;
  reason: string;
}

export type RulesResult = { ok: true; value: ForwardingRules } | { ok: false; invalid: FieldProblem[] };

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const oneOf = (list: readonly string[]) => list.join(', ');

/** Fields each destination type carries besides `type`. */
const FIELDS: Readonly<Record<RuleType, readonly string[]>> = {
  url: ['url', 'format'],
  email: ['address', 'format'],
  sqs: ['queue_url', 'format'],
  interface: ['format'],
  none: [],
};

export function validateForwardingRules(body: unknown): RulesResult {
  if (!isObject(body)) return { ok: false, invalid: [{ name: '', reason: 'body must be a JSON object' }] };
  const invalid: FieldProblem[] = [];
  const add = (name: string, reason: string) => invalid.push({ name, reason });

  for (const key of Object.keys(body)) if (!['enabled', 'sms', 'ott'].includes(key)) add(key, 'unknown field');
  const enabled = body.enabled === undefined ? DEFAULT_RULES.enabled : body.enabled;
  if (typeof enabled !== 'boolean') add('enabled', 'enabled must be true or false');

  const sms = checkSection('sms', body.sms, SMS_TOOLS, add);
  const ott = checkSection('ott', body.ott, OTT_TOOLS, add, ['statuses']);
  const statuses = checkStatuses(isObject(body.ott) ? body.ott.statuses : undefined, add);

  if (invalid.length > 0) return { ok: false, invalid };
  return {
    ok: true,
    value: {
      enabled: enabled as boolean,
      sms: sms as ForwardingRules['sms'],
      ott: { statuses: statuses!, ...(ott as Record<OttTool, RuleDestination>) },
    },
  };
}

type Add = (name: string, reason: string) => void;

function checkSection(
  section: Section,
  value: unknown,
  tools: readonly string[],
  add: Add,
  otherKeys: readonly string[] = [],
): Record<string, RuleDestination> | undefined {
  if (value === undefined) value = {};
  if (!isObject(value)) return void add(section, `${section} must be an object keyed by tool`);
  for (const key of Object.keys(value)) {
    if (!tools.includes(key) && !otherKeys.includes(key)) add(`${section}.${key}`, `unknown tool; one of ${oneOf(tools)}`);
  }
  const out: Record<string, RuleDestination> = {};
  for (const tool of tools) {
    const given = value[tool];
    const checked = given === undefined ? DEFAULT_RULES[section][tool as 'suite'] : checkDestination(section, tool, given, add);
    if (checked) out[tool] = checked;
  }
  return out;
}

function checkDestination(section: Section, tool: string, value: unknown, add: Add): RuleDestination | undefined {
  const path = `${section}.${tool}`;
  if (!isObject(value)) return void add(path, 'must be an object with a type');
  const allowed = ALLOWED_TYPES[section][tool]!;
  const type = value.type as RuleType;
  if (!Object.hasOwn(FIELDS, String(type))) {
    return void add(`${path}.type`, `type must be one of ${oneOf(Object.keys(FIELDS))}`);
  }
  if (!allowed.includes(type)) {
    const why = allowed.includes('interface') && !allowed.includes('url')
      ? `the ${tool} interface fixes the destination`
      : `${tool} has no destination of its own`;
    return void add(`${path}.type`, `${type} is not allowed here (${why}); use one of ${oneOf(allowed)}`);
  }
  let problems = 0;
  const fail = (field: string, reason: string) => {
    problems++;
    add(`${path}.${field}`, reason);
  };
  for (const key of Object.keys(value)) if (key !== 'type' && !FIELDS[type].includes(key)) fail(key, `unknown field for type ${type}`);
  if (type !== 'none' && !(FORMATS as readonly unknown[]).includes(value.format)) fail('format', `format must be one of ${oneOf(FORMATS)}`);
  if (type === 'url') {
    const reason = httpUrlProblem(value.url);
    if (reason) fail('url', `url ${reason}`);
  }
  if (type === 'email' && !isEmailAddress(value.address)) fail('address', 'address must be an e-mail address like ops@example.com');
  if (type === 'sqs' && !parseQueueUrl(value.queue_url)) {
    fail('queue_url', 'queue_url must be an SQS queue URL like https://sqs.eu-central-1.amazonaws.com/123456789012/name');
  }
  if (problems > 0) return undefined;
  // Rebuilt field by field so the stored document holds nothing the validator did not look at.
  const picked: Obj = { type };
  for (const field of FIELDS[type]) picked[field] = value[field];
  return picked as RuleDestination;
}

function checkStatuses(value: unknown, add: Add): Status[] | undefined {
  if (value === undefined) return [...DEFAULT_RULES.ott.statuses];
  if (!Array.isArray(value)) return void add('ott.statuses', `ott.statuses must be an array of ${oneOf(STATUSES)}`);
  let ok = true;
  value.forEach((status, i) => {
    if (!(STATUSES as readonly unknown[]).includes(status)) {
      ok = false;
      add(`ott.statuses[${i}]`, `unknown status; one of ${oneOf(STATUSES)}`);
    } else if (value.indexOf(status) !== i) {
      ok = false;
      add(`ott.statuses[${i}]`, `${status} is listed twice`);
    }
  });
  return ok ? (value as Status[]) : undefined;
}
