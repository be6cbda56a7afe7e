/**
 * Waiting-room displays (credentials as hashes, the services each screen shows, revocation) and
 * their single-use pairing codes, kept apart from the kiosks' so a display code never enrols an
 * agent. Methods taking `trx` run inside the caller's unit of work (see executor.ts).
 */
import type { Db } from '../db/database';
import type { DisplayTable, PairingCodeTable } from '../db/schema';
import type { Executor } from './executor';
import { usePairingCode } from './pairing-codes';

export class DisplayRepository {
  constructor(private readonly db: Db) {}

  async insertPairingCode(code: PairingCodeTable): Promise<void> {
    await this.db.kysely
      .insertInto('display_pairing_codes')
      .values(code)
      .onConflict((oc) => oc.column('code_hash').doNothing())
      .execute();
  }

  async byId(displayId: string): Promise<DisplayTable | undefined> {
    return this.db.kysely.selectFrom('displays').selectAll().where('id', '=', displayId).executeTakeFirst();
  }

  /** Every paired display, oldest first. */
  async list(): Promise<DisplayTable[]> {
    return this.db.kysely.selectFrom('displays').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  /** Returns whether the display exists. */
  async configure(displayId: string, name: string, serviceIdsJson: string): Promise<boolean> {
    const r = await this.db.kysely
      .updateTable('displays')
      .set({ name, service_ids: serviceIdsJson })
      .where('id', '=', displayId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Returns whether the display exists. */
  async revoke(displayId: string, at: string): Promise<boolean> {
    const r = await this.db.kysely
      .updateTable('displays')
      .set({ revoked_at: at })
      .where('id', '=', displayId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async touch(displayId: string, at: string): Promise<void> {
    await this.db.kysely.updateTable('displays').set({ last_seen_at: at }).where('id', '=', displayId).execute();
  }

  // ---- inside a unit of work -------------------------------------------------------------------

  /** Marks an unused, unexpired code used at `now`; false when there is no such code. */
  usePairingCode(trx: Executor, codeHash: string, now: string): Promise<boolean> {
    return usePairingCode(trx, 'display_pairing_codes', codeHash, now);
  }

  async insert(trx: Executor, display: DisplayTable): Promise<void> {
    await trx.insertInto('displays').values(display).execute();
  }
}
