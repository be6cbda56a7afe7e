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

export const scanKindSchema = z.enum([
  'cccd-qr',
  'bhyt-qr',
  'ticket-qr',
  'booking-qr',
  'vneid-qr',
  'cccd-2024-qr',
  'unknown',
]);

/** A scan after classification, as the kiosk UI receives it (never the raw payload). */
export const classifiedScanSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cccd-qr'), identity: identitySchema }),
  z.object({ kind: z.literal('bhyt-qr'), identity: identitySchema }),
  z.object({ kind: z.literal('ticket-qr'), lookupCode: z.string().max(64) }),
  /** A booking confirmation's QR (the bare code or the hospital app's link): only the code is passed on. */
  z.object({ kind: z.literal('booking-qr'), bookingCode: z.string().max(12) }),
  /**
   * The VNeID app's QR: its payload is not publicly specified and is verified online by the identity
   * service, so nothing is read from it; the patient is sent to the counter (or to their card's chip).
   */
  z.object({ kind: z.literal('vneid-qr'), hint: z.literal('go-to-counter') }),
  /**
   * The QR on the back of the 2024 căn cước (household data, layout unconfirmed): nothing is read
   * from it; the card's chip identifies the patient.
   */
  z.object({ kind: z.literal('cccd-2024-qr'), hint: z.literal('place-card') }),
  z.object({ kind: z.literal('rejected'), claimed: scanKindSchema, reason: scanRejectionSchema }),
]);
export type ClassifiedScan = z.infer<typeof classifiedScanSchema>;
