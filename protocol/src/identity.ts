import { z } from 'zod';
import { cleanAddress, cleanName, MAX_ADDRESS_LENGTH, MAX_NAME_LENGTH } from './text';

/** ISO date `YYYY-MM-DD`, or `YYYY` alone where the source gives only a year (old BHYT cards). */
export const partialDateSchema = z.string().regex(/^\d{4}(-\d{2}-\d{2})?$/u, 'expected YYYY-MM-DD or YYYY');
export const sexSchema = z.enum(['male', 'female', 'other']);
export const identitySourceSchema = z.enum(['cccd-qr', 'bhyt-qr', 'chip', 'manual']);

/** A person as identified at the kiosk. Lives in memory for the session only. */
export const identitySchema = z.object({
  source: identitySourceSchema,
  /** 12-digit CCCD number. */
  idNumber: z
    .string()
    .regex(/^\d{12}$/u)
    .optional(),
  /** Old 9-digit CMND number. */
  oldIdNumber: z
    .string()
    .regex(/^\d{9}$/u)
    .optional(),
  /** BHYT card number (15 characters, or the newer 10-character code). */
  insuranceNumber: z
    .string()
    .regex(/^[A-Z0-9]{10}$|^[A-Z]{2}\d{13}$/u)
    .optional(),
  /** Cleaned on parse (`cleanName`: NFC, no control, bidi or zero-width characters), so every path in stores one form. */
  fullName: z
    .string()
    .max(4 * MAX_NAME_LENGTH)
    .transform(cleanName)
    .pipe(z.string().min(1).max(MAX_NAME_LENGTH)),
  dateOfBirth: partialDateSchema,
  sex: sexSchema.optional(),
  address: z
    .string()
    .max(4 * MAX_ADDRESS_LENGTH)
    .transform(cleanAddress)
    .pipe(z.string().max(MAX_ADDRESS_LENGTH))
    .optional(),
  /** CCCD issue date. */
  issueDate: partialDateSchema.optional(),
  /** BHYT registered primary-care facility code, e.g. `92012`. */
  primaryCareFacility: z.string().max(10).optional(),
  insuranceValidFrom: partialDateSchema.optional(),
  insuranceValidTo: partialDateSchema.optional(),
});
export type Identity = z.infer<typeof identitySchema>;
