/**
 * PostgreSQL: a whole check-in as one statement — one round trip, committed on its own (no BEGIN,
 * no COMMIT): the patient matched or created, the consent event, the ticket's 'issued' event, the
 * next number of the service's daily series, the visit with its receipt, the ticket, and what the
 * integrations store with it (the Decision 4750 record, the BHYT answer, the EMR delivery).
 *
 * The series row stays locked from its upsert to the commit, which now ends the same statement:
 * on the multi-statement path it was held across five more round trips, and those round trips,
 * not the database, bounded each service's rate.
 *
 * Values only the statement knows — the ticket's number, the patient's id (an existing patient
 * keeps theirs), the Decision 4750 visit number — are written by the caller as tokens
 * (`PendingTokens`, random per check-in, so no input can contain them) and replaced in SQL.
 * Rows are the repositories' own typed rows (db/schema.ts): the column lists come from them.
 * Failures are PostgreSQL's: 23505 on `visits.check_in_id` is a replay, on the lookup code or the
 * visit number a unit to run again (the whole statement rolled back: no number was used).
 */
import { randomBytes } from 'node:crypto';
import { CompiledQuery } from 'kysely';
import { ColumnCipher } from './column-cipher';
import { sealPatient } from './patient.repository';
import { placeAtIssue } from './ticket.repository';
import { IDENTITY_DIFFERS_SQLSTATE } from '../db/identity-guard.migration';
import type { Db } from '../db/database';
import type { Insertable } from 'kysely';
import type {
  CheckinRecordTable,
  EmrOutboxTable,
  InsuranceCheckTable,
  PatientTable,
  TicketEventTable,
  TicketTable,
  VisitTable,
} from '../db/schema';
import type { NewConsentEvent } from './patient.repository';
import type { TicketPlaceCounts } from './ticket-status.repository';

/** Stand-ins for what only the statement knows; each appears verbatim inside the caller's rows. */
export interface PendingTokens {
  /** The formatted ticket number (`A007`). */
  number: string;
  /** The patient's id (a new one, or the matched patient's). */
  patientId: string;
  /** The Decision 4750 visit number (ma_lk) chosen by the statement. */
  visitNumber: string;
}

export const newPendingTokens = (): PendingTokens => {
  const nonce = randomBytes(12).toString('hex');
  return { number: `{{n:${nonce}}}`, patientId: `{{p:${nonce}}}`, visitNumber: `{{v:${nonce}}}` };
};

export interface CheckInStatement {
  tokens: PendingTokens;
  /** Stored if no patient matches; its `id` is the new patient's. */
  patient: PatientTable;
  /** `id-number`: match or create by ID number alone; `identifiers`: by ID number, else insurance number. */
  match: 'id-number' | 'identifiers';
  consent: NewConsentEvent;
  event: Insertable<TicketEventTable>;
  series: { serviceId: string; day: string; prefix: string };
  visit: VisitTable;
  /** `seq` and `number` are the statement's. */
  ticket: Omit<TicketTable, 'seq'>;
  /** The 4750 record; `ma_lk` is `tokens.visitNumber`, chosen from `visitNumbers` (the first not yet taken). */
  record?: { row: CheckinRecordTable; visitNumbers: { first: string; otherwise: string } };
  insuranceCheck?: InsuranceCheckTable;
  delivery?: EmrOutboxTable;
  /** The 4750 record's delivery to the social-insurance data portal. */
  portalDelivery?: EmrOutboxTable;
}

export interface StoredAtOnce {
  seq: number;
  number: string;
  patientId: string;
  /**
   * The ticket's line as the statement saw it, when that is exact: no other ticket of the series
   * was issued between the statement's snapshot and its taking the series row (it did not wait
   * for another check-in of the service). Otherwise undefined: the caller reads the place after.
   */
  line?: TicketPlaceCounts;
}

/**
 * What a failed statement means for the caller. `identity-differs`: the patient it matched is not
 * written as the check-in's identity; nothing was stored, the unit of work compares.
 */
export type StatementFailure = 'replay' | 'run-again' | 'identity-differs' | 'other';

export function classifyFailure(e: unknown): StatementFailure {
  const { code, constraint } = (e ?? {}) as { code?: unknown; constraint?: unknown };
  if (code === '40P01' || code === '40001') return 'run-again';
  if (code === IDENTITY_DIFFERS_SQLSTATE) return 'identity-differs';
  if (code !== '23505') return 'other';
  if (typeof constraint === 'string' && constraint.includes('check_in_id')) return 'replay';
  return 'run-again';
}

type Row = Record<string, unknown>;

/**
 * SQL text with `$n` parameters, written by hand: this statement is built for every check-in, and
 * building it as Kysely nodes (frozen objects, then a compiler pass over ~100 values) cost about
 * a tenth of the server's busy time, with the garbage that followed. The text is the same for
 * every check-in of the same shape, so the connection's prepared statement is reused.
 */
class StatementText {
  readonly params: unknown[] = [];
  param(v: unknown): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }
}

/** Table and column names come from the typed rows; anything else is refused. */
const ident = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/u.test(name)) throw new Error('bad-identifier');
  return `"${name}"`;
};

export class CheckInRepository {
  /**
   * Not used with column encryption on (app.ts): sealed values cannot carry the tokens the
   * statement fills in (the EMR payload holds the ticket number). With it off, the patient row
   * gets its match columns as PatientRepository writes them (`sealPatient`).
   */
  constructor(
    private readonly db: Db,
    private readonly cipher: ColumnCipher = ColumnCipher.off(),
  ) {}

  async storeAtOnce(s: CheckInStatement): Promise<StoredAtOnce> {
    const q = new StatementText();
    const tokens: [string, string][] = [
      [s.tokens.number, '(select number from k)'],
      [s.tokens.patientId, '(select patient_id from k)'],
      [s.tokens.visitNumber, '(select ma_lk from vn)'],
    ];
    /** A value as a parameter, or its tokens replaced by what the statement computed. */
    const valueOf = (v: unknown): string => {
      if (typeof v !== 'string') return q.param(v);
      for (const [token, expr] of tokens) if (v === token) return expr;
      let e = q.param(v);
      for (const [token, expr] of tokens) if (v.includes(token)) e = `replace(${e}, ${q.param(token)}, ${expr})`;
      return e;
    };
    const insert = (table: string, row: Row, computed: Record<string, string> = {}) => {
      const cols = Object.keys(row);
      const values = cols.map((c) => computed[c] ?? valueOf(row[c]));
      return `insert into ${ident(table)} (${cols.map(ident).join(', ')}) values (${values.join(', ')})`;
    };
    const ctes = this.patientMatch(s, q);
    const service = q.param(s.series.serviceId);
    const day = q.param(s.series.day);
    ctes.push(
      // The series and the waiting counters in the statement's snapshot (before it takes the
      // series row): exact for this ticket's place when the series has moved by this ticket alone.
      `s0 as (select last_seq from ticket_series where service_id = ${service} and day = ${day})`,
      `line as (select priority, waiting from queue_waiting where service_id = ${service} and day = ${day})`,
      `s as (insert into ticket_series (service_id, day, last_seq) values (${service}, ${day}, 1)
        on conflict (service_id, day) do update set last_seq = ticket_series.last_seq + 1 returning last_seq)`,
      // formatNumber: at least three digits, more when the day runs past 999.
      `k as (select s.last_seq as seq,
        ${q.param(s.series.prefix)} || case when s.last_seq < 1000 then lpad(s.last_seq::text, 3, '0') else s.last_seq::text end as number,
        (select id from p) as patient_id from s)`,
    );
    if (s.record) {
      const { first, otherwise } = s.record.visitNumbers;
      ctes.push(`vn as (select case when exists (select 1 from checkin_records where ma_lk = ${valueOf(first)})
        then ${valueOf(otherwise)} else ${valueOf(first)} end as ma_lk)`);
    }
    ctes.push(
      `w_event as (${insert('ticket_events', { ...s.event })})`,
      `w_consent as (${insert('consent_events', { ...s.consent })})`,
      `w_visit as (${insert('visits', { ...s.visit })})`,
      `w_ticket as (${insert('tickets', { ...s.ticket, seq: 0 }, { seq: '(select seq from k)' })})`,
    );
    if (s.record) ctes.push(`w_record as (${insert('checkin_records', { ...s.record.row })})`);
    if (s.insuranceCheck) ctes.push(`w_bhyt as (${insert('insurance_checks', { ...s.insuranceCheck })})`);
    if (s.delivery) ctes.push(`w_delivery as (${insert('emr_outbox', { ...s.delivery })})`);
    if (s.portalDelivery) ctes.push(`w_portal as (${insert('emr_outbox', { ...s.portalDelivery })})`);
    const { rows } = await this.db.kysely.executeQuery<{
      seq: number | string;
      number: string;
      patient_id: string;
      exact: boolean;
      line: { priority: string; waiting: number }[] | null;
      streak: number | null;
    }>(
      CompiledQuery.raw(
        `with ${ctes.join(',\n')}
        select seq, number, patient_id,
          coalesce((select last_seq from s0), 0) + 1 = seq as exact,
          (select json_agg(json_build_object('priority', priority, 'waiting', waiting)) from line) as line,
          (select priority_streak from queue_state where service_id = ${service} and day = ${day}) as streak
        from k where (select same from g)`,
        q.params,
      ),
    );
    const row = rows[0];
    if (!row) throw new Error('check-in statement returned no row');
    const stored = { seq: Number(row.seq), number: row.number, patientId: row.patient_id };
    if (!row.exact) return stored;
    return { ...stored, line: placeAtIssue(row.line ?? [], Number(row.streak ?? 0), s.ticket.priority, 'not-counted') };
  }

  /**
   * The patient part, as top-level CTEs (PostgreSQL allows data-modifying ones nowhere else): the
   * last, `p`, yields the matched or created patient's id.
   */
  private patientMatch(s: CheckInStatement, q: StatementText): string[] {
    const p = sealPatient(this.cipher, s.patient);
    const cols = Object.keys(p) as (keyof PatientTable)[];
    const columns = cols.map(ident).join(', ');
    // The patient matched must be written exactly as this identity, or the statement fails (see
    // identity-guard.migration.ts): a stricter test than the unit of work's, which then decides.
    const [name, born, card, id] = [p.full_name, p.date_of_birth, p.insurance_number, p.id_number].map((v) =>
      q.param(v),
    );
    const same = `full_name = ${name} and date_of_birth = ${born}
      and (${card}::text is null or insurance_number is null or insurance_number = ${card})
      and (${id}::text is null or id_number is null or id_number = ${id})`;
    const guard = (matched: string) =>
      `g as (select case when exists (select 1 from patients where ${matched} and not (${same}))
        then kiosk_identity_differs() else true end as same)`;
    if (s.match === 'id-number')
      return [
        guard(`id_number = ${id}`),
        `p as (insert into patients (${columns}) values (${cols.map((c) => q.param(p[c])).join(', ')})
        on conflict (id_number) do update set updated_at = excluded.updated_at returning id)`,
      ];
    // By ID number, else by insurance number: the match is updated with the identifiers it lacked,
    // or the new patient stored (its ID number may have been stored meanwhile: the unit runs again).
    const none = 'select null::text as id where false';
    const byId = p.id_number ? `select id from patients where id_number = ${q.param(p.id_number)}` : none;
    const byInsurance = p.insurance_number
      ? `select id from patients where insurance_number = ${q.param(p.insurance_number)} limit 1`
      : none;
    const typed = (c: keyof PatientTable) =>
      `cast(${q.param(p[c])} as ${typeof p[c] === 'number' ? 'integer' : 'text'})`;
    return [
      `p_by_id as (${byId})`,
      `p_by_insurance as (${byInsurance})`,
      `p_found as (select id from p_by_id union all
        select id from p_by_insurance where not exists (select 1 from p_by_id) limit 1)`,
      guard('id = (select id from p_found)'),
      `p_updated as (update patients set
        insurance_number = coalesce(${q.param(p.insurance_number)}, insurance_number),
        id_number = coalesce(${q.param(p.id_number)}, id_number),
        insurance_number_hmac = coalesce(${q.param(p.insurance_number_hmac ?? null)}, insurance_number_hmac),
        id_number_hmac = coalesce(${q.param(p.id_number_hmac ?? null)}, id_number_hmac),
        updated_at = ${q.param(p.updated_at)}
        where id = (select id from p_found) returning id)`,
      `p_created as (insert into patients (${columns}) select ${cols.map(typed).join(', ')}
        where not exists (select 1 from p_found) returning id)`,
      'p as (select id from p_updated union all select id from p_created)',
    ];
  }
}
