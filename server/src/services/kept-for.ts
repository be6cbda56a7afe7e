/**
 * Values read from the database and kept for a short time, per key: a service with its opening
 * hours, its names, its pace. Another instance's change shows within that time; this instance's
 * own changes clear it. Callers asking for the same key at once share one read, and a failed read
 * is not kept. At most `max` keys are held (all are dropped when it is reached).
 */
export class KeptFor<V> {
  private readonly entries = new Map<string, { until: number; value: Promise<V> }>();

  constructor(
    private readonly ms: number,
    private readonly max = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: string, read: () => Promise<V>): Promise<V> {
    const at = this.now();
    const kept = this.entries.get(key);
    if (kept && kept.until > at) return kept.value;
    if (this.entries.size >= this.max) this.entries.clear();
    const value = read();
    this.entries.set(key, { until: at + this.ms, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
