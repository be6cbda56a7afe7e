/**
 * The ticket's public status page and the patient's phone: where the directions are, when the
 * patient is told, and which channels the hospital offers (Web Push needs a VAPID key pair; Zalo
 * ZNS and SMS need the hospital's provider account).
 */
import { z } from 'zod';
import { publicBaseUrlOf } from '@kiosk/protocol';

const optionalUrl = z
  .string()
  .url()
  .optional()
  .or(z.literal('').transform(() => undefined));

export const ticketStatusConfigShape = {
  /**
   * The server's address as patients' phones reach it (`https://benhvien.example.vn`: http(s), a
   * host and port, no path or query). Every ticket's QR then opens its status page
   * (`<PUBLIC_URL>/t/<code>`); unset, the QR stays `TK:<code>` (counter and kiosk scanners only).
   */
  PUBLIC_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const origin = publicBaseUrlOf(v);
      if (origin === undefined)
        ctx.addIssue({ code: 'custom', message: 'expected http(s)://host[:port], no path, query or credentials' });
      return origin;
    }),
  /** The hospital's directions (a map or a page), linked from the status page. */
  STATUS_DIRECTIONS_URL: optionalUrl,
  /** Tell an opted-in patient when this many people (or fewer) are ahead. */
  STATUS_NOTIFY_PLACES_AHEAD: z.coerce.number().int().min(0).max(100).default(3),
  /** Unknown codes an address may try at once, then per minute; past that: 'rate-limited'. */
  STATUS_GUESS_BURST: z.coerce.number().int().min(1).max(10_000).default(10),
  STATUS_GUESS_PER_MINUTE: z.coerce.number().positive().max(10_000).default(6),
  /** How often the end-of-day sweep deletes opt-ins (and phone numbers) of past days. */
  STATUS_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(600_000),
  /** Web Push: the VAPID key pair (base64url, `web-push generate-vapid-keys`) and a contact. */
  VAPID_PUBLIC_KEY: z.string().min(40).max(200).optional(),
  VAPID_PRIVATE_KEY: z.string().min(20).max(200).optional(),
  VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:)/u, 'mailto: or https:')
    .default('mailto:it@example.invalid'),
  /** A CA (PEM file) to trust for push services besides the system's (an on-premise relay; tests). */
  WEB_PUSH_CA_FILE: z.string().min(1).optional(),
  /** The phone channel the hospital offers beside Web Push. */
  NOTIFY_PHONE_CHANNEL: z.enum(['none', 'zalo-zns', 'sms']).default('none'),
  NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  NOTIFY_RETRY_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  NOTIFY_RETRY_BASE_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  ZNS_API_URL: z.string().url().default('https://business.openapi.zalo.me'),
  ZNS_OAUTH_URL: z.string().url().default('https://oauth.zaloapp.com'),
  ZNS_APP_ID: z.string().optional(),
  ZNS_SECRET_KEY: z.string().optional(),
  ZNS_REFRESH_TOKEN: z.string().optional(),
  ZNS_TEMPLATE_NEAR: z.string().optional(),
  ZNS_TEMPLATE_CALLED: z.string().optional(),
  SMS_URL: z.string().url().optional(),
  SMS_API_KEY: z.string().optional(),
  SMS_BRANDNAME: z.string().max(11).default('BENHVIEN'),
};
