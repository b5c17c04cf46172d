/**
 * A real SQS peer on 127.0.0.1: fauxqs 1.9.2 (2.x needs Node 22), spoken to with the real SDK.
 * It accepts any credentials; it counts the API actions it was asked for, so a test can see
 * how sends were batched.
 */
import type { AddressInfo } from 'node:net';
import { listenHttp, type HttpPeer } from './http.js';
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

/** One request the signing recorder passed on: who signed it, for which action. */
export interface SignedRequest {
  /** The access key id of `Authorization: AWS4-HMAC-SHA256 Credential=<key id>/...`. */
  accessKeyId: string;
  sessionToken?: string;
  action: string;
}

/**
 * An SQS endpoint on 127.0.0.1 that records who signed each request and passes it on to
 * `target` (fauxqs, which checks no signature): point SQS_ENDPOINT here.
 */
export async function startSigningRecorder(target: string): Promise<HttpPeer & { requests: SignedRequest[] }> {
  const requests: SignedRequest[] = [];
  const peer = await listenHttp((request, body, response) => {
    const authorization = String(request.headers.authorization ?? '');
    requests.push({
      accessKeyId: /Credential=([^/]+)\//.exec(authorization)?.[1] ?? '',
      ...(request.headers['x-amz-security-token'] ? { sessionToken: String(request.headers['x-amz-security-token']) } : {}),
      action: String(request.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, ''),
    });
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)) as Array<[string, string]>,
    );
    fetch(target + request.url, { method: request.method!, headers, ...(body ? { body } : {}) }).then(
      async (answer) => {
        response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        response.end(await answer.text());
      },
      () => response.writeHead(502).end(),
    );
  });
  return { ...peer, requests };
}

/** Temporary credentials the STS stand-in hands out for every role. */
export const ASSUMED = { accessKeyId: 'ASIAASSUMEDROLE00001', secretAccessKey: 'assumed-secret-0000000000', sessionToken: 'assumed-session-token' };

/**
 * STS on 127.0.0.1 (set STS_ENDPOINT here): answers AssumeRole with ASSUMED, valid for an hour,
 * and records the form parameters of each call (RoleArn, ExternalId, RoleSessionName).
 */
export async function startStsStandIn(): Promise<HttpPeer & { calls: Array<Record<string, string>> }> {
  const calls: Array<Record<string, string>> = [];
  const peer = await listenHttp((_request, body, response) => {
    const params = Object.fromEntries(new URLSearchParams(body));
    calls.push(params);
    const expiration = new Date(Date.now() + 3_600_000).toISOString();
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>${ASSUMED.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${ASSUMED.secretAccessKey}</SecretAccessKey>
      <SessionToken>${ASSUMED.sessionToken}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROAEXAMPLE:${params.RoleSessionName}</AssumedRoleId>
      <Arn>${params.RoleArn}</Arn>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata>
</AssumeRoleResponse>`);
  });
  return { ...peer, calls };
}
