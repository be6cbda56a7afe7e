/** Forms of environment variables shared by the server's and the agent's configuration. */
import { z } from 'zod';

/** `a, b,,c` → `['a', 'b', 'c']`; unset → the fallback's items; empty → none. */
export const commaList = (fallback = '') =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    );

/** `1`/`true` on, `0`/`false` off; unset or empty → the fallback. */
export const envFlag = (fallback = false) =>
  z
    .enum(['0', '1', 'true', 'false', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : v === '1' || v === 'true'));
