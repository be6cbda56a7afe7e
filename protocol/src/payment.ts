/**
 * Fee payment at the kiosk: the price list, payment intents with their per-visit reference, and
 * the bank's transfer notification as our webhook accepts it.
 */
import { z } from 'zod';

/** Who pays what: insured (in-route), fee-paying, insured but out of route. */
export const patientClassSchema = z.enum(['insured', 'fee-paying', 'insured-out-of-route']);
export type PatientClass = z.infer<typeof patientClassSchema>;

export const priceEntrySchema = z.object({
  serviceId: z.string().min(1).max(64),
  patientClass: patientClassSchema,
  /** Integer VND the patient pays at the kiosk; 0: nothing to pay. */
  amountVnd: z.number().int().nonnegative().max(1_000_000_000),
});
export type PriceEntry = z.infer<typeof priceEntrySchema>;
export const priceListSchema = z.array(priceEntrySchema).max(2000);

/**
 * The per-visit payment reference written into the VietQR (field 62/08) and echoed back in the
 * bank's transfer content: `KP`, nine Crockford base-32 characters, one check character. The
 * alphabet has no I, L, O, U, so bank apps that upper-case or re-space the content keep it intact.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const PAYMENT_REFERENCE_PATTERN = /^KP[0-9A-HJKMNP-TV-Z]{10}$/u;
export const paymentReferenceSchema = z.string().regex(PAYMENT_REFERENCE_PATTERN);

/** Multiplication in GF(32) modulo x^5 + x^2 + 1. */
function gf32Mul(a: number, b: number): number {
  let product = 0;
  for (let x = a, y = b; y > 0; y >>= 1) {
    if (y & 1) product ^= x;
    x <<= 1;
    if (x & 32) x ^= 0b100101;
  }
  return product;
}

/** A weighted sum over GF(32) with distinct non-zero weights: any one wrong character changes it. */
function checkChar(body: string): string {
  let sum = 0;
  for (const [i, ch] of [...body].entries()) sum ^= gf32Mul(CROCKFORD.indexOf(ch), i + 2);
  return CROCKFORD[sum] ?? '0';
}

/** A new reference from 9 random bytes' worth of entropy (45 bits). */
export function makePaymentReference(random: (n: number) => Uint8Array): string {
  const bytes = random(9);
  let body = '';
  for (const b of bytes) body += CROCKFORD[b & 31] ?? '0';
  return `KP${body}${checkChar(body)}`;
}

export function isPaymentReference(text: string): boolean {
  return PAYMENT_REFERENCE_PATTERN.test(text) && checkChar(text.slice(2, 11)) === text.slice(11);
}

/**
 * Find our reference inside a bank's free-text transfer content ("MBVCB.123.KP… CT tu …"):
 * upper-cased, separators dropped, the first candidate whose check character holds. Bounded
 * input, no backtracking; never throws.
 */
export function findPaymentReference(content: string): string | undefined {
  const squeezed = content
    .slice(0, 500)
    .toUpperCase()
    .replace(/[^0-9A-Z]/gu, '');
  for (let at = squeezed.indexOf('KP'); at >= 0; at = squeezed.indexOf('KP', at + 1)) {
    const candidate = squeezed.slice(at, at + 12);
    if (isPaymentReference(candidate)) return candidate;
  }
  return undefined;
}

export const paymentStateSchema = z.enum(['pending', 'paid', 'expired', 'cancelled', 'refunded']);
export type PaymentState = z.infer<typeof paymentStateSchema>;
export const paymentMethodSchema = z.enum(['vietqr', 'card', 'cashier']);
export type PaymentMethod = z.infer<typeof paymentMethodSchema>;

/** What the kiosk shows while the patient pays. */
export const paymentIntentSchema = z.object({
  paymentId: z.string().min(1).max(64),
  reference: paymentReferenceSchema,
  serviceId: z.string().min(1).max(64),
  patientClass: patientClassSchema,
  amountVnd: z.number().int().positive(),
  method: paymentMethodSchema,
  state: paymentStateSchema,
  /** The VietQR payload to draw (and print). */
  qrPayload: z.string().max(512),
  /** The bank account the transfer goes to, for the screen. */
  beneficiary: z.object({
    bankName: z.string().max(80),
    accountNumber: z.string().max(19),
    accountName: z.string().max(80),
  }),
  createdAt: z.string().datetime({ offset: true }),
  /** After this the kiosk stops waiting and sends the patient to the cashier. */
  expiresAt: z.string().datetime({ offset: true }),
  paidAt: z.string().datetime({ offset: true }).optional(),
  /** A card payment: the card as the receipt names it ("Thẻ ••••1234"), never more. */
  card: z
    .object({
      scheme: z.string().max(16),
      last4: z.string().regex(/^\d{4}$/u),
      approvalCode: z.string().max(6),
      rrn: z.string().max(12),
    })
    .optional(),
  /** The e-invoice, once the provider issued it: the receipt prints where and how to look it up. */
  invoice: z
    .object({
      number: z.string().max(32),
      lookupCode: z.string().max(64),
      lookupUrl: z.string().max(300),
    })
    .optional(),
});
export type PaymentIntent = z.infer<typeof paymentIntentSchema>;

/** The kiosk asks for the amount due and, when due, a payment intent. */
export const paymentQuoteRequestSchema = z.object({
  serviceId: z.string().min(1).max(64),
  patientClass: patientClassSchema,
});
export type PaymentQuoteRequest = z.infer<typeof paymentQuoteRequestSchema>;
export const paymentQuoteSchema = z.object({
  serviceId: z.string(),
  patientClass: patientClassSchema,
  amountVnd: z.number().int().nonnegative(),
});
export type PaymentQuote = z.infer<typeof paymentQuoteSchema>;

export const paymentStartRequestSchema = paymentQuoteRequestSchema.extend({
  /** Client-generated; a retry returns the same intent. */
  paymentId: z.string().uuid(),
  /** How the patient pays at the kiosk: the VietQR on screen (default) or the card terminal. */
  method: z.enum(['vietqr', 'card']).optional(),
});
export type PaymentStartRequest = z.infer<typeof paymentStartRequestSchema>;

/** A payment changed state (the kiosk waits for `paid`, or `expired` → cashier). */
export const paymentUpdateSchema = z.object({
  paymentId: z.string(),
  state: paymentStateSchema,
  amountVnd: z.number().int().nonnegative(),
  /** When the server learnt it (the bank's own time is in the reconciliation view). */
  at: z.string().datetime({ offset: true }),
});
export type PaymentUpdate = z.infer<typeof paymentUpdateSchema>;

/**
 * The bank's transfer notification as the webhook accepts it (one credit to the hospital's
 * account). Signed: header `x-bank-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
 */
export const bankNotificationSchema = z.object({
  /** The bank's own transaction id: the idempotency key. */
  transactionId: z.string().min(1).max(64),
  accountNumber: z.string().min(1).max(19),
  amountVnd: z.number().int().positive().max(10_000_000_000_000),
  /** Free-text transfer content as the payer's bank wrote it; holds our reference somewhere. */
  content: z.string().max(500),
  /** When the bank booked the credit. */
  bookedAt: z.string().datetime({ offset: true }),
});
export type BankNotification = z.infer<typeof bankNotificationSchema>;

/** Verdicts of a notification, kept with it for reconciliation. */
export const notificationOutcomeSchema = z.enum([
  'matched',
  /** The same bank transaction id again: answered as before, nothing changes. */
  'duplicate',
  'amount-mismatch',
  'unknown-reference',
  'wrong-account',
  /** The payment had expired or been cancelled: the money is to be refunded or settled at the cashier. */
  'late',
  /** Another transfer for a payment already paid: a double payment to refund. */
  'already-paid',
]);
export type NotificationOutcome = z.infer<typeof notificationOutcomeSchema>;

/** One line of the reconciliation view: a payment and what the bank said about it. */
export const reconciliationRowSchema = z.object({
  paymentId: z.string(),
  reference: z.string(),
  serviceId: z.string(),
  method: paymentMethodSchema,
  state: paymentStateSchema,
  amountVnd: z.number().int(),
  createdAt: z.string(),
  paidAt: z.string().nullable(),
  bankTransactionId: z.string().nullable(),
  bankAmountVnd: z.number().int().nullable(),
  refundedAt: z.string().nullable(),
  /** The visit the fee was paid for (refunds follow it), when a ticket was issued. */
  visitId: z.string().nullable().optional(),
  /** The staff member who recorded the refund. */
  refundedBy: z.string().nullable().optional(),
  /** The e-invoice of a paid fee, once issued (absent while it is on its way, or when e-invoices are off). */
  invoiceNumber: z.string().optional(),
  invoiceLookupCode: z.string().optional(),
  invoiceLookupUrl: z.string().optional(),
});
export type ReconciliationRow = z.infer<typeof reconciliationRowSchema>;

/** A bank credit of the day that settled no payment, with the reason. */
export const unmatchedCreditSchema = z.object({
  transactionId: z.string(),
  receivedAt: z.string(),
  amountVnd: z.number().int(),
  reference: z.string().nullable(),
  paymentId: z.string().nullable(),
  outcome: notificationOutcomeSchema,
});
export type UnmatchedCredit = z.infer<typeof unmatchedCreditSchema>;

/** A facility day's payments against the bank's credits (GET /api/admin/payments/reconciliation). */
export const reconciliationSchema = z.object({
  day: z.string(),
  payments: z.array(reconciliationRowSchema),
  unmatched: z.array(unmatchedCreditSchema),
});
export type Reconciliation = z.infer<typeof reconciliationSchema>;

/** The reading of the bank's statement (the webhook's fallback), as the reconciliation page shows it. */
export const bankStatementStatusSchema = z.object({
  /** False when no statement API is configured (the webhook alone confirms). */
  enabled: z.boolean(),
  state: z.enum(['off', 'starting', 'ok', 'failing', 'auth-refused']),
  lastSuccessAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  /** The failure's code (`statement-unavailable`, `statement-auth-refused`). */
  lastError: z.string().nullable(),
  consecutiveFailures: z.number().int().nonnegative(),
  /** The latest booking time read. */
  cursor: z.string().nullable(),
  /** Credits handed to the matcher since the server started. */
  creditsRead: z.number().int().nonnegative(),
});
export type BankStatementStatus = z.infer<typeof bankStatementStatusSchema>;

/** The reading before its first poll (`starting`), or with no statement API configured (`off`). */
export const bankStatementAtRest = (state: 'off' | 'starting'): BankStatementStatus => ({
  enabled: state !== 'off',
  state,
  lastSuccessAt: null,
  lastFailureAt: null,
  lastError: null,
  consecutiveFailures: 0,
  cursor: null,
  creditsRead: 0,
});
/**
 * How a card payment at the kiosk's terminal ended, as the page shows it: paid (the server's
 * intent, paid), or why not — the patient then tries again, pays by QR or goes to the cashier.
 */
export const cardPaymentOutcomeSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('paid'), intent: paymentIntentSchema }),
  z.object({
    outcome: z.enum(['declined', 'cancelled', 'timeout', 'busy', 'terminal-error']),
    /** The terminal's or issuer's words for a decline (bounded, printable; never card data). */
    reason: z.string().max(40).optional(),
  }),
]);
export type CardPaymentOutcome = z.infer<typeof cardPaymentOutcomeSchema>;

/**
 * A card payment the kiosk's terminal approved, as the agent reports it. Idempotent on the
 * terminal id + RRN; the card number is never here, only its last 4 digits.
 */
export const cardPaymentReportSchema = z.object({
  paymentId: z.string().uuid(),
  reference: paymentReferenceSchema,
  amountVnd: z.number().int().positive(),
  terminalId: z.string().regex(/^[0-9A-Z]{8}$/u),
  rrn: z.string().regex(/^[0-9A-Z]{12}$/u),
  approvalCode: z.string().regex(/^[0-9A-Z]{6}$/u),
  scheme: z.enum(['NAPAS', 'VISA', 'MASTERCARD', 'JCB', 'AMEX', 'UNIONPAY', 'OTHER']),
  last4: z.string().regex(/^\d{4}$/u),
});
export type CardPaymentReport = z.infer<typeof cardPaymentReportSchema>;
