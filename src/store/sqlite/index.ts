import type { RawStore } from '../store.js';
import { SQLITE_DEFAULTS, type SqliteOptions } from '../options.js';
import { migrate, openDatabase } from './database.js';
import { accountQueries } from './accounts.js';
import { messageQueries } from './messages.js';
import { outboxQueries } from './outbox.js';
import { transitionQuery } from './transition.js';
import { providerPartQueries } from './provider-parts.js';
import { accessTokenQueries } from './access-tokens.js';
import { smppQueries } from './smpp.js';
import { retentionQueries } from './retention.js';
import { suiteQueries } from './suite.js';

/**
 * The embedded store. better-sqlite3 is synchronous, so every method finishes its
 * transaction before it returns; the async signatures only match the Store interface.
 */
export function openSqliteStore(file: string, options: SqliteOptions = {}): RawStore {
  const { synchronous } = { ...SQLITE_DEFAULTS, ...options };
  const db = openDatabase(file, options);
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
  /**
   * Dispatch's own bookkeeping (claims, attempt outcomes) acknowledges nothing to anybody: lost
   * to a power cut, a claim's lease runs out and the callback is sent again under the same
   * webhook-id, which receivers can detect. So it commits without its own fsync even under
   * `full`; the next acknowledging commit (intake, a provider report) fsyncs the log with it.
   */
  const unacknowledged = <T>(work: () => T): T => {
    if (synchronous !== 'full') return work();
    db.pragma('synchronous = NORMAL');
    try {
      return work();
    } finally {
      db.pragma('synchronous = FULL');
    }
  };

  return {
    kind: 'sqlite',
    async migrate() {
      migrate(db);
      q();
    },
    async close() {
      db.close();
    },
    createAccount: async (account) => q().createAccount(account),
    findAccountByApiKey: async (apiKey) => q().findAccountByApiKey(apiKey),
    getAccount: async (id) => q().getAccount(id),
    updateAccount: async (id, patch) => q().updateAccount(id, patch),
    rotateSignatureSecret: async (id, next, until) => q().rotateSignatureSecret(id, next, until),
    rewriteSecrets: async (rewrite) => q().rewriteSecrets(rewrite),
    rewriteSqsSecrets: async (rewrite) => q().rewriteSqsSecrets(rewrite),
    listSqsCredentials: async (accountId) => q().listSqsCredentials(accountId),
    findSqsCredentials: async (accountId, queueUrl) => q().findSqsCredentials(accountId, queueUrl),
    listEmailSenderAccounts: async () => q().listEmailSenderAccounts(),
    createAccessToken: async (token) => q().createAccessToken(token),
    findAccountByAccessToken: async (hash) => q().findAccountByAccessToken(hash),
    listAccessTokens: async (accountId) => q().listAccessTokens(accountId),
    revokeAccessToken: async (accountId, id, now) => q().revokeAccessToken(accountId, id, now),
    insertMessages: async (messages, extras) => q().insertMessages(messages, extras),
    getMedia: async (id) => q().getMedia(id),
    purge: async (cutoffs) => q().purge(cutoffs),
    findIdempotencyKey: async (accountId, key, notBefore) => q().findIdempotencyKey(accountId, key, notBefore),
    getMessage: async (uuid) => q().getMessage(uuid),
    setProviderRef: async (uuid, ref) => q().setProviderRef(uuid, ref),
    findByProviderRef: async (ref) => q().findByProviderRef(ref),
    listOpen: async (limit, after) => q().listOpen(limit, after),
    saveMessageParts: async (parts) => q().saveMessageParts(parts),
    listMessageParts: async (uuid) => q().listMessageParts(uuid),
    findMessagePart: async (ref) => q().findMessagePart(ref),
    findMessagePartByRefKey: async (key) => q().findMessagePartByRefKey(key),
    parkReport: async (report) => q().parkReport(report),
    listParkedReports: async (limit) => q().listParkedReports(limit),
    takeParkedReports: async (query, now) => q().takeParkedReports(query, now),
    listExpired: async (now, limit) => q().listExpired(now, limit),
    transition: async (uuids, decide) => q().transition(uuids, decide),
    listEvents: async (uuid) => q().listEvents(uuid),
    listCallbacks: async (uuid) => q().listCallbacks(uuid),
    getCallback: async (id) => q().getCallback(id),
    claimDueCallbacks: async (options) => unacknowledged(() => q().claimDueCallbacks(options)),
    recordAttempts: async (results) => unacknowledged(() => q().recordAttempts(results)),
    replayCallback: async (id, accountId, now) => q().replayCallback(id, accountId, now),
    replayDeadLetters: async (accountId, since, now) => q().replayDeadLetters(accountId, since, now),
    releaseWaiting: async (now) => unacknowledged(() => q().releaseWaiting(now)),
    returnClaims: async (ids, leaseToken, now) => unacknowledged(() => q().returnClaims(ids, leaseToken, now)),
    outboxDepth: async () => q().outboxDepth(),
    nextDueAt: async () => q().nextDueAt(),
    saveSmppCredential: async (credential) => q().saveSmppCredential(credential),
    findSmppCredential: async (systemId) => q().findSmppCredential(systemId),
    getSmppCredentialOfAccount: async (accountId) => q().getSmppCredentialOfAccount(accountId),
    hurryDestination: async (key, now) => q().hurryDestination(key, now),
    claimSmppSession: async (lease, max, now) => q().claimSmppSession(lease, max, now),
    renewSmppSessions: async (ids, expiresAt) => q().renewSmppSessions(ids, expiresAt),
    releaseSmppSession: async (id) => q().releaseSmppSession(id),
    createSuiteUser: async (user) => q().createSuiteUser(user),
    findSuiteUserByEmail: async (email) => q().findSuiteUserByEmail(email),
    setSuiteUserPassword: async (userId, hash, mustChange, now, keepSession) => q().setSuiteUserPassword(userId, hash, mustChange, now, keepSession),
    createSuiteSession: async (session) => q().createSuiteSession(session),
    findSuiteSession: async (tokenHash, now) => q().findSuiteSession(tokenHash, now),
    deleteSuiteSession: async (tokenHash) => q().deleteSuiteSession(tokenHash),
    listAccountMessages: async (accountId, filter, limit) => q().listAccountMessages(accountId, filter, limit),
    listAccountMessagesByUuid: async (accountId, uuids) => q().listAccountMessagesByUuid(accountId, uuids),
    listStatusTimes: async (uuids) => q().listStatusTimes(uuids),
    accountStats: async (accountId, since) => q().accountStats(accountId, since),
    listDeadLetters: async (accountId, limit) => q().listDeadLetters(accountId, limit),
  };
}
