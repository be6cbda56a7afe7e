/** What the kiosk and the display pairing codes share: one rule for using a code once. */
import type { Executor } from './executor';

/** The tables of pairing codes (kiosk agents, waiting-room displays); both are PairingCodeTable. */
export type PairingCodeTableName = 'pairing_codes' | 'display_pairing_codes';

/** Marks an unused, unexpired code used at `now`; false when there is no such code. */
export async function usePairingCode(
  trx: Executor,
  table: PairingCodeTableName,
  codeHash: string,
  now: string,
): Promise<boolean> {
  const used = await trx
    .updateTable(table)
    .set({ used_at: now })
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) === 1;
}
