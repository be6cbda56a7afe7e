/**
 * Admin page ↔ server, namespace /admin (staff session with role admin). Facts are
 * `noun:past-tense`; commands are `noun:verb` in a command table (socket-command.ts).
 */
import { z } from 'zod';
import { answers, type CommandEvents } from './socket-command';
import type { FleetAlert } from './operations';

/** Open alerts only, unless `includeResolved` (GET /api/admin/alerts takes the same from its query string). */
export const alertListSchema = z.object({ includeResolved: z.boolean().optional() });

export const adminCommands = {
  'alerts:list': answers<FleetAlert[]>()(alertListSchema),
} as const;
export type AdminToServerEvents = CommandEvents<typeof adminCommands>;

export interface ServerToAdminEvents {
  /** An alert was raised or resolved. */
  'alert:changed': (alert: FleetAlert) => void;
}
