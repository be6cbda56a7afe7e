/**
 * Token buckets for requests from one source: a bucket holds up to `burst` tokens and refills at
 * `perSecond`; each request takes one, and a request that finds the bucket empty is refused
 * ('rate-limited'). `KeyedBuckets` keeps one bucket per key (a session, an address) in a bounded
 * map: a full bucket is the same as no bucket, so idle keys are forgotten first and the map never
 * holds more than `maxKeys`. Browser-safe: no Node APIs, the clock is injected.
 */

export interface BucketSize {
  /** Requests allowed at once after a quiet spell. */
  burst: number;
  /** Sustained requests per second. */
  perSecond: number;
}

export type Now = () => number;
const wallClock: Now = () => Date.now();

/** Something a request takes a token from. */
export interface RateBucket {
  /** Takes a token; false when none is left. */
  take(): boolean;
}

export class TokenBucket implements RateBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly size: BucketSize,
    private readonly now: Now = wallClock,
  ) {
    this.tokens = size.burst;
    this.at = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.size.burst, this.tokens + ((t - this.at) / 1000) * this.size.perSecond);
    this.at = t;
  }

  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whether a request now would be admitted (nothing taken). */
  get available(): boolean {
    this.refill();
    return this.tokens >= 1;
  }

  /** Whether the bucket has refilled completely (nothing to remember). */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.size.burst;
  }
}

export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly size: BucketSize,
    private readonly maxKeys = 10_000,
    private readonly now: Now = wallClock,
  ) {}

  get keys(): number {
    return this.buckets.size;
  }

  take(key: string): boolean {
    let bucket = this.buckets.get(key);
    if (bucket) this.buckets.delete(key);
    else {
      this.forgetIdle();
      bucket = new TokenBucket(this.size, this.now);
    }
    // Most recently used last: the front holds the keys idle longest.
    this.buckets.set(key, bucket);
    return bucket.take();
  }

  /** Whether `take(key)` would be admitted now, taking nothing (a key never seen: yes). */
  available(key: string): boolean {
    return this.buckets.get(key)?.available ?? true;
  }

  /** The bucket of one key, as a RateBucket (for a socket of a session). */
  of(key: string): RateBucket {
    return { take: () => this.take(key) };
  }

  private forgetIdle(): void {
    // A full bucket loses nothing by being forgotten; past the bound the idlest goes anyway.
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size >= this.maxKeys || bucket.full) this.buckets.delete(key);
      else break;
    }
  }
}
