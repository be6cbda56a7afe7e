/**
 * The kiosk's look as an admin sets it (Admin → Giao diện ki-ốt): the hospital's name in
 * Vietnamese and English, its primary colour, its logo (PNG or SVG, bounded, checked before it is
 * stored). One row for the site (`id` 'site'); no personal data.
 */
import type { Kysely, Migration } from 'kysely';

export const kioskBrandingMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('kiosk_branding')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('hospital_name_vi', 'text', (c) => c.notNull())
      .addColumn('hospital_name_en', 'text', (c) => c.notNull())
      /** `#rrggbb`, or empty: the kiosk's own colour. */
      .addColumn('primary_color', 'text', (c) => c.notNull())
      .addColumn('logo_mime', 'text')
      .addColumn('logo_base64', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();
  },
};
