/**
 * Card payments approved by a kiosk's card terminal: one row per terminal transaction, the
 * terminal id + RRN its key (a repeated report is a no-op), the payment it paid. The card is kept
 * as its scheme and last 4 digits only — never a full card number.
 */
import type { Kysely, Migration } from 'kysely';

export const cardPaymentsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('card_transactions')
      .addColumn('terminal_id', 'text', (c) => c.notNull())
      .addColumn('rrn', 'text', (c) => c.notNull())
      .addColumn('payment_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text')
      .addColumn('amount_vnd', 'integer', (c) => c.notNull())
      .addColumn('approval_code', 'text', (c) => c.notNull())
      .addColumn('scheme', 'text', (c) => c.notNull())
      .addColumn('last4', 'text', (c) => c.notNull())
      /** 'paid' (it paid the payment), or why it did not: 'amount-mismatch', 'already-paid', 'late'. */
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('card_transactions_pk', ['terminal_id', 'rrn'])
      .execute();
    await db.schema.createIndex('card_transactions_payment').on('card_transactions').column('payment_id').execute();
  },
};
