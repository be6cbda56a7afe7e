/**
 * Time-out for spec files whose tests do a fixed amount of CPU work (property tests with thousands
 * of runs, RSA keys, whole tickets encoded and decoded): their size is counted in runs, not in
 * seconds, and a busy machine makes them slower, not wrong. Such a file sets it with
 * `vi.setConfig({ testTimeout: CPU_BOUND_SPEC_TIMEOUT_MS })`; the unit project's 10 s stays for
 * the rest, where it catches a hang early.
 */
export const CPU_BOUND_SPEC_TIMEOUT_MS = 60_000;
