/** What a customer should receive for a simulated message: the plan run through the state machine. */
import { planReports } from '../../src/carriage/simulator/plan.js';
import { applyReport } from '../../src/lifecycle/state-machine.js';
import type { Message } from '../../src/model/types.js';
import type { Status } from '../../src/model/vocabulary.js';

export function expectedStatuses(uuid: string, content: { channel: string; text: string }, seed: number): Status[] {
  let message = {
    uuid, channel: content.channel, text: content.text, message_type: 'text', to: '1', from: '1', account_id: 'a',
    interface: 'api', state: 'accepted', seen: [], failover: [], created_at: 0, updated_at: 0,
  } as unknown as Message;
  const forwarded: Status[] = [];
  for (const step of planReports(message, seed)) {
    const outcome = applyReport(message, { message_uuid: uuid, status: step.status, occurred_at: step.afterMs, source: 'plan' }, 0);
    if (outcome.kind !== 'changed') continue;
    message = outcome.message;
    forwarded.push(...outcome.events.filter((event) => event.forwarded).map((event) => event.status));
  }
  return forwarded;
}
