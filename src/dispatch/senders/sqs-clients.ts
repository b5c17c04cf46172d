/**
 * SQS clients, one per identity a request is signed with: the service's own (for accounts in
 * SQS_SHARED_IDENTITY_ACCOUNTS), a destination's access keys, or a destination's role assumed
 * for one account (ExternalId = the account id). Accounts never share a signing identity unless
 * they gave the same keys. The clients live in a bounded cache; an evicted one is destroyed only
 * once no request of its own is in flight.
 */
import { createHash } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { isAccessKeys, type SqsCredentials } from '../../model/destination.js';
import type { SqsConfig } from './options.js';

export interface SqsClientsOptions {
  sqs: SqsConfig;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** Most clients kept at once (default 100). */
  maxClients?: number;
  now?: () => number;
}

export interface SqsClients {
  /** Runs `work` with the client for this identity; `credentials` undefined = the service's own. */
  use<T>(identity: { accountId: string; credentials?: SqsCredentials; region: string }, work: (client: SQSClient) => Promise<T>): Promise<T>;
  close(): void;
}

/** Temporary credentials of an assumed role, as the SDK takes them. */
interface AssumedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Assumed credentials are renewed this long before they expire (AssumeRole gives one hour). */
const RENEW_BEFORE_MS = 5 * 60_000;
const SESSION_NAME = 'statusrelay';

export function createSqsClients(options: SqsClientsOptions): SqsClients {
  const { sqs } = options;
  const maxClients = options.maxClients ?? 100;
  const now = options.now ?? Date.now;
  const requestHandler = { connectionTimeout: options.connectTimeoutMs, requestTimeout: options.responseTimeoutMs };
  /** The service's own identity: the configured keys, else the SDK's default chain. */
  const ownCredentials = sqs.accessKeyId && sqs.secretAccessKey ? { accessKeyId: sqs.accessKeyId, secretAccessKey: sqs.secretAccessKey } : undefined;
  /** Least recently used first (Map keeps insertion order; a used entry is moved to the end). */
  const clients = new Map<string, { client: SQSClient; inFlight: number }>();
  const stsClients = new Map<string, STSClient>();

  function stsFor(region: string): STSClient {
    let sts = stsClients.get(region);
    if (!sts) {
      sts = new STSClient({
        region,
        ...(sqs.stsEndpoint ? { endpoint: sqs.stsEndpoint } : {}),
        ...(ownCredentials ? { credentials: ownCredentials } : {}),
        maxAttempts: 1,
        requestHandler,
      });
      stsClients.set(region, sts);
    }
    return sts;
  }

  /** Credentials of `roleArn` for one account, assumed once and kept until shortly before they expire. */
  function assumedRole(roleArn: string, accountId: string, region: string): () => Promise<AssumedCredentials> {
    let current: AssumedCredentials | undefined;
    let pending: Promise<AssumedCredentials> | undefined;
    const assume = async (): Promise<AssumedCredentials> => {
      try {
        const answer = await stsFor(region).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME, ExternalId: accountId }));
        const given = answer.Credentials;
        if (!given?.AccessKeyId || !given.SecretAccessKey) throw new Error('the answer holds no credentials');
        current = {
          accessKeyId: given.AccessKeyId,
          secretAccessKey: given.SecretAccessKey,
          ...(given.SessionToken ? { sessionToken: given.SessionToken } : {}),
          ...(given.Expiration ? { expiration: given.Expiration } : {}),
        };
        return current;
      } catch (error) {
        // Said in the attempt log: the role, not the queue, refused.
        if (error instanceof Error) error.message = `AssumeRole ${roleArn} failed: ${error.message}`;
        throw error;
      } finally {
        pending = undefined;
      }
    };
    return async () => {
      const fresh = current && (!current.expiration || current.expiration.getTime() - RENEW_BEFORE_MS > now());
      if (fresh) return current!;
      return (pending ??= assume());
    };
  }

  function keyOf(accountId: string, credentials: SqsCredentials | undefined, region: string): string {
    if (!credentials) return `shared ${region}`;
    if (isAccessKeys(credentials)) {
      const secret = createHash('sha256').update(credentials.secret_access_key).digest('hex');
      return `keys ${region} ${credentials.access_key_id} ${secret}`;
    }
    return `role ${region} ${credentials.role_arn} ${accountId}`;
  }

  function create(accountId: string, credentials: SqsCredentials | undefined, region: string): SQSClient {
    const signing = !credentials
      ? ownCredentials
      : isAccessKeys(credentials)
        ? { accessKeyId: credentials.access_key_id, secretAccessKey: credentials.secret_access_key }
        : assumedRole(credentials.role_arn, accountId, region);
    return new SQSClient({
      region,
      ...(sqs.endpoint ? { endpoint: sqs.endpoint } : {}),
      ...(signing ? { credentials: signing } : {}),
      // Dispatch owns the retry schedule and the attempt log; the SDK tries once.
      maxAttempts: 1,
      requestHandler,
    });
  }

  function evictIdle(): void {
    for (const [key, entry] of clients) {
      if (clients.size <= maxClients) return;
      if (entry.inFlight > 0) continue;
      clients.delete(key);
      entry.client.destroy();
    }
  }

  return {
    async use({ accountId, credentials, region }, work) {
      const key = keyOf(accountId, credentials, region);
      const entry = clients.get(key) ?? { client: create(accountId, credentials, region), inFlight: 0 };
      clients.delete(key);
      clients.set(key, entry);
      entry.inFlight += 1;
      try {
        return await work(entry.client);
      } finally {
        entry.inFlight -= 1;
        evictIdle();
      }
    },
    close() {
      for (const { client } of clients.values()) client.destroy();
      for (const sts of stsClients.values()) sts.destroy();
      clients.clear();
      stsClients.clear();
    },
  };
}
