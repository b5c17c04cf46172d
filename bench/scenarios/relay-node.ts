/**
 * One statusrelay node of a multi-node benchmark, run as a child process (bench/scenarios/postgres.ts
 * forks one per node) so each node has its own event loop, as in production. It is driven over
 * IPC: `init` starts the relay and stores this node's share of the messages, `report` records
 * one status for all of them (a window at a time, each awaiting its commit, as a connector
 * does), `pace` records at a fixed rate, `stop` stops gracefully. It answers with the time each
 * report was handed to the relay, by "message_uuid/status".
 */
import { loadConfig } from '../../src/config.js';
import { createRelay, type Relay } from '../../src/relay.js';
import type { Message } from '../../src/model/types.js';
import type { Status } from '../../src/model/vocabulary.js';
import { wallClock } from '../lib.js';
import { benchMessage } from './http-callbacks.js';

export type NodeCommand =
  | { type: 'init'; accountId: string; webhookUrl: string; count: number }
  | { type: 'report'; status: Status; window: number }
  | { type: 'pace'; status: Status; count: number; perSecond: number }
  | { type: 'stop' };

let relay: Relay | undefined;
let messages: Message[] = [];

function reply(message: object): void {
  process.send!(message);
}

async function handle(command: NodeCommand): Promise<void> {
  if (command.type === 'init') {
    relay = await createRelay(loadConfig());
    await relay.start();
    messages = Array.from({ length: command.count }, () => benchMessage(command.accountId, command.webhookUrl, Date.now()));
    for (let i = 0; i < messages.length; i += 1_000) await relay.store.insertMessages(messages.slice(i, i + 1_000));
    return reply({ type: 'ready' });
  }
  if (command.type === 'stop') {
    await relay?.stop();
    return reply({ type: 'stopped' });
  }
  const reportedAt: Array<[string, number]> = [];
  const report = (message: Message) => {
    reportedAt.push([`${message.uuid}/${command.status}`, wallClock()]);
    return relay!.recorder.record({ message_uuid: message.uuid, status: command.status, occurred_at: Date.now(), source: 'bench' });
  };
  if (command.type === 'report') {
    for (let i = 0; i < messages.length; i += command.window) await Promise.all(messages.slice(i, i + command.window).map(report));
  } else {
    // Paced in 10 ms ticks, so latency is measured below saturation.
    const perTick = Math.max(1, Math.round(command.perSecond / 100));
    const started = wallClock();
    const pending: Promise<unknown>[] = [];
    const paced = messages.slice(0, command.count);
    for (let i = 0; i < paced.length; i += perTick) {
      pending.push(...paced.slice(i, i + perTick).map(report));
      const due = started + ((i + perTick) / perTick) * 10;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - wallClock())));
    }
    await Promise.all(pending);
  }
  reply({ type: 'reported', reportedAt });
}

process.on('message', (command: NodeCommand) => {
  handle(command).then(
    () => {
      if (command.type === 'stop') process.disconnect();
    },
    (error) => {
      reply({ type: 'error', message: String(error?.stack ?? error) });
    },
  );
});
