/**
 * Waits for a state, never for wall-clock time: protocol's `until` with the integration, end-to-end
 * and benchmark suites' bounds. The timeout only bounds a test that would otherwise hang, so it is
 * generous (a busy machine is slow, not wrong) and the failure names what was awaited.
 */
import { until as untilState, type UntilOptions } from '@kiosk/protocol';

export type { UntilOptions };

/** `until` of @kiosk/protocol with a 20 s bound (default) polled every 20 ms (default). */
export const until = (check: () => unknown, options: UntilOptions = {}): Promise<void> =>
  untilState(check, { timeoutMs: 20_000, intervalMs: 20, ...options });
