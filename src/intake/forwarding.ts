/** Saving an account's forwarding rules, the same for every interface that edits them (REST API, suite). */
import type { Store } from '../store/store.js';
import type { AddressPolicy } from '../model/address.js';
import { mayUseSharedIdentity } from '../model/destination.js';
import { keepStoredSecrets, splitSqsCredentials, validateForwardingRules, type RulesResult } from '../model/forwarding-rules.js';

export interface SaveRulesOptions {
  /** SQS_ENDPOINT: queue URLs must be on Amazon SQS or on this endpoint's host. */
  sqsEndpoint?: string;
  /** SQS_SHARED_IDENTITY_ACCOUNTS: who may send to a queue without credentials of its own. */
  sqsSharedIdentityAccounts: readonly string[];
}

/**
 * Validates the whole document and stores it only if every field is valid. SQS credentials are
 * stored apart from the document (sealed by the store); a secret sent back as `(set)` keeps the
 * stored one. Returns the document as GET shows it.
 */
export async function saveForwardingRules(store: Store, accountId: string, body: unknown, policy: AddressPolicy | undefined, options: SaveRulesOptions): Promise<RulesResult> {
  const checks = { ...(options.sqsEndpoint ? { sqsEndpoint: options.sqsEndpoint } : {}), sharedSqsIdentity: mayUseSharedIdentity(options.sqsSharedIdentityAccounts, accountId) };
  const result = validateForwardingRules(body, policy, checks);
  if (!result.ok) return result;
  const kept = keepStoredSecrets(result.value, await store.listSqsCredentials(accountId));
  if (!kept.ok) return kept;
  const { document, credentials } = splitSqsCredentials(kept.value);
  await store.updateAccount(accountId, { forwarding: document, sqs_credentials: credentials });
  return { ok: true, value: document };
}
