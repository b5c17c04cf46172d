/**
 * SMS over SMPP 3.4 to one SMSC (SMSC_URL). The pieces: link.ts keeps the bind up,
 * submitter.ts hands parts over, receipt-handler.ts turns receipts into part outcomes,
 * settlement.ts turns part outcomes into the message's status.
 */
import type { Carrier } from '../carrier.js';
import type { Message } from '../../model/types.js';
import type { SmppConfig } from './options.js';
import type { ConnectorDeps } from '../deps.js';
import { createEarlyReports } from '../early-reports.js';
import { createSmppLink } from './link.js';
import { createSubmitter } from './submitter.js';
import { createSettlement } from './settlement.js';
import { createReceiptHandler } from './receipt-handler.js';
import { createPartWriter } from './part-writer.js';

export function createSmppCarrier(config: SmppConfig, deps: ConnectorDeps): Carrier & { backlog(): number } {
  const early = createEarlyReports(config.receiptHoldMs, deps.clock);
  const settlement = createSettlement(config.segmentTimeoutMs, deps);
  const savePart = createPartWriter(deps.store);
  const receipts = createReceiptHandler(deps, early, settlement, savePart, config.receiptIdType);
  const link = createSmppLink(config, { onBound: () => submitter.pump(), onDeliver: receipts.onDeliver }, deps.logger.child({ connector: 'smpp' }), deps.clock);
  const submitter = createSubmitter(config, link, deps, early, savePart, receipts.replay);
  link.start();

  /**
   * After a restart: parts with a stored SMSC id were handed over and wait for receipts (or
   * their segment timeout); parts without one are sent again with the same concatenation
   * reference, so the handset still joins them.
   */
  async function resume(message: Message): Promise<void> {
    const parts = await deps.store.listMessageParts(message.uuid);
    const known = new Map(parts.filter((p) => p.provider_ref !== undefined).map((p) => [p.part, p.provider_ref as string]));
    const total = parts[0]?.total;
    if (total === undefined || known.size < total) return submitter.enqueue(message, known);
    if (message.state === 'accepted') {
      await deps.report({ message_uuid: message.uuid, status: 'submitted', occurred_at: deps.clock.now(), source: 'smpp', sms: { count_total: String(total) } });
    }
    receipts.replay.known([...known.values()]);
    await settlement.settle(message.uuid, deps.clock.now());
  }

  return {
    name: 'smpp',
    submit: (message) => submitter.enqueue(message),
    resume: (message) => void resume(message).catch(deps.onError),
    backlog: () => submitter.backlog(),
    async stop() {
      submitter.stop();
      settlement.stop();
      early.stop();
      await link.stop();
    },
  };
}
