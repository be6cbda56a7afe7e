/**
 * The agent's own schema for `card:set-key`, loaded by the chip panel when staff read a chip: it
 * brings zod into the counter page, which does not need it otherwise.
 */
import { cardKeyCommandSchema, type CardKeyCommand } from '@kiosk/protocol';

export function checkCardKey(candidate: unknown): CardKeyCommand | null {
  const parsed = cardKeyCommandSchema.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}
