/**
 * The account's forwarding rules: one JSON document saying, per section (`sms`, `ott`) and per
 * customer interface, where status changes go (README, "Forwarding rules"). Which rule types each
 * interface allows and its default come from the interface registry (model/interfaces.ts).
 *
 * The validator is pure and returns every problem at once, named by path (`sms.api.type`), so a
 * customer fixes a document in one round trip. Omitted keys take their defaults.
 */
import { STATUSES, type InterfaceName, type Section, type Status } from './vocabulary.js';
import type { AddressPolicy } from './address.js';
import { xmlUnsafeProblem } from './text.js';
import {
  FORMATS,
  SECRET_SET,
  checkBatch,
  SHARED_IDENTITY_REFUSED,
  STRICT_ADDRESS_POLICY,
  checkSqsCredentials,
  httpUrlProblem,
  isAccessKeys,
  isEmailAddress,
  parseQueueUrl,
  queueHostProblem,
  sameSqsCredentials,
  type BatchSettings,
  type RuleDestination,
  type RuleType,
  type SqsCredentials,
} from './destination.js';
import { INTERFACES, interfaceFormats, interfacesOn } from './interfaces.js';

export interface ForwardingRules {
  /** The global switch: false forwards nothing, whatever else is set. */
  enabled: boolean;
  sms: Partial<Record<InterfaceName, RuleDestination>>;
  ott: Partial<Record<InterfaceName, RuleDestination>> & { statuses: Status[] };
}

function defaultsOn(section: Section): Partial<Record<InterfaceName, RuleDestination>> {
  return Object.fromEntries(interfacesOn(section).map((name) => [name, INTERFACES[name].defaultRule]));
}

/** A new account: every interface's default rule, every OTT status. */
export const DEFAULT_RULES: ForwardingRules = Object.freeze({
  enabled: true,
  sms: Object.freeze(defaultsOn('sms')),
  ott: Object.freeze({ statuses: STATUSES as unknown as Status[], ...defaultsOn('ott') }),
});

/** The rules in force for an account: the stored document, or the defaults if none was saved. */
export function rulesOf(account: { forwarding?: unknown }): ForwardingRules {
  return (account.forwarding as ForwardingRules | undefined) ?? DEFAULT_RULES;
}

/** The rule for one interface; an interface added after the document was saved has its default. */
export function ruleFor(rules: ForwardingRules, section: Section, name: InterfaceName): RuleDestination | undefined {
  if (INTERFACES[name].allowed[section] === undefined) return undefined;
  return rules[section][name] ?? INTERFACES[name].defaultRule;
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
export const RULE_FIELDS: Readonly<Record<RuleType, readonly string[]>> = {
  url: ['url', 'format', 'batch'],
  email: ['address', 'format'],
  sqs: ['queue_url', 'format', 'credentials'],
  interface: ['format'],
  none: [],
};

/** What the validator needs from the settings: the destination guard and the SQS endpoint, if any. */
export interface DestinationChecks {
  sqsEndpoint?: string;
  /** Whether this account may send to SQS with the service's own identity (SQS_SHARED_IDENTITY_ACCOUNTS); absent = yes. */
  sharedSqsIdentity?: boolean;
}

export function validateForwardingRules(
  body: unknown,
  policy: AddressPolicy = STRICT_ADDRESS_POLICY,
  checks: DestinationChecks = {},
): RulesResult {
  if (!isObject(body)) return { ok: false, invalid: [{ name: '', reason: 'body must be a JSON object' }] };
  const invalid: FieldProblem[] = [];
  const add = (name: string, reason: string) => invalid.push({ name, reason });

  for (const key of Object.keys(body)) if (!['enabled', 'sms', 'ott'].includes(key)) add(key, 'unknown field');
  const enabled = body.enabled === undefined ? DEFAULT_RULES.enabled : body.enabled;
  if (typeof enabled !== 'boolean') add('enabled', 'enabled must be true or false');

  const sms = checkSection('sms', body.sms, add, policy, checks);
  const ott = checkSection('ott', body.ott, add, policy, checks, ['statuses']);
  const statuses = checkStatuses(isObject(body.ott) ? body.ott.statuses : undefined, add);
  if (sms && ott) checkOneCredentialSetPerQueue({ sms, ott }, add);

  if (invalid.length > 0) return { ok: false, invalid };
  return {
    ok: true,
    value: {
      enabled: enabled as boolean,
      sms: sms!,
      ott: { statuses: statuses!, ...ott! },
    },
  };
}

type Add = (name: string, reason: string) => void;

function checkSection(
  section: Section,
  value: unknown,
  add: Add,
  policy: AddressPolicy,
  checks: DestinationChecks,
  otherKeys: readonly string[] = [],
): Partial<Record<InterfaceName, RuleDestination>> | undefined {
  const names = interfacesOn(section);
  if (value === undefined) value = {};
  if (!isObject(value)) return void add(section, `${section} must be an object keyed by interface`);
  for (const key of Object.keys(value)) {
    if (!(names as string[]).includes(key) && !otherKeys.includes(key)) add(`${section}.${key}`, `unknown interface; one of ${oneOf(names)}`);
  }
  const out: Partial<Record<InterfaceName, RuleDestination>> = {};
  for (const name of names) {
    const given = value[name];
    const checked = given === undefined ? INTERFACES[name].defaultRule : checkDestination(section, name, given, add, policy, checks);
    if (checked) out[name] = checked;
  }
  return out;
}

function checkDestination(section: Section, name: InterfaceName, value: unknown, add: Add, policy: AddressPolicy, checks: DestinationChecks): RuleDestination | undefined {
  const path = `${section}.${name}`;
  if (!isObject(value)) return void add(path, 'must be an object with a type');
  const allowed = INTERFACES[name].allowed[section]!;
  const type = value.type as RuleType;
  // Anything but a string (an object with its own toString, say) is simply not a type.
  if (typeof type !== 'string' || !Object.hasOwn(RULE_FIELDS, type)) {
    return void add(`${path}.type`, `type must be one of ${oneOf(Object.keys(RULE_FIELDS))}`);
  }
  if (!allowed.includes(type)) {
    const why = allowed.includes('interface') && !allowed.includes('url')
      ? `the ${name} interface fixes the destination`
      : `${name} has no destination of its own`;
    return void add(`${path}.type`, `${type} is not allowed here (${why}); use one of ${oneOf(allowed)}`);
  }
  let problems = 0;
  const fail = (field: string, reason: string) => {
    problems++;
    add(`${path}.${field}`, reason);
  };
  for (const key of Object.keys(value)) if (key !== 'type' && !RULE_FIELDS[type].includes(key)) fail(key, `unknown field for type ${type}`);
  const formats: readonly string[] = type === 'interface' ? interfaceFormats(name) : FORMATS;
  if (type !== 'none' && !formats.includes(value.format as string)) fail('format', `format must be one of ${oneOf(formats)}`);
  if (type === 'url') {
    const reason = httpUrlProblem(value.url, policy);
    if (reason) fail('url', `url ${reason}`);
  }
  if (type === 'email' && !isEmailAddress(value.address)) fail('address', 'address must be an e-mail address like ops@example.com');
  if (type === 'sqs' && typeof value.queue_url === 'string' && xmlUnsafeProblem('queue_url', value.queue_url)) {
    fail('queue_url', xmlUnsafeProblem('queue_url', value.queue_url)!);
  } else if (type === 'sqs' && !parseQueueUrl(value.queue_url)) {
    fail('queue_url', 'queue_url must be an SQS queue URL like https://sqs.eu-central-1.amazonaws.com/123456789012/name');
  } else if (type === 'sqs') {
    const hostProblem = queueHostProblem(value.queue_url as string, checks.sqsEndpoint);
    if (hostProblem) fail('queue_url', `queue_url ${hostProblem}`);
  }
  let batch: BatchSettings | undefined;
  if (type === 'url' && value.batch !== undefined) {
    const checked = checkBatch(value.batch);
    if ('problems' in checked) for (const [field, reason] of checked.problems) fail(field, reason);
    else batch = checked.value;
  }
  let credentials: SqsCredentials | undefined;
  if (type === 'sqs' && value.credentials !== undefined) {
    const checked = checkSqsCredentials(value.credentials);
    if ('problems' in checked) for (const [field, reason] of checked.problems) fail(field, reason);
    else credentials = checked.value;
  } else if (type === 'sqs' && checks.sharedSqsIdentity === false) {
    fail('credentials', `credentials are required: ${SHARED_IDENTITY_REFUSED}`);
  }
  if (problems > 0) return undefined;
  // Rebuilt field by field so the stored document holds nothing the validator did not look at.
  const picked: Obj = { type };
  const checkedObjects: Obj = { credentials, batch };
  for (const field of RULE_FIELDS[type]) if (value[field] !== undefined) picked[field] = field in checkedObjects ? checkedObjects[field] : value[field];
  return picked as RuleDestination;
}

type Sections = Record<'sms' | 'ott', Partial<Record<InterfaceName, RuleDestination>>>;
type SqsRule = Extract<RuleDestination, { type: 'sqs' }>;
const isSqsRule = (value: unknown): value is SqsRule => isObject(value) && value.type === 'sqs';

/** Every sqs destination of a document, with its path (`sms.suite`). */
function sqsDestinations(rules: Sections): Array<{ path: string; destination: SqsRule }> {
  return (['sms', 'ott'] as const).flatMap((section) =>
    Object.entries(rules[section]).flatMap(([name, destination]) => (isSqsRule(destination) ? [{ path: `${section}.${name}`, destination }] : [])),
  );
}

/** Credentials are stored per account and queue: two rules naming one queue must carry the same. */
function checkOneCredentialSetPerQueue(rules: Sections, add: Add): void {
  const first = new Map<string, { path: string; credentials?: SqsCredentials }>();
  for (const { path, destination } of sqsDestinations(rules)) {
    const earlier = first.get(destination.queue_url);
    if (!earlier) first.set(destination.queue_url, { path, ...(destination.credentials ? { credentials: destination.credentials } : {}) });
    else if (!sameSqsCredentials(earlier.credentials, destination.credentials)) {
      add(`${path}.credentials`, `credentials differ from those of ${earlier.path}, which names the same queue; one queue has one set of credentials`);
    }
  }
}

/** An sqs destination's credentials as stored apart from the document (store: sqs_credentials). */
export interface QueueCredentials {
  queue_url: string;
  credentials: SqsCredentials;
}

/**
 * Fills in `(set)` secrets from the credentials stored for the same queue and access key id;
 * a `(set)` with nothing to keep is a problem named by its field.
 */
export function keepStoredSecrets(rules: ForwardingRules, stored: readonly QueueCredentials[]): RulesResult {
  const invalid: FieldProblem[] = [];
  const resolve = (path: string, destination: SqsRule): RuleDestination => {
    const given = destination.credentials;
    if (!given || !isAccessKeys(given) || given.secret_access_key !== SECRET_SET) return destination;
    const kept = stored.find((entry) => entry.queue_url === destination.queue_url && isAccessKeys(entry.credentials) && entry.credentials.access_key_id === given.access_key_id);
    if (kept) return { ...destination, credentials: kept.credentials };
    invalid.push({ name: `${path}.credentials.secret_access_key`, reason: `${SECRET_SET} keeps the stored secret, but none is stored for this queue_url and access_key_id; give the secret` });
    return destination;
  };
  const section = <T extends Obj>(name: 'sms' | 'ott', value: T): T =>
    Object.fromEntries(Object.entries(value).map(([key, rule]) => [key, isSqsRule(rule) ? resolve(`${name}.${key}`, rule) : rule])) as T;
  const value = { ...rules, sms: section('sms', rules.sms), ott: section('ott', rules.ott) };
  return invalid.length > 0 ? { ok: false, invalid } : { ok: true, value };
}

/**
 * Splits validated rules into the document to store and show (each secret access key replaced
 * by `(set)`) and the credentials to store sealed, one per queue.
 */
export function splitSqsCredentials(rules: ForwardingRules): { document: ForwardingRules; credentials: QueueCredentials[] } {
  const credentials = new Map<string, SqsCredentials>();
  for (const { destination } of sqsDestinations(rules)) if (destination.credentials) credentials.set(destination.queue_url, destination.credentials);
  const redact = <T extends Obj>(value: T): T =>
    Object.fromEntries(
      Object.entries(value).map(([key, rule]) => {
        if (!isSqsRule(rule) || !rule.credentials || !isAccessKeys(rule.credentials)) return [key, rule];
        return [key, { ...rule, credentials: { ...rule.credentials, secret_access_key: SECRET_SET } }];
      }),
    ) as T;
  return {
    document: { ...rules, sms: redact(rules.sms), ott: redact(rules.ott) },
    credentials: [...credentials].map(([queue_url, value]) => ({ queue_url, credentials: value })),
  };
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
