/** Saving an account's forwarding rules, the same for every interface that edits them (REST API, suite). */
import type { Store } from '../store/store.js';
import type { AddressPolicy } from '../model/address.js';
import { validateForwardingRules, type DestinationChecks, type RulesResult } from '../model/forwarding-rules.js';

/** Validates the whole document and stores it only if every field is valid. */
export async function saveForwardingRules(store: Store, accountId: string, document: unknown, policy: AddressPolicy | undefined, checks: DestinationChecks): Promise<RulesResult> {
  const result = validateForwardingRules(document, policy, checks);
  if (result.ok) await store.updateAccount(accountId, { forwarding: result.value });
  return result;
}
