/**
 * JSON the server stored itself (a check-in's receipt, a kiosk's device health) read back with
 * the schema it was written under, so a column edited or damaged outside the server cannot pass
 * for a typed value.
 */
import type { z } from 'zod';
import { err, ok, type Result } from '@kiosk/protocol';

/** 'stored-data-invalid' when the text is not JSON or does not fit the schema (no content in the message). */
export function readStoredJson<T extends z.ZodType>(schema: T, text: string): Result<z.infer<T>> {
  const value = parsedOrNot(text);
  if (value === NOT_JSON) return err('stored-data-invalid', 'stored JSON does not parse');
  const parsed = schema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  const where = parsed.error.issues[0]?.path.join('.') || 'value';
  return err('stored-data-invalid', `stored JSON does not fit its schema at ${where}`);
}

/**
 * A stored JSON list read item by item: the items that fit the schema, in order; none when the text
 * is not a JSON list (a list kept for display, where one unknown item should not hide the rest).
 */
export function readStoredList<T extends z.ZodType>(item: T, text: string): z.infer<T>[] {
  const value = parsedOrNot(text);
  if (!Array.isArray(value)) return [];
  return value.flatMap((v: unknown) => {
    const parsed = item.safeParse(v);
    return parsed.success ? [parsed.data] : [];
  });
}

const NOT_JSON = Symbol('not-json');

function parsedOrNot(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}
