/**
 * Stand-ins for HTTP providers on 127.0.0.1: an API that records what the relay sent and
 * answers as the test says, a relay wired to it, and signers for the webhooks those providers
 * send back.
 */
import http from 'node:http';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { listenHttp } from './http.js';
import { startReceiver, startRelay, waitFor, type Receiver, type RunningRelay } from './relay.js';
import { sendMessage } from './forwarding.js';

export interface ProviderRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  json: any;
}

export interface StandIn {
  baseUrl: string;
  requests: ProviderRequest[];
  close(): Promise<void>;
}

export type StandInAnswer = { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number };

export async function startStandIn(answer: (request: ProviderRequest, index: number) => StandInAnswer): Promise<StandIn> {
  const requests: ProviderRequest[] = [];
  const peer = await listenHttp((req, text, res) => {
    const request: ProviderRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, json: text ? JSON.parse(text) : undefined };
    requests.push(request);
    const { status, body, headers, delayMs } = answer(request, requests.length - 1);
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    }, delayMs ?? 0);
  });
  return { baseUrl: peer.baseUrl, requests, close: peer.close };
}

export interface ProviderRig {
  provider: StandIn;
  relay: RunningRelay;
  receiver: Receiver;
  /** Sends a message (the rig's defaults, then `body`) through the REST API; resolves with its uuid. */
  send(body?: Record<string, unknown>): Promise<string>;
  /** What the receiver got for one message. */
  callbacks(uuid: string): any[];
  /** The provider's id for the message, once the relay has stored it. */
  providerRef(uuid: string): Promise<string>;
}

/**
 * A stand-in provider API, a receiver, and a relay whose `env` points at the stand-in's base
 * URL; `open` closes them after the file's tests (helpers/cleanup.ts).
 */
export async function startProviderRig(options: {
  answer: (request: ProviderRequest, index: number) => StandInAnswer;
  env: (baseUrl: string) => Record<string, string>;
  message: Record<string, unknown>;
  open: { push(...closers: Array<() => Promise<void>>): void };
}): Promise<ProviderRig> {
  const provider = await startStandIn(options.answer);
  const receiver = await startReceiver();
  const relay = await startRelay(options.env(provider.baseUrl));
  options.open.push(() => provider.close(), () => receiver.close(), () => relay.stop());
  const storedRef = async (uuid: string) => (await relay.relay.store.getMessage(uuid))?.provider_ref;
  return {
    provider,
    relay,
    receiver,
    send: (body = {}) => sendMessage(relay, { ...options.message, webhook_url: receiver.url, ...body }),
    callbacks: (uuid) => receiver.received.map((callback) => callback.json).filter((json) => json.message_uuid === uuid),
    async providerRef(uuid) {
      await waitFor(async () => (await storedRef(uuid)) !== undefined, 5_000, 'provider ref');
      return (await storedRef(uuid))!;
    },
  };
}

/** A Cloud API status webhook body with the given statuses. */
export function whatsappStatuses(...statuses: Array<Record<string, unknown>>) {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: 'WABA-1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', statuses } }] }],
  };
}

export function hubSignature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The Authorization header an upstream Messages API signs its callbacks with. */
export function upstreamAuthorization(body: string, secret: string, overrides: Record<string, unknown> = {}): string {
  const sign = createSigner({ key: secret, algorithm: 'HS256' });
  const token = sign({
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    iss: 'Vonage',
    api_key: 'upstream-key',
    application_id: 'upstream-app',
    payload_hash: createHash('sha256').update(body).digest('hex'),
    ...overrides,
  });
  return `Bearer ${token}`;
}

/** POSTs a body with headers to the relay; answers status and parsed body. */
export async function post(url: string, body: string, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json, contentType: response.headers.get('content-type') };
}
