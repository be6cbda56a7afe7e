/**
 * PostgreSQL only: `kiosk_identity_differs()`, which fails its statement with SQLSTATE `KI001`.
 * The one-statement check-in calls it when the patient it matched by ID or BHYT number is not
 * written exactly as the check-in's identity (name, birth date, the other number): the statement
 * then stores nothing, and the check-in takes the unit of work, which compares the two as staff
 * would (services/identity-match.ts) and records a conflict where they disagree. Volatile, so the
 * planner never evaluates it ahead of the condition that guards it.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from './dialect';

export const IDENTITY_DIFFERS_SQLSTATE = 'KI001';

export const identityGuardMigration = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>) {
    if (dialect !== 'postgres') return;
    await sql`create or replace function kiosk_identity_differs() returns boolean language plpgsql volatile as $$
      begin
        raise exception 'identity-differs' using errcode = 'KI001';
      end
    $$`.execute(db);
  },
});
