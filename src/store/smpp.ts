/** What the store keeps for the SMPP server (migration 4): per-account SMPP credentials. */

export interface SmppCredential {
  account_id: string;
  /** ≤ 15 characters (SMPP 3.4), unique over all accounts. */
  system_id: string;
  /** scrypt of the ≤ 8-character password (intake/smpp/credentials.ts); never shown again. */
  password_hash: string;
  /** Concurrent bound sessions of the account, over all nodes (smpp_sessions, migration 15). */
  max_sessions: number;
  /** submit_sm per second of the account (per node); above it ESME_RTHROTTLED. */
  submit_rate: number;
  created_at: number;
  updated_at: number;
}

/** A bound customer session, held on a lease its node renews: a dead node's sessions expire. */
export interface SmppSessionLease {
  id: string;
  account_id: string;
  system_id: string;
  expires_at: number;
}

export interface SmppStore {
  /**
   * Registers a bound session unless the account already holds `max` live ones on any node
   * (one at a time per account, so two nodes binding at once cannot both take the last one).
   * False = refused; nothing is written.
   */
  claimSmppSession(lease: SmppSessionLease, max: number, now: number): Promise<boolean>;
  /** Extends the leases of this node's sessions. */
  renewSmppSessions(ids: string[], expiresAt: number): Promise<void>;
  releaseSmppSession(id: string): Promise<void>;
  /** Inserts or replaces the account's SMPP credentials. */
  saveSmppCredential(credential: SmppCredential): Promise<void>;
  findSmppCredential(systemId: string): Promise<SmppCredential | undefined>;
  getSmppCredentialOfAccount(accountId: string): Promise<SmppCredential | undefined>;
  /**
   * Makes the destination's pending callbacks due now (a customer just bound: its waiting
   * receipts go out at once instead of at their backed-off retry time). Returns how many.
   */
  hurryDestination(destinationKey: string, now: number): Promise<number>;
}

export const SMPP_MIGRATION_ID = 4;
