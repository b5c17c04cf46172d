/**
 * The accept port: every customer interface turns its protocol into one `AcceptRequest` and hands
 * it here. The message (with its failover items) is stored, then handed on through `onAccepted`,
 * which the composition root wires to carriage; interfaces never see carriage themselves.
 */
import type { Message, MessageContent } from '../model/types.js';
import type { Destination } from '../model/destination.js';
import type { InterfaceName } from '../model/vocabulary.js';
import { expiresAt } from '../model/message.js';
import { IDEMPOTENCY_WINDOW_MS, type IdempotencyKey, type Media, type NewMessageExtras, type Store } from '../store/store.js';
import type { Metrics } from '../ops/metrics.js';

export interface AcceptRequest {
  account_id: string;
  interface: InterfaceName;
  first: MessageContent;
  failover: MessageContent[];
  /** Where receipts go back, for interfaces that fix it per message (see model/interfaces.ts). */
  return_to?: Destination;
  /** The receipts the sender asked for, where the interface lets them choose. */
  receipt_request?: Message['receipt_request'];
  /** Exactly the statuses to forward, where the interface decides per message (model/types.ts). */
  receipt_statuses?: Message['receipt_statuses'];
  /** The id the message had in the customer's protocol (a mail's Message-ID). */
  origin_message_id?: string;
  /** The message's id, where the interface names it (websms: the transfer's first message); else a new one. */
  uuid?: string;
  /** The interface's id of the request (websms transferId), kept on the message. */
  transfer_id?: string;
  /** The client's Idempotency-Key and the hash of its request (REST API). */
  idempotency?: Pick<IdempotencyKey, 'key' | 'request_hash'>;
}


export interface AcceptDeps {
  store: Store;
  metrics: Metrics;
  now: () => number;
  newId: () => string;
  /** Called once the message is durably stored. */
  onAccepted: (message: Message) => void;
}

/** Resolves once the message is durably stored; the answer names it (and its workflow). */
export type AcceptPort = (request: AcceptRequest) => Promise<Message>;

/**
 * Several messages that must be stored together or not at all (one e-mail to several
 * recipients), with the media they link to: one transaction, then each is handed on. Resolves
 * once all are durable.
 */
export type AcceptManyPort = (requests: AcceptRequest[], media?: Media[]) => Promise<Message[]>;

/** One message through the many-port: it shares the group commit with everything else arriving. */
export function createAcceptPort(many: AcceptManyPort): AcceptPort {
  return async (request) => (await many([request]))[0]!;
}

/** Most requests (e-mails, API calls, …) stored in one transaction. */
const MAX_GROUP = 256;

interface Pending {
  messages: Message[];
  extras: NewMessageExtras;
  resolve: (messages: Message[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: everything accepted in the same tick is stored in one transaction (one fsync),
 * and each caller's promise resolves only after that commit, so an interface still answers
 * only once its messages are durable. A batch that fails is retried item by item, so one
 * request's refusal (a taken Idempotency-Key, say) never fails the others.
 */
export function createAcceptManyPort(deps: AcceptDeps): AcceptManyPort {
  const queue: Pending[] = [];
  let flushing: Promise<void> | undefined;

  function accepted(pending: Pending): void {
    for (const message of pending.messages) {
      deps.metrics.messagesAccepted.inc({ channel: message.channel, interface: message.interface });
      deps.onAccepted(message);
    }
    pending.resolve(pending.messages);
  }

  async function commit(batch: Pending[]): Promise<void> {
    try {
      await deps.store.insertMessages(batch.flatMap((pending) => pending.messages), mergedExtras(batch));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      for (const pending of batch) await commit([pending]);
      return;
    }
    batch.forEach(accepted);
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) await commit(queue.splice(0, MAX_GROUP));
    flushing = undefined;
  }

  return (requests, media) => {
    const now = deps.now();
    const messages = requests.map((request) => newMessage(request, now, deps.newId));
    const keys = requests.flatMap((request, i) =>
      request.idempotency ? [{ ...request.idempotency, account_id: request.account_id, message_uuid: messages[i]!.uuid, created_at: now }] : [],
    );
    const extras: NewMessageExtras = {
      ...(media ? { media } : {}),
      ...(keys.length > 0 ? { idempotency: { keys, expired_before: now - IDEMPOTENCY_WINDOW_MS } } : {}),
    };
    return new Promise((resolve, reject) => {
      queue.push({ messages, extras, resolve, reject });
      flushing ??= new Promise((done) => setImmediate(done)).then(drain);
    });
  };
}

function mergedExtras(batch: Pending[]): NewMessageExtras {
  const media = batch.flatMap((pending) => pending.extras.media ?? []);
  const keyed = batch.flatMap((pending) => (pending.extras.idempotency ? [pending.extras.idempotency] : []));
  return {
    ...(media.length > 0 ? { media } : {}),
    ...(keyed.length > 0
      ? { idempotency: { keys: keyed.flatMap((idempotency) => idempotency.keys), expired_before: Math.min(...keyed.map((idempotency) => idempotency.expired_before)) } }
      : {}),
  };
}

/**
 * Built field by field on a copy of the content, in the order a spread would give: a spread of
 * the content into a literal that then grows made V8 build a slow object (in a micro-benchmark,
 * 18 µs to build one and write its row's JSON; 5 µs built this way).
 */
function newMessage(request: AcceptRequest, now: number, newId: () => string): Message {
  const message = Object.assign({}, request.first) as Message;
  message.uuid = request.uuid ?? newId();
  message.account_id = request.account_id;
  message.interface = request.interface;
  if (request.return_to) message.return_to = request.return_to;
  if (request.receipt_request) message.receipt_request = request.receipt_request;
  if (request.receipt_statuses) message.receipt_statuses = request.receipt_statuses;
  if (request.origin_message_id) message.origin_message_id = request.origin_message_id;
  if (request.transfer_id) message.transfer_id = request.transfer_id;
  message.state = 'accepted';
  message.seen = [];
  message.failover = request.failover;
  if (request.failover.length > 0) {
    message.workflow = { workflow_id: newId(), items_number: '1', items_total: String(request.failover.length + 1) };
  }
  message.expires_at = expiresAt(request.first, now);
  message.created_at = now;
  message.updated_at = now;
  return message;
}
