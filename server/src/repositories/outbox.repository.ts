/**
 * The EMR delivery outbox. A row is written in the check-in's own transaction, so a check-in and
 * its delivery commit or vanish together. Workers claim due rows with a lease (several server
 * instances may run workers: a claim is one conditional UPDATE, and a row whose lease ran out is
 * claimable again); no two rows of the same patient are claimed while one is in flight.
 * Results of a batch are written in one unit of work (one durable commit). Methods taking `trx`
 * run inside the caller's unit of work (see executor.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { newRowId } from '../db/row-id';
import type { EmrOutboxState } from '@kiosk/protocol';
import type { Db } from '../db/database';
import type { EmrOutboxTable } from '../db/schema';
import type { Clock } from '../clock';
import type { Executor } from './executor';
import { ColumnCipher } from './column-cipher';

/**
 * The payload (the EMR-bound snapshot: names, ID numbers) is sealed at rest; the patient key
 * (`cccd:<number>` …) is only compared for equality, so its keyed hash is stored instead.
 */
export const openDelivery = (cipher: ColumnCipher, r: EmrOutboxTable): EmrOutboxTable => ({
  ...r,
  payload_json: cipher.open('emr_outbox.payload_json', r.payload_json),
});

export type OutboxKind =
  'check-in' | 'patient-update' | 'appointment-noshow' | 'portal-4750' | 'insurance-recheck' | 'e-invoice';
/** Rows the EMR's worker delivers. */
export const EMR_KINDS: readonly OutboxKind[] = ['check-in', 'patient-update', 'appointment-noshow'];
/** Rows the social-insurance data portal's worker delivers (Decision 4750 check-in records). */
export const PORTAL_KINDS: readonly OutboxKind[] = ['portal-4750'];
/** Rows the BHYT gateway's worker checks: check-ins a kiosk issued offline, after their replay. */
export const INSURANCE_KINDS: readonly OutboxKind[] = ['insurance-recheck'];
/** Rows the e-invoice provider's worker delivers: the invoice of each paid fee. */
export const EINVOICE_KINDS: readonly OutboxKind[] = ['e-invoice'];
export type OutboxStatus = 'pending' | 'delivering' | 'delivered' | 'failed';

export interface NewDelivery {
  kind: OutboxKind;
  visitId: string | null;
  /** Null for a paid fee's e-invoice (no patient row yet). */
  patientId: string | null;
  patientKey: string;
  payload: unknown;
  /** A business key instead of a random control id: a second row for it is refused (unique). */
  controlId?: string;
}

export type Completion =
  | { id: string; outcome: 'delivered'; result: unknown }
  | { id: string; outcome: 'retry'; nextAttemptAt: string; code: string; message: string; attempted: boolean }
  | { id: string; outcome: 'failed'; code: string; message: string; route: string | null };

/** HL7 ST(20)-safe control ids: 20 characters of Crockford base32. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export function newControlId(): string {
  return [...randomBytes(20)].map((b) => ALPHABET[b & 31]).join('');
}

/** Admin view of a delivery: no payload (personal data), just where it stands. */
export interface DeliveryView {
  id: string;
  kind: string;
  visitId: string | null;
  status: string;
  attempts: number;
  nextAttemptAt: string;
  route: string | null;
  lastErrorCode: string | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  /** An e-invoice's payment reference (its provider key): which payment's invoice this is. */
  paymentReference?: string;
}

export const toDeliveryView = (r: EmrOutboxTable): DeliveryView => ({
  id: r.id,
  kind: r.kind,
  visitId: r.visit_id,
  status: r.status,
  attempts: Number(r.attempts),
  nextAttemptAt: r.next_attempt_at,
  route: r.route,
  lastErrorCode: r.last_error_code,
  lastError: r.last_error,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
  ...(r.kind === 'e-invoice' ? { paymentReference: r.control_id } : {}),
});

export class OutboxRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly cipher: ColumnCipher = ColumnCipher.off(),
  ) {}

  /** Inside the caller's unit of work: the delivery commits or vanishes with it. */
  async enqueue(trx: Executor, d: NewDelivery): Promise<string> {
    const row = this.deliveryRow(d);
    await trx.insertInto('emr_outbox').values(row).execute();
    return row.id;
  }

  /** A new delivery's row, due now (what `enqueue` stores; the one-statement check-in stores it itself). */
  deliveryRow(d: NewDelivery): EmrOutboxTable {
    const now = this.clock.now().toISOString();
    return {
      id: newRowId(),
      kind: d.kind,
      visit_id: d.visitId,
      patient_id: d.patientId,
      patient_key: this.cipher.index(d.patientKey),
      control_id: d.controlId ?? newControlId(),
      payload_json: this.cipher.seal('emr_outbox.payload_json', JSON.stringify(d.payload)),
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      lease_until: null,
      claim_token: null,
      route: null,
      last_error_code: null,
      last_error: null,
      result_json: null,
      created_at: now,
      updated_at: now,
      delivered_at: null,
    };
  }

  /**
   * Claims up to `limit` due rows for `leaseMs`, of `kinds` only when given (each destination's
   * worker claims its own rows); returns them (oldest first).
   */
  async claim(limit: number, leaseMs: number, kinds?: readonly OutboxKind[]): Promise<EmrOutboxTable[]> {
    const nowDate = this.clock.now();
    const now = nowDate.toISOString();
    const leaseUntil = new Date(nowDate.getTime() + leaseMs).toISOString();
    const token = randomUUID();
    const { kysely } = this.db;
    const claimed = await kysely
      .updateTable('emr_outbox')
      .set({ status: 'delivering', claim_token: token, lease_until: leaseUntil, updated_at: now })
      .where((eb) =>
        eb.and([
          eb.or([
            eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
            eb.and([eb('status', '=', 'delivering'), eb('lease_until', '<', now)]),
          ]),
          eb(
            'id',
            'in',
            eb
              .selectFrom('emr_outbox as o')
              .select('o.id')
              .where((e) =>
                e.and([
                  e.or([
                    e.and([e('o.status', '=', 'pending'), e('o.next_attempt_at', '<=', now)]),
                    e.and([e('o.status', '=', 'delivering'), e('o.lease_until', '<', now)]),
                  ]),
                  ...(kinds ? [e('o.kind', 'in', [...kinds])] : []),
                  e.not(
                    e.exists(
                      e
                        .selectFrom('emr_outbox as b')
                        .select('b.id')
                        .where('b.status', '=', 'delivering')
                        .whereRef('b.patient_key', '=', 'o.patient_key')
                        .where('b.lease_until', '>=', now),
                    ),
                  ),
                ]),
              )
              .orderBy('o.next_attempt_at')
              .orderBy('o.created_at')
              .limit(limit),
          ),
        ]),
      )
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return [];
    const rows = await kysely
      .selectFrom('emr_outbox')
      .selectAll()
      .where('claim_token', '=', token)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => openDelivery(this.cipher, r));
  }

  /** Records a batch of outcomes; a row reclaimed meanwhile (other token) is left alone. */
  async complete(trx: Executor, claims: ReadonlyMap<string, string>, results: readonly Completion[]): Promise<void> {
    const now = this.clock.now().toISOString();
    for (const r of results) {
      const token = claims.get(r.id);
      if (!token) continue;
      let q = trx.updateTable('emr_outbox').where('id', '=', r.id).where('claim_token', '=', token);
      if (r.outcome === 'delivered')
        q = q.set((eb) => ({
          status: 'delivered',
          attempts: eb('attempts', '+', 1),
          delivered_at: now,
          result_json: JSON.stringify(r.result),
          route: null,
          last_error_code: null,
          last_error: null,
        }));
      else if (r.outcome === 'retry')
        q = q.set((eb) => ({
          status: 'pending',
          attempts: r.attempted ? eb('attempts', '+', 1) : eb.ref('attempts'),
          next_attempt_at: r.nextAttemptAt,
          last_error_code: r.code,
          last_error: r.message,
        }));
      else
        q = q.set((eb) => ({
          status: 'failed',
          attempts: eb('attempts', '+', 1),
          route: r.route,
          last_error_code: r.code,
          last_error: r.message,
        }));
      await q.set({ claim_token: null, lease_until: null, updated_at: now }).execute();
    }
  }

  async list(status: readonly OutboxStatus[], limit: number, kinds?: readonly OutboxKind[]): Promise<DeliveryView[]> {
    let q = this.db.kysely.selectFrom('emr_outbox').selectAll();
    if (kinds) q = q.where('kind', 'in', [...kinds]);
    const rows = await q
      .where('status', 'in', [...status])
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toDeliveryView);
  }

  async get(id: string): Promise<EmrOutboxTable | undefined> {
    const row = await this.db.kysely.selectFrom('emr_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return row && openDelivery(this.cipher, row);
  }

  /** A failed or waiting delivery is due now again; returns how many rows changed. */
  async retry(ids: readonly string[] | 'all-failed', kinds?: readonly OutboxKind[]): Promise<number> {
    const now = this.clock.now().toISOString();
    let q = this.db.kysely
      .updateTable('emr_outbox')
      .set({ status: 'pending', next_attempt_at: now, updated_at: now, route: null });
    if (kinds) q = q.where('kind', 'in', [...kinds]);
    q =
      ids === 'all-failed'
        ? q.where('status', '=', 'failed')
        : q.where('id', 'in', [...ids]).where('status', 'in', ['failed', 'pending']);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Rows by status, for metrics and the admin view. */
  async depth(kinds?: readonly OutboxKind[]): Promise<Record<OutboxStatus, number>> {
    let q = this.db.kysely.selectFrom('emr_outbox');
    if (kinds) q = q.where('kind', 'in', [...kinds]);
    const rows = await q
      .select(['status', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('status', 'in', ['pending', 'delivering', 'failed'])
      .groupBy('status')
      .execute();
    const out: Record<OutboxStatus, number> = { pending: 0, delivering: 0, delivered: 0, failed: 0 };
    for (const r of rows) out[r.status as OutboxStatus] = Number(r.n);
    return out;
  }

  /** The admin dashboard's summary: depth, today's deliveries, the oldest wait, the last error code. */
  async summary(dayStartIso: string, kinds?: readonly OutboxKind[]): Promise<Omit<EmrOutboxState, 'adapter'>> {
    const from = () => {
      const q = this.db.kysely.selectFrom('emr_outbox');
      return kinds ? q.where('kind', 'in', [...kinds]) : q;
    };
    const depth = await this.depth(kinds);
    const today = await from()
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('status', '=', 'delivered')
      .where('delivered_at', '>=', dayStartIso)
      .executeTakeFirst();
    const oldest = await from()
      .select('created_at')
      .where('status', 'in', ['pending', 'delivering'])
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst();
    const lastError = await from()
      .select('last_error_code')
      .where('last_error_code', 'is not', null)
      .orderBy('updated_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    const lastDelivered = await from()
      .select('delivered_at')
      .where('delivered_at', 'is not', null)
      .orderBy('delivered_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return {
      pending: depth.pending + depth.delivering,
      failed: depth.failed,
      deliveredToday: Number(today?.n ?? 0),
      oldestPendingAt: oldest?.created_at ?? null,
      lastError: lastError?.last_error_code ?? null,
      lastDeliveredAt: lastDelivered?.delivered_at ?? null,
    };
  }

  /** Deliveries the EMR (or our validation) refused, waiting for an admin; another destination names its codes. */
  async refusedCount(codes: readonly string[] = ['emr-rejected', 'emr-invalid-content']): Promise<number> {
    const row = await this.db.kysely
      .selectFrom('emr_outbox')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('status', '=', 'failed')
      .where('last_error_code', 'in', [...codes])
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
