/**
 * Token buckets per key (an account): `rate` tokens a second, holding at most `burst`. Kept in
 * this process, so with several nodes behind a load balancer each node allows the rate.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly now: () => number) {}

  /** Takes a token: 0 when there was one, else the milliseconds until there is. */
  take(key: string, rate: number, burst = rate): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (!this.buckets.has(key)) {
      // Bounded memory: a full bucket is the same as none.
      if (this.buckets.size >= 100_000) this.buckets.clear();
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / rate) * 1000);
  }
}
