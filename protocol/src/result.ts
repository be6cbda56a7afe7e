/**
 * The Result type every ack and every edge function returns: faults travel as data with a
 * stable `code`, never as thrown exceptions across a process or socket boundary.
 */
import type { z } from 'zod';

export interface AppError {
  /** Stable machine code, kebab-case: 'paper-out', 'card-removed', 'validation-failed' … */
  code: string;
  /** Staff-facing reason (no personal data). */
  message: string;
  /** Optional patient-facing hint key, translated by the UI. */
  hint?: string;
}

export type Result<T, E extends AppError = AppError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = (code: string, message: string, hint?: string): { ok: false; error: AppError } => ({
  ok: false,
  error: hint === undefined ? { code, message } : { code, message, hint },
});

/** Validate untrusted input against a schema; the error names the first offending path. */
export function parseWith<T extends z.ZodType>(schema: T, input: unknown): Result<z.infer<T>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'payload';
  return err('validation-failed', `${where}: ${issue?.message ?? 'invalid'}`);
}
