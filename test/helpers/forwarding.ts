/**
 * Driving status changes by hand: the relay's simulator is slowed down a thousandfold (its first
 * report would come after 50 s), and the test records each provider report itself.
 */
import assert from 'node:assert/strict';
import type { Status } from '../../src/model/vocabulary.js';
import type { ReportDetails } from '../../src/model/types.js';
import { waitFor, type RunningRelay } from './relay.js';
import { textMessage } from './fixtures.js';

export const SILENT_SIMULATOR = { SIMULATOR_TIME_SCALE: '1000' };

/** PUTs a forwarding document and fails the test unless it was accepted. */
export async function setRules(running: RunningRelay, rules: object): Promise<void> {
  const answer = await running.api('PUT', '/v1/forwarding', rules);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
}

/** Sends a message through the REST API; resolves with its uuid. */
export async function sendMessage(running: RunningRelay, overrides: Record<string, unknown> = {}): Promise<string> {
  const answer = await running.api('POST', '/v1/messages', textMessage(overrides));
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  return answer.body.message_uuid as string;
}

/** Records one provider report, as a connector would; resolves with what the lifecycle made of it. */
export function record(running: RunningRelay, uuid: string, status: Status, details: ReportDetails = {}) {
  return running.relay.recorder.record({ ...details, message_uuid: uuid, status, occurred_at: Date.now(), source: 'test' });
}

/** Records provider reports for one message, one after the other; fails unless each changed it. */
export async function report(running: RunningRelay, uuid: string, statuses: Status[], details: ReportDetails = {}): Promise<void> {
  for (const status of statuses) {
    const result = await record(running, uuid, status, details);
    assert.equal(result.verdict, 'changed', `${status}: ${JSON.stringify(result)}`);
  }
}

/** The message's callbacks as the API shows them, once `done` says they are where the test wants them. */
export async function callbacksOf(
  running: RunningRelay,
  uuid: string,
  done: (callbacks: any[]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<any[]> {
  let callbacks: any[] = [];
  try {
    await waitFor(async () => {
      callbacks = (await running.api('GET', `/v1/messages/${uuid}/callbacks`)).body.callbacks;
      return done(callbacks);
    }, timeoutMs, `callbacks of ${uuid}`);
  } catch (error) {
    const seen = callbacks.map((c) => [c.status, c.state, c.attempts, c.last_error]);
    throw new Error(`${(error as Error).message}; last seen ${JSON.stringify(seen)}`);
  }
  return callbacks;
}

/** True when every callback has left the outbox (delivered, failed or dead). */
export const allFinished = (count: number) => (callbacks: any[]) =>
  callbacks.length === count && callbacks.every((c) => c.state !== 'pending' && c.state !== 'inflight');
