/** What a customer should receive for a simulated message: the plan run through the state machine. */
import { planReports } from '../../src/carriage/simulator/plan.js';
import { applyReport } from '../../src/lifecycle/state-machine.js';
import type { Channel, Status } from '../../src/model/vocabulary.js';
import { storedMessage } from './fixtures.js';

export function expectedStatuses(uuid: string, content: { channel: Channel; text: string }, seed: number): Status[] {
  let message = storedMessage({ uuid, channel: content.channel, text: content.text });
  const forwarded: Status[] = [];
  for (const step of planReports(message, seed)) {
    const outcome = applyReport(message, { message_uuid: uuid, status: step.status, occurred_at: step.afterMs, source: 'plan' }, 0);
    if (outcome.kind !== 'changed') continue;
    message = outcome.message;
    forwarded.push(...outcome.events.filter((event) => event.forwarded).map((event) => event.status));
  }
  return forwarded;
}
