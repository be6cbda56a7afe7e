/**
 * Booked appointments: found at the kiosk by booking QR, booking code or identity card, checked
 * in with one tap; status follows FHIR `Appointment.status`.
 */
import { z } from 'zod';
import { identitySchema } from './identity';

export const appointmentStatusSchema = z.enum(['booked', 'arrived', 'fulfilled', 'cancelled', 'noshow']);
export type AppointmentStatus = z.infer<typeof appointmentStatusSchema>;

/** Booking codes as the confirmation SMS prints them: 6–12 letters and digits. */
export const bookingCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[0-9A-Z]{6,12}$/u);

/** What the kiosk shows of an appointment: no name, no ID number. */
export const appointmentSchema = z.object({
  appointmentId: z.string().min(1).max(64),
  /** Where it came from: the EMR (FHIR/SIU) or our own database. */
  source: z.enum(['emr', 'local']),
  bookingCode: z.string().max(12),
  serviceId: z.string().min(1).max(64),
  serviceName: z.object({ vi: z.string(), en: z.string() }).optional(),
  room: z.string().max(32).optional(),
  doctor: z.string().max(120).optional(),
  startsAt: z.string().datetime({ offset: true }),
  status: appointmentStatusSchema,
  /** Where the appointment time falls against now: decides the queue position at check-in. */
  timing: z.enum(['early', 'on-time', 'late']).optional(),
});
export type Appointment = z.infer<typeof appointmentSchema>;

/** How the patient identifies their booking at the kiosk. */
export const appointmentLookupSchema = z.discriminatedUnion('by', [
  /** The scanned booking QR; the raw payload never reaches a log. */
  z.object({ by: z.literal('booking-qr'), payload: z.string().min(1).max(512) }),
  z.object({ by: z.literal('booking-code'), code: bookingCodeSchema }),
  z.object({ by: z.literal('identity'), identity: identitySchema }),
]);
export type AppointmentLookup = z.infer<typeof appointmentLookupSchema>;

/** One tap: check in for this appointment. */
export const appointmentCheckInRequestSchema = z.object({
  checkInId: z.string().uuid(),
  appointmentId: z.string().min(1).max(64),
  /** The booking code or identity the lookup used: proves the kiosk user found this appointment. */
  lookup: appointmentLookupSchema,
  consent: z.literal(true),
});
export type AppointmentCheckInRequest = z.infer<typeof appointmentCheckInRequestSchema>;

/** Staff book, move and cancel appointments in local mode. */
export const appointmentBookRequestSchema = z.object({
  serviceId: z.string().min(1).max(64),
  startsAt: z.string().datetime({ offset: true }),
  doctor: z.string().max(120).optional(),
  /** The patient as registered at the counter: sealed at rest, matched by the keyed hash of an ID number. */
  identity: identitySchema.refine((i) => i.idNumber !== undefined || i.insuranceNumber !== undefined, {
    message: 'a CCCD or BHYT number is needed to find the booking again',
  }),
});
export type AppointmentBookRequest = z.infer<typeof appointmentBookRequestSchema>;
export const appointmentMoveRequestSchema = z.object({ startsAt: z.string().datetime({ offset: true }) });

/**
 * The booked-patient window: a booked patient is called by appointment time when they arrive
 * between `earlyMin` before and `lateMin` after it; earlier waits until the window opens, later
 * joins the normal queue.
 */
export const appointmentWindowSchema = z.object({
  earlyMin: z.number().int().min(0).max(240).default(30),
  lateMin: z.number().int().min(0).max(240).default(15),
});
export type AppointmentWindow = z.infer<typeof appointmentWindowSchema>;

/**
 * A booking QR from the hospital's app or SMS link: either the bare booking code, or a URL whose
 * `code` (or `booking`) query parameter holds it. Anything else is not a booking QR.
 */
export function bookingCodeFromQr(payload: string): string | undefined {
  const text = payload.trim().slice(0, 512);
  const bare = bookingCodeSchema.safeParse(text);
  if (bare.success) return bare.data;
  const query = /[?&](?:code|booking)=([0-9A-Za-z]{6,12})(?:&|#|$)/u.exec(text);
  return query?.[1]?.toUpperCase();
}
