import type { RawStore } from '../store.js';
import type { SqliteSynchronous } from '../options.js';
import { migrate, openDatabase } from './database.js';
import { accountQueries } from './accounts.js';
import { messageQueries } from './messages.js';
import { outboxQueries } from './outbox.js';
import { transitionQuery } from './transition.js';
import { providerPartQueries } from './provider-parts.js';
import { accessTokenQueries } from './access-tokens.js';
import { createWalSync } from './wal-sync.js';
import { smppQueries } from './smpp.js';
import { retentionQueries } from './retention.js';
import { suiteQueries } from './suite.js';

/**
 * The embedded store. better-sqlite3 is synchronous, so every method finishes its
 * transaction before it returns; the async signatures only match the Store interface.
 */
export function openSqliteStore(file: string, synchronous: SqliteSynchronous = 'full'): RawStore {
  const db = openDatabase(file, synchronous);
  let queries: ReturnType<typeof build> | undefined;
  const build = () => ({
    ...accountQueries(db),
    ...messageQueries(db),
    ...outboxQueries(db),
    ...providerPartQueries(db),
    ...accessTokenQueries(db),
    ...smppQueries(db),
    ...retentionQueries(db),
    ...suiteQueries(db),
    transition: transitionQuery(db),
  });
  // Statements can only be prepared once the tables exist, so queries are built after migrate().
  const q = () => (queries ??= build());
  // Under `full`, commits flush the WAL on the thread pool, not inside SQLite (wal-sync.ts).
  const walSync = synchronous === 'full' && file !== ':memory:' ? createWalSync(`${file}-wal`) : undefined;
  if (walSync) db.pragma('synchronous = NORMAL');
  /** A write somebody is told about (a 202, a report's 200, a setting saved): resolved once it is on disk. */
  const durable = async <T>(work: () => T): Promise<T> => {
    const result = work();
    await walSync?.sync();
    return result;
  };
  /**
   * Dispatch's own bookkeeping (claims, attempt outcomes) acknowledges nothing to anybody: lost
   * to a power cut, a claim's lease runs out and the callback is sent again under the same
   * webhook-id, which receivers can detect. So it does not wait for a flush; the next
   * acknowledging commit flushes it with its own. A claim waits for the flushes already asked
   * for, though: a callback must not go out for a status change that is not yet on disk.
   */
  const afterFlushes = async <T>(work: () => T): Promise<T> => {
    await walSync?.settled();
    return work();
  };

  return {
    kind: 'sqlite',
    async migrate() {
      migrate(db);
      q();
    },
    async close() {
      await walSync?.close();
      db.close();
    },
    createAccount: (account) => durable(() => q().createAccount(account)),
    findAccountByApiKey: async (apiKey) => q().findAccountByApiKey(apiKey),
    getAccount: async (id) => q().getAccount(id),
    updateAccount: (id, patch) => durable(() => q().updateAccount(id, patch)),
    rotateSignatureSecret: (id, next, until) => durable(() => q().rotateSignatureSecret(id, next, until)),
    rewriteSecrets: (rewrite) => durable(() => q().rewriteSecrets(rewrite)),
    rewriteSqsSecrets: (rewrite) => durable(() => q().rewriteSqsSecrets(rewrite)),
    listSqsCredentials: async (accountId) => q().listSqsCredentials(accountId),
    findSqsCredentials: async (accountId, queueUrl) => q().findSqsCredentials(accountId, queueUrl),
    listEmailSenderAccounts: async () => q().listEmailSenderAccounts(),
    createAccessToken: (token) => durable(() => q().createAccessToken(token)),
    findAccountByAccessToken: async (hash) => q().findAccountByAccessToken(hash),
    listAccessTokens: async (accountId) => q().listAccessTokens(accountId),
    revokeAccessToken: (accountId, id, now) => durable(() => q().revokeAccessToken(accountId, id, now)),
    insertMessages: (messages, extras) => durable(() => q().insertMessages(messages, extras)),
    getMedia: async (id) => q().getMedia(id),
    purge: (cutoffs) => durable(() => q().purge(cutoffs)),
    findIdempotencyKey: async (accountId, key, notBefore) => q().findIdempotencyKey(accountId, key, notBefore),
    getMessage: async (uuid) => q().getMessage(uuid),
    setProviderRef: (uuid, ref) => durable(() => q().setProviderRef(uuid, ref)),
    findByProviderRef: async (ref) => q().findByProviderRef(ref),
    listOpen: async (limit, after) => q().listOpen(limit, after),
    saveMessageParts: (parts) => durable(() => q().saveMessageParts(parts)),
    listMessageParts: async (uuid) => q().listMessageParts(uuid),
    findMessagePart: async (ref) => q().findMessagePart(ref),
    findMessagePartByRefKey: async (key) => q().findMessagePartByRefKey(key),
    parkReport: (report) => durable(() => q().parkReport(report)),
    listParkedReports: async (limit) => q().listParkedReports(limit),
    takeParkedReports: (query, now) => durable(() => q().takeParkedReports(query, now)),
    listExpired: async (now, limit) => q().listExpired(now, limit),
    transition: (uuids, decide) => durable(() => q().transition(uuids, decide)),
    listEvents: async (uuid) => q().listEvents(uuid),
    listCallbacks: async (uuid) => q().listCallbacks(uuid),
    getCallback: async (id) => q().getCallback(id),
    claimDueCallbacks: (options) => afterFlushes(() => q().claimDueCallbacks(options)),
    recordAttempts: async (results) => q().recordAttempts(results),
    replayCallback: (id, accountId, now) => durable(() => q().replayCallback(id, accountId, now)),
    replayDeadLetters: (accountId, since, now) => durable(() => q().replayDeadLetters(accountId, since, now)),
    releaseWaiting: async (now) => q().releaseWaiting(now),
    returnClaims: async (ids, leaseToken, now) => q().returnClaims(ids, leaseToken, now),
    outboxDepth: async () => q().outboxDepth(),
    nextDueAt: async () => q().nextDueAt(),
    saveSmppCredential: (credential) => durable(() => q().saveSmppCredential(credential)),
    findSmppCredential: async (systemId) => q().findSmppCredential(systemId),
    getSmppCredentialOfAccount: async (accountId) => q().getSmppCredentialOfAccount(accountId),
    hurryDestination: async (key, now) => q().hurryDestination(key, now),
    claimSmppSession: (lease, max, now) => durable(() => q().claimSmppSession(lease, max, now)),
    renewSmppSessions: (ids, expiresAt) => durable(() => q().renewSmppSessions(ids, expiresAt)),
    releaseSmppSession: (id) => durable(() => q().releaseSmppSession(id)),
    createSuiteUser: (user) => durable(() => q().createSuiteUser(user)),
    findSuiteUserByEmail: async (email) => q().findSuiteUserByEmail(email),
    setSuiteUserPassword: (userId, hash, mustChange, now, keepSession) => durable(() => q().setSuiteUserPassword(userId, hash, mustChange, now, keepSession)),
    createSuiteSession: (session) => durable(() => q().createSuiteSession(session)),
    findSuiteSession: async (tokenHash, now) => q().findSuiteSession(tokenHash, now),
    deleteSuiteSession: (tokenHash) => durable(() => q().deleteSuiteSession(tokenHash)),
    listAccountMessages: async (accountId, filter, limit) => q().listAccountMessages(accountId, filter, limit),
    listAccountMessagesByUuid: async (accountId, uuids) => q().listAccountMessagesByUuid(accountId, uuids),
    listStatusTimes: async (uuids) => q().listStatusTimes(uuids),
    accountStats: async (accountId, since) => q().accountStats(accountId, since),
    listDeadLetters: async (accountId, limit) => q().listDeadLetters(accountId, limit),
  };
}
