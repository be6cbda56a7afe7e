/**
 * Read models the staff pages need from the server beyond the queue itself: the admin's live
 * statistics and the EMR outbox state. Contracts for routes the server is to provide:
 *   GET /api/admin/stats?day=YYYY-MM-DD  → AdminStats (today when `day` is absent)
 *   GET /api/admin/emr/outbox            → EmrOutboxState
 *   POST /api/counter/check-ins          (body: CheckInRequest, identity.source 'manual') → CheckInReceipt
 * No personal data in any of them.
 */
import { z } from 'zod';

export const adminStatsQuerySchema = z.object({
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/u)
    .optional(),
});

export interface AdminStats {
  /** Facility day the figures are for. */
  day: string;
  /** Check-ins (tickets issued) per local hour 0–23; hours without any may be left out. */
  checkInsByHour: { hour: number; checkIns: number }[];
  /** Per active service: tickets issued, called, no-shows, and the mean wait from issue to first call. */
  services: { serviceId: string; tickets: number; called: number; noShows: number; meanWaitMs: number | null }[];
  /** No-shows over tickets called or skipped to the end, 0–1; null before any call. */
  noShowRate: number | null;
}

export interface EmrOutboxState {
  /** Adapter in use: 'fhir-r4', 'hl7v2-mllp', 'none'. */
  adapter: string;
  pending: number;
  failed: number;
  deliveredToday: number;
  oldestPendingAt: string | null;
  /** Machine code of the last delivery error, never personal data. */
  lastError: string | null;
  lastDeliveredAt: string | null;
}

/**
 *   GET /api/admin/portal/outbox → PortalOutboxState: Decision 4750 records on their way to the
 *   social-insurance data portal, shown beside the EMR's.
 */
export interface PortalOutboxState extends Omit<EmrOutboxState, 'adapter'> {
  /** PORTAL_URL and credentials are set. */
  configured: boolean;
  /** New check-ins send their record (PORTAL_MODE, or the facility's own switch). */
  enabled: boolean;
}

export const portalSettingSchema = z.object({ enabled: z.boolean() });
