import { z } from 'zod';
import { identitySchema } from './identity';

/** Why a scanned payload was not accepted. */
export const scanRejectionSchema = z.enum([
  'empty',
  'too-long',
  'not-utf8',
  'wrong-field-count',
  'bad-id-number',
  'bad-date',
  'bad-sex',
  'bad-card-number',
  'bad-hex',
  'missing-name',
  'unknown-format',
]);
export type ScanRejection = z.infer<typeof scanRejectionSchema>;

export const scanKindSchema = z.enum(['cccd-qr', 'bhyt-qr', 'ticket-qr', 'booking-qr', 'unknown']);

/** A scan after classification, as the kiosk UI receives it (never the raw payload). */
export const classifiedScanSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cccd-qr'), identity: identitySchema }),
  z.object({ kind: z.literal('bhyt-qr'), identity: identitySchema }),
  z.object({ kind: z.literal('ticket-qr'), lookupCode: z.string().max(64) }),
  /** A booking confirmation's QR (the bare code or the hospital app's link): only the code is passed on. */
  z.object({ kind: z.literal('booking-qr'), bookingCode: z.string().max(12) }),
  z.object({ kind: z.literal('rejected'), claimed: scanKindSchema, reason: scanRejectionSchema }),
]);
export type ClassifiedScan = z.infer<typeof classifiedScanSchema>;
