/**
 * The price list, payment intents and the bank's notifications. Methods taking `trx` run inside
 * the caller's unit of work (see executor.ts); a notification and the payment it settles commit
 * together, so a repeat of the same bank transaction finds its row and changes nothing.
 */
import type { Updateable } from 'kysely';
import type { Db } from '../db/database';
import type {
  BankNotificationTable,
  CardTransactionTable,
  PaymentInvoiceTable,
  PaymentTable,
  PriceListTable,
} from '../db/schema';
import type { Executor } from './executor';

export interface ReconciliationLine {
  payment: PaymentTable;
  notification: BankNotificationTable | undefined;
}

export class PaymentRepository {
  constructor(private readonly db: Db) {}

  /** Moves a payment from state `from` with `changes` (its new state among them); false when it was not in `from`. */
  private async transition(
    db: Executor,
    paymentId: string,
    from: PaymentTable['state'],
    changes: Updateable<PaymentTable>,
  ): Promise<boolean> {
    const r = await db
      .updateTable('payments')
      .set(changes)
      .where('id', '=', paymentId)
      .where('state', '=', from)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async price(serviceId: string, patientClass: string): Promise<number | undefined> {
    const row = await this.db.kysely
      .selectFrom('price_list')
      .select('amount_vnd')
      .where('service_id', '=', serviceId)
      .where('patient_class', '=', patientClass)
      .executeTakeFirst();
    return row?.amount_vnd;
  }

  async prices(): Promise<PriceListTable[]> {
    return this.db.kysely.selectFrom('price_list').selectAll().orderBy('service_id').orderBy('patient_class').execute();
  }

  /** Replaces the whole price list. */
  async replacePrices(trx: Executor, rows: readonly PriceListTable[]): Promise<void> {
    await trx.deleteFrom('price_list').execute();
    if (rows.length > 0)
      await trx
        .insertInto('price_list')
        .values([...rows])
        .execute();
  }

  /** Inserts a new intent; false when one with this id exists already (a retried start). */
  async insert(row: PaymentTable): Promise<boolean> {
    const r = await this.db.kysely
      .insertInto('payments')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async byId(paymentId: string): Promise<PaymentTable | undefined> {
    return this.db.kysely.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirst();
  }

  async byVisit(visitId: string): Promise<PaymentTable[]> {
    return this.db.kysely.selectFrom('payments').selectAll().where('visit_id', '=', visitId).execute();
  }

  /** Pending intents whose time ran out, now marked expired; returns them. */
  async expireDue(now: string): Promise<PaymentTable[]> {
    return this.db.kysely
      .updateTable('payments')
      .set({ state: 'expired' })
      .where('state', '=', 'pending')
      .where('expires_at', '<=', now)
      .returningAll()
      .execute();
  }

  /** Binds a payment to the visit its ticket was issued for. */
  async attachVisit(paymentId: string, visitId: string): Promise<void> {
    await this.db.kysely.updateTable('payments').set({ visit_id: visitId }).where('id', '=', paymentId).execute();
  }

  /** A pending intent abandoned (the patient left, chose the cashier); false when not pending. */
  async cancel(paymentId: string): Promise<boolean> {
    return this.transition(this.db.kysely, paymentId, 'pending', { state: 'cancelled' });
  }

  /** Payments and the notification that settled each, for one facility day. */
  async reconciliation(day: string): Promise<ReconciliationLine[]> {
    const payments = await this.db.kysely
      .selectFrom('payments')
      .selectAll()
      .where('day', '=', day)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const notes = await this.notificationsOf(day);
    const byPayment = new Map(notes.filter((n) => n.payment_id).map((n) => [n.payment_id, n]));
    return payments.map((payment) => ({ payment, notification: byPayment.get(payment.id) }));
  }

  async notificationsOf(day: string): Promise<BankNotificationTable[]> {
    return this.db.kysely
      .selectFrom('bank_notifications')
      .selectAll()
      .where('day', '=', day)
      .orderBy('received_at')
      .execute();
  }

  // ---- inside a unit of work -------------------------------------------------------------------

  /** Stores a notification once per bank transaction id; false when it was stored before. */
  async recordNotification(trx: Executor, row: BankNotificationTable): Promise<boolean> {
    const r = await trx
      .insertInto('bank_notifications')
      .values(row)
      .onConflict((oc) => oc.column('transaction_id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /** Stores a card terminal's transaction once; false when this terminal id + RRN is known already. */
  async recordCardTransaction(trx: Executor, row: CardTransactionTable): Promise<boolean> {
    const r = await trx
      .insertInto('card_transactions')
      .values(row)
      .onConflict((oc) => oc.columns(['terminal_id', 'rrn']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async setCardOutcome(trx: Executor, terminalId: string, rrn: string, outcome: string): Promise<void> {
    await trx
      .updateTable('card_transactions')
      .set({ outcome })
      .where('terminal_id', '=', terminalId)
      .where('rrn', '=', rrn)
      .execute();
  }

  /** The card transaction that paid a payment, if one did. */
  async cardOf(paymentId: string): Promise<CardTransactionTable | undefined> {
    return this.db.kysely
      .selectFrom('card_transactions')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .where('outcome', '=', 'paid')
      .executeTakeFirst();
  }

  async notification(trx: Executor, transactionId: string): Promise<BankNotificationTable | undefined> {
    return trx
      .selectFrom('bank_notifications')
      .selectAll()
      .where('transaction_id', '=', transactionId)
      .executeTakeFirst();
  }

  async byReference(trx: Executor, reference: string): Promise<PaymentTable | undefined> {
    return trx.selectFrom('payments').selectAll().where('reference', '=', reference).executeTakeFirst();
  }

  /** pending → paid; false when the payment is no longer pending. */
  async markPaid(trx: Executor, paymentId: string, at: string, transactionId: string): Promise<boolean> {
    return this.transition(trx, paymentId, 'pending', {
      state: 'paid',
      paid_at: at,
      bank_transaction_id: transactionId,
    });
  }

  async setOutcome(trx: Executor, transactionId: string, outcome: string, paymentId: string | null): Promise<void> {
    await trx
      .updateTable('bank_notifications')
      .set({ outcome, payment_id: paymentId })
      .where('transaction_id', '=', transactionId)
      .execute();
  }

  /** paid → refunded (a cancelled visit); false when the payment was not paid. */
  async refund(trx: Executor, paymentId: string, at: string, by: string): Promise<boolean> {
    return this.transition(trx, paymentId, 'paid', { state: 'refunded', refunded_at: at, refunded_by: by });
  }

  /** The e-invoice issued for a payment; a repeat (the same invoice again) changes nothing. */
  async recordInvoice(trx: Executor, row: PaymentInvoiceTable): Promise<void> {
    await trx
      .insertInto('payment_invoices')
      .values(row)
      .onConflict((oc) => oc.column('payment_id').doNothing())
      .execute();
  }

  async invoiceOf(paymentId: string): Promise<PaymentInvoiceTable | undefined> {
    return this.db.kysely
      .selectFrom('payment_invoices')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .executeTakeFirst();
  }

  /** The e-invoices of one facility day's payments, by payment id. */
  async invoicesOf(day: string): Promise<Map<string, PaymentInvoiceTable>> {
    const rows = await this.db.kysely
      .selectFrom('payment_invoices as i')
      .innerJoin('payments as p', 'p.id', 'i.payment_id')
      .selectAll('i')
      .where('p.day', '=', day)
      .execute();
    return new Map(rows.map((r) => [r.payment_id, r]));
  }
}
