/**
 * The patient's phone: opt-ins to be told when a ticket nears the front or is called (Web Push
 * subscriptions, or a phone number for Zalo ZNS or SMS, sealed like every personal value). A row
 * lives only as long as its visit: it is deleted when the visit's last ticket ends and by the
 * end-of-day sweep, so no phone number outlives the visit it was given for.
 */
import type { Kysely, Migration } from 'kysely';

export const ticketStatusNotificationsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('notify_subscriptions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('ticket_id', 'text', (c) => c.notNull())
      .addColumn('visit_id', 'text', (c) => c.notNull())
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      /** Web Push: the subscription (endpoint and keys) as JSON. */
      .addColumn('push_json', 'text')
      /** ZNS / SMS: the phone number, sealed (ColumnCipher). */
      .addColumn('phone', 'text')
      .addColumn('near_sent_at', 'text')
      .addColumn('called_sent_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('notify_subscriptions_ticket_idx')
      .on('notify_subscriptions')
      .column('ticket_id')
      .execute();
    await db.schema
      .createIndex('notify_subscriptions_service_idx')
      .on('notify_subscriptions')
      .columns(['service_id', 'day'])
      .execute();
    await db.schema
      .createIndex('notify_subscriptions_visit_idx')
      .on('notify_subscriptions')
      .column('visit_id')
      .execute();
  },
};
