/**
 * A real SQS peer on 127.0.0.1: fauxqs 1.9.2 (2.x needs Node 22), spoken to with the real SDK.
 * It accepts any credentials; it counts the API actions it was asked for, so a test can see
 * how sends were batched.
 */
import type { AddressInfo } from 'node:net';
import { buildApp } from 'fauxqs';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';

export const SQS_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
export const SQS_REGION = 'eu-central-1';

export interface SqsPeer {
  endpoint: string;
  client: SQSClient;
  /** How many requests of each action (`SendMessageBatch`, ...) arrived. */
  actions: Map<string, number>;
  createQueue(name: string, attributes?: Record<string, string>): Promise<string>;
  /** Receives and deletes until the queue is empty, in the order the queue hands messages out. */
  drain(queueUrl: string): Promise<Message[]>;
  /** Relay settings that point the SQS sender here. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

export async function startSqsPeer(): Promise<SqsPeer> {
  const app = buildApp({ logger: false, defaultRegion: SQS_REGION });
  const actions = new Map<string, number>();
  app.addHook('onRequest', async (request) => {
    const action = String(request.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
    actions.set(action, (actions.get(action) ?? 0) + 1);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const client = new SQSClient({ region: SQS_REGION, endpoint, credentials: SQS_CREDENTIALS });

  return {
    endpoint,
    client,
    actions,
    async createQueue(name, attributes = {}) {
      const fifo = name.endsWith('.fifo') ? { FifoQueue: 'true' } : {};
      const answer = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: { ...fifo, ...attributes } }));
      return answer.QueueUrl!;
    },
    async drain(queueUrl) {
      const all: Message[] = [];
      for (;;) {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
        );
        if (Messages.length === 0) return all;
        for (const message of Messages) {
          all.push(message);
          await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        }
      }
    },
    env: () => ({
      SQS_ENDPOINT: endpoint,
      SQS_REGION,
      SQS_ACCESS_KEY_ID: SQS_CREDENTIALS.accessKeyId,
      SQS_SECRET_ACCESS_KEY: SQS_CREDENTIALS.secretAccessKey,
    }),
    async close() {
      client.destroy();
      await app.close();
    },
  };
}
