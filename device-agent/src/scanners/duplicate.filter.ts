/**
 * Suppresses the same code read again within a window: presentation scanners re-read a QR held
 * under them every few hundred ms. A different code, or the same one after the window, passes.
 * The window restarts on each suppressed read, so a code held still is reported once. Pure.
 */
export class DuplicateFilter {
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries = 32,
  ) {}

  /** True when the payload should be delivered. */
  accept(payload: string, nowMs: number): boolean {
    if (this.windowMs <= 0) return true;
    const previous = this.lastSeen.get(payload);
    this.lastSeen.delete(payload);
    this.lastSeen.set(payload, nowMs);
    if (this.lastSeen.size > this.maxEntries) {
      const oldest = this.lastSeen.keys().next();
      if (!oldest.done) this.lastSeen.delete(oldest.value);
    }
    return previous === undefined || nowMs - previous > this.windowMs || nowMs < previous;
  }

  clear(): void {
    this.lastSeen.clear();
  }
}
