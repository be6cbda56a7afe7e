/**
 * The ticket's public status page (`/t/<code>`, the code the ticket's QR carries) ↔ server,
 * namespace /ticket-status, open to anyone who holds a code. What it answers is the queue as
 * the patient standing in it sees it: the number, the clinic and room, people ahead, the wait,
 * the room a call sends them to. Never a name, an ID number or anything else of the patient.
 * A code lives as long as its visit (its day, and until the visit's last ticket is done): after
 * that it answers 'expired'. Unknown codes are counted per address and refused past a small
 * budget ('rate-limited'), so codes cannot be guessed by trying.
 * Browser-safe: zod only.
 */
import { z } from 'zod';
import { answers, type CommandEvents } from './socket-command';

/** A ticket lookup code as issued: 12 characters of the 32-letter alphabet without look-alikes. */
export const ticketLookupCodeSchema = z.string().regex(/^[A-HJ-NP-Z2-9]{12}$/u, 'not a ticket code');

/** Channels a patient may ask to be told on; which of them a facility offers is its configuration. */
export const notifyChannelSchema = z.enum(['web-push', 'zalo-zns', 'sms']);
export type NotifyChannel = z.infer<typeof notifyChannelSchema>;

export const ticketPublicStatusSchema = z.object({
  code: z.string(),
  number: z.string(),
  /** 'waiting' (skipped tickets wait to be called again), 'called' (go to `calledTo`). */
  state: z.enum(['waiting', 'called', 'skipped']),
  service: z.object({ vi: z.string(), en: z.string() }),
  room: z.string(),
  floor: z.number().int(),
  /** People who would be called before this ticket if nobody else arrived (null when called). */
  ahead: z.number().int().nonnegative().nullable(),
  /** From the service's pace; null when called. */
  estimatedWaitMs: z.number().int().nonnegative().nullable(),
  /** Where the call sends the patient: the counter or room the staff member called from. */
  calledTo: z.string().nullable(),
  issuedAt: z.string(),
  hospitalName: z.string(),
  /** The hospital's own directions (a map or a page); none configured: absent. */
  directionsUrl: z.string().optional(),
  /** What the patient may opt in to: tell when `placesAhead` people remain ahead, or when called. */
  notify: z.object({
    placesAhead: z.number().int().nonnegative(),
    channels: z.array(notifyChannelSchema),
    /** Web Push's application server key (VAPID, base64url), when Web Push is offered. */
    vapidPublicKey: z.string().optional(),
  }),
  /** When the answer was made (server clock). */
  at: z.string(),
});
export type TicketPublicStatus = z.infer<typeof ticketPublicStatusSchema>;

/** A browser's PushSubscription as `toJSON()` gives it. */
export const pushSubscriptionSchema = z.object({
  endpoint: z
    .string()
    .url()
    .max(1024)
    .refine((u) => /^https?:\/\//u.test(u), 'an http(s) endpoint'),
  keys: z.object({ p256dh: z.string().min(1).max(200), auth: z.string().min(1).max(100) }),
});
export type PushSubscriptionJson = z.infer<typeof pushSubscriptionSchema>;

/** A Vietnamese mobile number, national (0…) or international (+84…/84…) form. */
export const vietnamPhoneSchema = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s.-]/gu, ''))
  .pipe(z.string().regex(/^(\+?84|0)[35789]\d{8}$/u, 'not a Vietnamese mobile number'))
  .transform((s) => `84${s.replace(/^\+?84|^0/u, '')}`);

export const notifySubscribeSchema = z.discriminatedUnion('channel', [
  z.object({ code: ticketLookupCodeSchema, channel: z.literal('web-push'), subscription: pushSubscriptionSchema }),
  z.object({ code: ticketLookupCodeSchema, channel: z.literal('zalo-zns'), phone: vietnamPhoneSchema }),
  z.object({ code: ticketLookupCodeSchema, channel: z.literal('sms'), phone: vietnamPhoneSchema }),
]);
export type NotifySubscribe = z.input<typeof notifySubscribeSchema>;

/** What a notification says (Web Push payload; ZNS and SMS render it in their own template). */
export const ticketNotificationSchema = z.object({
  kind: z.enum(['near', 'called']),
  code: z.string(),
  number: z.string(),
  ahead: z.number().int().nonnegative().nullable(),
  calledTo: z.string().nullable(),
  title: z.object({ vi: z.string(), en: z.string() }),
  body: z.object({ vi: z.string(), en: z.string() }),
});
export type TicketNotification = z.infer<typeof ticketNotificationSchema>;

/** A kiosk asks a scanned ticket's status (page → agent → server): the same answer as the phone's page. */
export const ticketStatusRequestSchema = z.object({ code: ticketLookupCodeSchema });
export type TicketStatusRequest = z.infer<typeof ticketStatusRequestSchema>;

export const ticketStatusCommands = {
  /** Answers the ticket's status and sends `status:changed` on every change until disconnect. */
  'status:watch': answers<TicketPublicStatus>()(z.object({ code: ticketLookupCodeSchema })),
  /** Opts in to one channel for this visit; stored only until the visit ends. */
  'notify:subscribe': answers<{ channel: NotifyChannel }>()(notifySubscribeSchema),
  /** Opts out of every channel of this ticket (the phone number is erased at once). */
  'notify:unsubscribe': answers<{ removed: number }>()(z.object({ code: ticketLookupCodeSchema })),
};

export type TicketStatusToServerEvents = CommandEvents<typeof ticketStatusCommands>;

export interface ServerToTicketStatusEvents {
  'status:changed': (status: TicketPublicStatus) => void;
  /** The visit ended (done, or the day is over): the code no longer answers. */
  'status:expired': (payload: { code: string }) => void;
}
