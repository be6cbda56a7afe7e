/**
 * JSON the server stored itself (a check-in's receipt, a kiosk's device health) read back with
 * the schema it was written under, so a column edited or damaged outside the server cannot pass
 * for a typed value.
 */
import type { z } from 'zod';
import { err, ok, type Result } from '@kiosk/protocol';

/** 'stored-data-invalid' when the text is not JSON or does not fit the schema (no content in the message). */
export function readStoredJson<T extends z.ZodType>(schema: T, text: string): Result<z.infer<T>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return err('stored-data-invalid', 'stored JSON does not parse');
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  const where = parsed.error.issues[0]?.path.join('.') || 'value';
  return err('stored-data-invalid', `stored JSON does not fit its schema at ${where}`);
}
