/**
 * The Personal Data Protection Law (91/2025/QH15, in force 1 January 2026) and Decree 13/2023 as
 * the admin pages see them: the register of processing purposes, data-subject requests (export,
 * erasure), consent withdrawal, and the breach log with its 72-hour notification deadline.
 */
import { z } from 'zod';

/** Kinds of data the server keeps, each with its own retention. */
export const dataKinds = [
  'identity',
  'visit',
  'ticket',
  'insurance-check',
  'checkin-record',
  'emr-delivery',
  'consent',
  'access-audit',
  'breach',
  'daily-kpi',
  'appointment',
  'payment',
  'notification',
  'identity-conflict',
] as const;
export const dataKindSchema = z.enum(dataKinds);
export type DataKind = z.infer<typeof dataKindSchema>;

/** Purposes a patient may withdraw consent from (what stops, what is erased: see the register). */
export const withdrawablePurposes = ['check-in', 'emr-transfer', 'insurance-check'] as const;
export const withdrawalSchema = z.object({ purpose: z.enum(withdrawablePurposes).default('check-in') });
export type WithdrawablePurpose = (typeof withdrawablePurposes)[number];

/** A register text in Vietnamese and English (the staff pages show the staff member's language). */
export type RegisterText = { vi: string; en: string };

export interface ProcessingPurpose {
  id: string;
  name: RegisterText;
  /** What the data is used for, in a sentence. */
  description: RegisterText;
  dataKinds: DataKind[];
  /** Data the law treats as sensitive (health, biometric …) that this purpose touches. */
  sensitive: RegisterText[];
  legalBasis: RegisterText;
  recipients: RegisterText[];
  /** What a withdrawal of consent does, or null when the purpose does not rest on consent. */
  onWithdrawal: RegisterText | null;
}

export interface RetentionRule {
  kind: DataKind;
  /** Days kept, or null when kept as long as its parent record. */
  days: number | null;
  /** Kept through an erasure request because a law requires it. */
  legalHold: boolean;
  basis: RegisterText;
}

export interface ProcessingRegister {
  controller: string;
  purposes: ProcessingPurpose[];
  retention: RetentionRule[];
}

/** What an erasure did: rows removed by kind, and what was kept with the reason. */
export interface ErasureReport {
  patientId: string;
  erasedAt: string;
  removed: Record<string, number>;
  kept: { kind: DataKind; reason: string }[];
}

export const breachInputSchema = z.object({
  discoveredAt: z.iso.datetime({ offset: true }),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  description: z.string().min(1).max(2000),
  dataKinds: z.array(dataKindSchema).min(1).max(dataKinds.length),
  subjectsEstimate: z.number().int().min(0).max(100_000_000).optional(),
  measures: z.string().max(2000).optional(),
});
export type BreachInput = z.infer<typeof breachInputSchema>;

export const breachPatchSchema = z
  .object({
    notifiedAt: z.iso.datetime({ offset: true }).optional(),
    notificationRef: z.string().min(1).max(200).optional(),
    measures: z.string().max(2000).optional(),
    closed: z.boolean().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');

/** Breaches must be notified to the authority within this long of their discovery. */
export const BREACH_NOTIFICATION_HOURS = 72;

export interface BreachRecord {
  id: string;
  discoveredAt: string;
  occurredAt: string | null;
  description: string;
  dataKinds: DataKind[];
  subjectsEstimate: number | null;
  measures: string | null;
  recordedBy: string;
  recordedAt: string;
  /** discoveredAt + 72 hours. */
  notifyBy: string;
  notifiedAt: string | null;
  notificationRef: string | null;
  /** Not notified and past notifyBy. */
  overdue: boolean;
  closedAt: string | null;
}
