/**
 * For tests of every package: waits for a state, never for wall-clock time. `check` is polled until
 * it holds; the timeout only bounds a test that would otherwise hang, so the failure names what was
 * awaited. The agent's specs use these defaults (below the unit test timeout); the integration,
 * end-to-end and benchmark suites use tests/support/until.ts, the same function with longer ones.
 */
export interface UntilOptions {
  /** What is awaited, for the failure; a function may describe the last state seen. */
  what?: string | (() => string);
  /** Default 8 s. */
  timeoutMs?: number;
  /** Default 5 ms. */
  intervalMs?: number;
}

// Browsers and Node both have it; protocol compiles without either's type library.
declare function setTimeout(callback: () => void, ms: number): unknown;

/**
 * Resolves once `check` holds: it returns anything but `false` without throwing, so both
 * `() => done` and `() => expect(x).toBe(y)` work. On time-out the last assertion error (or the
 * awaited `what`) is what the test reports.
 */
export async function until(check: () => unknown, options: UntilOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 8000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      if ((await check()) !== false) return;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) {
      const what = typeof options.what === 'function' ? options.what() : (options.what ?? 'the condition');
      const message = `timed out after ${timeoutMs} ms waiting for ${what}`;
      if (failure instanceof Error) failure.message = `${message}: ${failure.message}`;
      throw failure instanceof Error ? failure : new Error(message);
    }
    await new Promise<void>((resolve) => setTimeout(resolve, options.intervalMs ?? 5));
  }
}
