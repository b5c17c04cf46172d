/**
 * Slow-down after repeated failed sign-ins, per e-mail address (per process): the first few
 * failures cost nothing, then each further attempt must wait, doubling up to a cap. A success
 * clears the count. Attempts during the wait are refused without checking the password, so
 * guessing gets no faster by sending more requests.
 */
export const FREE_FAILURES = 5;
const FIRST_WAIT_MS = 1_000;
const MAX_WAIT_MS = 15 * 60_000;
/** A count older than this is forgotten. */
const FORGET_AFTER_MS = 60 * 60_000;
/** Entries kept at most; the oldest go first (a flood of made-up addresses cannot grow memory). */
const MAX_ENTRIES = 10_000;

/** How long after the last failure the next attempt must wait, for this many failures in a row. */
export function signInWaitMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(FIRST_WAIT_MS * 2 ** (failures - FREE_FAILURES), MAX_WAIT_MS);
}

export function createSignInThrottle() {
  const failures = new Map<string, { count: number; last: number }>();
  return {
    /** Milliseconds the caller must still wait before trying this address again (0 = go ahead). */
    waitMs(email: string, now: number): number {
      const entry = failures.get(email);
      if (!entry || now - entry.last > FORGET_AFTER_MS) return 0;
      return Math.max(0, entry.last + signInWaitMs(entry.count) - now);
    },
    failed(email: string, now: number): void {
      const entry = failures.get(email);
      const count = entry && now - entry.last <= FORGET_AFTER_MS ? entry.count + 1 : 1;
      failures.delete(email);
      failures.set(email, { count, last: now });
      if (failures.size > MAX_ENTRIES) failures.delete(failures.keys().next().value!);
    },
    succeeded(email: string): void {
      failures.delete(email);
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;
