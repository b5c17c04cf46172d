/**
 * The registry of customer interfaces: for each way a message can reach statusrelay, what the
 * forwarding rules may choose for its statuses, where its receipts go back when the interface
 * fixes that, and what a new account gets. The forwarding-rule validator, routing and the README
 * all follow this table. Adding an interface = its folder under src/intake + one entry here.
 */
import type { BatchSettings, BodyFormatName, Destination, InterfaceFormat, RuleDestination, RuleType } from './destination.js';
import type { Message } from './types.js';
import { INTERFACE_NAMES, type InterfaceName, type Section } from './vocabulary.js';

/** What routing knows of the account when it resolves a fixed destination. */
export interface AccountDestinations {
  status_url?: string;
  /** Batched delivery to status_url (migration 17); a message's own webhook_url is never batched. */
  status_batch?: BatchSettings;
}

export interface InterfaceDeclaration {
  /** One line for documentation and error messages. */
  readonly description: string;
  /** The sections it sends on, each with the rule types an account may pick there. */
  readonly allowed: Readonly<Partial<Record<Section, readonly RuleType[]>>>;
  /** The destination the interface fixes for a message's receipts; absent = it fixes none. */
  readonly fixedDestination?: (message: Message, account: AccountDestinations) => Destination | undefined;
  /** The rule of an account that never configured this interface. */
  readonly defaultRule: RuleDestination;
  /**
   * The formats an `interface` rule may name for it, each with how its receipts are rendered;
   * absent = `json` and `xml` as they are (the Messages API webhook).
   */
  readonly receiptFormats?: ReceiptFormats;
}

type ReceiptFormats = Readonly<Partial<Record<InterfaceFormat, BodyFormatName>>>;

const PLAIN_FORMATS: ReceiptFormats = Object.freeze({ json: 'json', xml: 'xml' });
/** The websms delivery report, as JSON or its XML form (dispatch/formats/websms.ts). */
const WEBSMS_REPORTS: ReceiptFormats = Object.freeze({ json: 'websms_json', xml: 'websms_xml' });
/**
 * The SMPP delivery receipt (deliver_sm, intake/smpp/sender.ts): `receipt` is the standard one;
 * `json` adds the JSON callback in the message_payload TLV for customers who want every field.
 */
const SMPP_RECEIPTS: ReceiptFormats = Object.freeze({ receipt: 'smpp_receipt', json: 'smpp_json' });

const CHOSEN: readonly RuleType[] = Object.freeze(['url', 'email', 'sqs', 'none']);
const FIXED: readonly RuleType[] = Object.freeze(['interface', 'none']);
const NONE: RuleDestination = Object.freeze({ type: 'none' });
/** Receipts asked for through an interface arrive without configuring anything. */
const BACK_THROUGH_INTERFACE: RuleDestination = Object.freeze({ type: 'interface', format: 'json' });

/** The destination the interface recorded on the message when it accepted it. */
const recordedReturn = (message: Message): Destination | undefined => message.return_to;

export const INTERFACES: Readonly<Record<InterfaceName, InterfaceDeclaration>> = Object.freeze({
  suite: {
    description: 'the Messaging Suite web app; it shows every status and forwards where the account chooses',
    allowed: { sms: CHOSEN, ott: CHOSEN },
    defaultRule: NONE,
  },
  api: {
    description: "the REST Messages API; receipts go to the message's webhook_url, else the account's status_url",
    // OTT through the API may also use the suite's destinations; `interface` keeps the public
    // Messages API behaviour (the message's webhook_url).
    allowed: { sms: FIXED, ott: [...CHOSEN, 'interface'] },
    fixedDestination: (message, account) => {
      if (message.webhook_url) return { type: 'url', url: message.webhook_url };
      if (!account.status_url) return undefined;
      return { type: 'url', url: account.status_url, ...(account.status_batch ? { batch: account.status_batch } : {}) };
    },
    defaultRule: BACK_THROUGH_INTERFACE,
  },
  email: {
    description: "the e-mail interface; receipts are mailed to the sender's address",
    allowed: { sms: FIXED, ott: FIXED },
    fixedDestination: recordedReturn,
    defaultRule: BACK_THROUGH_INTERFACE,
  },
  smpp: {
    description: "the SMPP server; receipts go as deliver_sm on the customer's session",
    allowed: { sms: FIXED },
    fixedDestination: recordedReturn,
    defaultRule: Object.freeze({ type: 'interface', format: 'receipt' }),
    receiptFormats: SMPP_RECEIPTS,
  },
  outlook: {
    description: "the Outlook add-in (through the e-mail interface); receipts are mailed to the sender's address",
    allowed: { sms: FIXED },
    fixedDestination: recordedReturn,
    defaultRule: BACK_THROUGH_INTERFACE,
  },
  legacy_xml: {
    description: 'the legacy XML interface; receipts go to the notification URL given with the message',
    allowed: { sms: FIXED },
    fixedDestination: recordedReturn,
    // Its customers speak XML: their receipts default to the websms report's XML form.
    defaultRule: Object.freeze({ type: 'interface', format: 'xml' }),
    receiptFormats: WEBSMS_REPORTS,
  },
  websms: {
    description: "the websms REST API; websms delivery reports go to the message's notificationCallbackUrl, else the account's status_url",
    allowed: { sms: FIXED },
    fixedDestination: (message, account) => message.return_to ?? (account.status_url ? { type: 'url', url: account.status_url } : undefined),
    defaultRule: BACK_THROUGH_INTERFACE,
    receiptFormats: WEBSMS_REPORTS,
  },
});

/** The formats an `interface` rule may name for interface `name`. */
export function interfaceFormats(name: InterfaceName): InterfaceFormat[] {
  return Object.keys(INTERFACES[name].receiptFormats ?? PLAIN_FORMATS) as InterfaceFormat[];
}

/** The body format of a delivery through `rule` for a message of `name` (see receiptFormats). */
export function deliveryFormat(name: InterfaceName, rule: Exclude<RuleDestination, { type: 'none' }>): BodyFormatName {
  if (rule.type !== 'interface') return rule.format;
  const formats = INTERFACES[name].receiptFormats ?? PLAIN_FORMATS;
  // The validator admits only declared formats; a document saved before an interface changed
  // its formats gets the interface's first one rather than no receipt.
  return formats[rule.format] ?? Object.values(formats)[0]!;
}

/** The interfaces that send on a section, in registry order. */
export function interfacesOn(section: Section): InterfaceName[] {
  return INTERFACE_NAMES.filter((name) => INTERFACES[name].allowed[section] !== undefined);
}
