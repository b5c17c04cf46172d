/**
 * The store as every part sees it: signature secrets are sealed (secret-box.ts) before they
 * reach a row and opened when a row is read, so nothing above the store handles ciphertext.
 */
import type { Account, MessageContext, RawStore, Signing, Store, StoredSecrets } from './store.js';
import type { SecretBox } from './secret-box.js';

/** The additional data a signature secret is sealed with: it only opens in its own account's row. */
const signatureContext = (accountId: string) => `accounts/${accountId}/signature_secret`;

export function sealedStore(raw: RawStore, box: SecretBox): Store {
  function openSigning<T extends Signing>(accountId: string, signing: T): T {
    const context = signatureContext(accountId);
    return {
      ...signing,
      signature_secret: box.open(signing.signature_secret, context),
      ...(signing.previous_signature_secret === undefined ? {} : { previous_signature_secret: box.open(signing.previous_signature_secret, context) }),
    };
  }
  const openAccount = (account: Account | undefined) => account && openSigning(account.id, account);
  // Opened when a login names no account, so that a miss costs what a hit costs (timing-safe logins).
  const unknownAccount = box.seal('whsec_' + Buffer.alloc(32).toString('base64'), signatureContext('unknown'));
  const openLogin = (account: Account | undefined) => {
    if (!account) box.open(unknownAccount, signatureContext('unknown'));
    return openAccount(account);
  };
  const openContexts = (contexts: Map<string, MessageContext>) =>
    new Map([...contexts].map(([uuid, context]) => [uuid, { ...context, account: { ...context.account, signing: openSigning(context.account.id, context.account.signing) } }]));

  function resealed(stored: StoredSecrets): StoredSecrets | undefined {
    const { previous_signature_secret: previous } = stored;
    if (box.isCurrent(stored.signature_secret) && (previous === undefined || box.isCurrent(previous))) return undefined;
    const context = signatureContext(stored.account_id);
    const reseal = (value: string) => (box.isCurrent(value) ? value : box.seal(box.open(value, context), context));
    return {
      account_id: stored.account_id,
      signature_secret: reseal(stored.signature_secret),
      ...(previous === undefined ? {} : { previous_signature_secret: reseal(previous) }),
    };
  }

  const { rewriteSecrets, ...passed } = raw;
  return {
    ...passed,
    sealSecrets: async () => ({ key_id: box.currentKeyId, accounts_resealed: await rewriteSecrets(resealed) }),
    createAccount: (account) => raw.createAccount({ ...account, signature_secret: box.seal(account.signature_secret, signatureContext(account.id)) }),
    rotateSignatureSecret: (id, next, until) => raw.rotateSignatureSecret(id, box.seal(next, signatureContext(id)), until),
    findAccountByApiKey: async (apiKey) => openLogin(await raw.findAccountByApiKey(apiKey)),
    getAccount: async (id) => openAccount(await raw.getAccount(id)),
    listEmailSenderAccounts: async () => (await raw.listEmailSenderAccounts()).map((account) => openAccount(account)!),
    findAccountByAccessToken: async (tokenHash) => openLogin(await raw.findAccountByAccessToken(tokenHash)),
    claimDueCallbacks: async (options) =>
      (await raw.claimDueCallbacks(options)).map((callback) => ({ ...callback, signing: openSigning(callback.account_id, callback.signing) })),
    transition: (uuids, decide) => raw.transition(uuids, (contexts) => decide(openContexts(contexts))),
  };
}
