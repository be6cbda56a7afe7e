/**
 * The card terminal's ECR link (electronic cash register ↔ payment terminal), as one codec with
 * no I/O, modelled on the framed ECR protocols of the PAX / Verifone / Ingenico terminals the
 * Vietnamese banks deploy:
 *
 *   frame = STX(0x02) · LEN (2 bytes, BCD of the data length) · DATA · ETX(0x03) · LRC
 *   LRC   = XOR of every byte from LEN through ETX
 *
 * A receiver answers every frame with ACK (0x06) or, for a bad LRC / malformed frame, NAK (0x15);
 * the sender re-sends a NAKed frame up to 3 times. DATA is printable ASCII, a list of `KEY=VALUE`
 * fields joined by `|` (`TYPE=SALE|AMT=000000030000|CUR=704|REF=KP…`).
 *
 * Privacy: a terminal's PAN field is reduced to its last 4 digits as it is parsed; nothing longer
 * leaves this module.
 */
import { z } from 'zod';
import { err, ok, type Result } from './result';
import { cardPaymentReportSchema, paymentReferenceSchema } from './payment';

export const ECR_STX = 0x02;
export const ECR_ETX = 0x03;
export const ECR_ACK = 0x06;
export const ECR_NAK = 0x15;
/** A NAKed frame is sent again at most this many times. */
export const ECR_MAX_RESENDS = 3;
/** Two BCD bytes: at most 9999 data bytes. */
export const ECR_MAX_DATA = 9999;

export type EcrFrameError = 'bad-lrc' | 'bad-length' | 'no-etx' | 'too-long' | 'bad-data';

function lrcOf(bytes: Uint8Array, from: number, to: number): number {
  let lrc = 0;
  for (let i = from; i < to; i++) lrc ^= bytes[i] ?? 0;
  return lrc;
}

function bcd(n: number): number {
  return ((Math.floor(n / 10) % 10) << 4) | (n % 10);
}
/** Two BCD bytes → number, or undefined when a nibble is not a decimal digit. */
function fromBcd(hi: number, lo: number): number | undefined {
  const digits = [hi >> 4, hi & 15, lo >> 4, lo & 15];
  if (digits.some((d) => d > 9)) return undefined;
  return digits.reduce((n, d) => n * 10 + d, 0);
}

/** One frame around `data` (at most 9999 bytes; longer is refused, never truncated). */
export function encodeEcrFrame(data: Uint8Array): Result<Uint8Array> {
  if (data.length > ECR_MAX_DATA) return err('too-long', `ECR data of ${data.length} bytes`);
  const frame = new Uint8Array(data.length + 5);
  frame[0] = ECR_STX;
  frame[1] = bcd(Math.floor(data.length / 100));
  frame[2] = bcd(data.length % 100);
  frame.set(data, 3);
  frame[3 + data.length] = ECR_ETX;
  frame[4 + data.length] = lrcOf(frame, 1, 4 + data.length);
  return ok(frame);
}

/** What a receiver finds in its byte stream. */
export type EcrItem =
  | { kind: 'ack' }
  | { kind: 'nak' }
  | { kind: 'frame'; data: Uint8Array }
  /** A frame was there but broken: answer NAK. */
  | { kind: 'bad-frame'; error: EcrFrameError };

export interface EcrScan {
  items: EcrItem[];
  /** Bytes of a frame not complete yet: keep them and scan again with more. */
  rest: Uint8Array;
  /** Bytes dropped outside any frame (line noise). */
  skipped: number;
}

/**
 * Scans a receive buffer: control bytes, whole frames, broken frames; an incomplete frame is
 * returned as `rest`. Noise between frames is skipped. Never throws; every byte is looked at a
 * bounded number of times.
 */
export function scanEcr(buffer: Uint8Array): EcrScan {
  const items: EcrItem[] = [];
  let skipped = 0;
  let at = 0;
  while (at < buffer.length) {
    const byte = buffer[at] ?? 0;
    if (byte === ECR_ACK || byte === ECR_NAK) {
      items.push({ kind: byte === ECR_ACK ? 'ack' : 'nak' });
      at += 1;
      continue;
    }
    if (byte !== ECR_STX) {
      skipped += 1;
      at += 1;
      continue;
    }
    if (buffer.length - at < 3) break;
    const length = fromBcd(buffer[at + 1] ?? 0, buffer[at + 2] ?? 0);
    if (length === undefined) {
      items.push({ kind: 'bad-frame', error: 'bad-length' });
      at += 1;
      continue;
    }
    const end = at + 3 + length; // index of ETX
    if (end + 1 >= buffer.length) break;
    if (buffer[end] !== ECR_ETX) {
      items.push({ kind: 'bad-frame', error: 'no-etx' });
      at += 1;
      continue;
    }
    if (lrcOf(buffer, at + 1, end + 1) !== buffer[end + 1]) {
      items.push({ kind: 'bad-frame', error: 'bad-lrc' });
      at = end + 2;
      continue;
    }
    items.push({ kind: 'frame', data: buffer.slice(at + 3, end) });
    at = end + 2;
  }
  return { items, rest: buffer.slice(at), skipped };
}

/** Exactly one frame, nothing before or after (tests and the simulator's checks). */
export function parseEcrFrame(bytes: Uint8Array): Result<Uint8Array> {
  const scan = scanEcr(bytes);
  const [item, ...more] = scan.items;
  if (scan.rest.length > 0 || item === undefined) return err('incomplete', 'not a whole ECR frame');
  if (more.length > 0 || scan.skipped > 0) return err('bad-data', 'more than one ECR frame');
  if (item.kind === 'frame') return ok(item.data);
  if (item.kind === 'bad-frame') return err(item.error, `bad ECR frame: ${item.error}`);
  return err('bad-data', `an ECR ${item.kind}, not a frame`);
}

// ---- messages --------------------------------------------------------------------------------

/** Card schemes a terminal names (domestic NAPAS cards first: most patients carry one). */
export const cardSchemeSchema = cardPaymentReportSchema.shape.scheme;
export type CardScheme = z.infer<typeof cardSchemeSchema>;

const rrnSchema = z.string().regex(/^[0-9A-Z]{12}$/u);
const terminalIdSchema = z.string().regex(/^[0-9A-Z]{8}$/u);
const approvalCodeSchema = z.string().regex(/^[0-9A-Z]{6}$/u);
const last4Schema = z.string().regex(/^\d{4}$/u);

/** What a terminal says of a transaction. */
export const ecrOutcomeSchema = z.enum(['approved', 'declined', 'cancelled', 'timeout', 'busy', 'none']);
export type EcrOutcome = z.infer<typeof ecrOutcomeSchema>;

/** Requests from the kiosk to the terminal. */
export const ecrRequestSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('sale'),
    amountVnd: z.number().int().positive().max(999_999_999_999),
    reference: paymentReferenceSchema,
  }),
  z.object({ type: z.literal('void'), rrn: rrnSchema, reference: paymentReferenceSchema.optional() }),
  /** The last transaction the terminal did (recovery after a lost answer). */
  z.object({ type: z.literal('last') }),
  z.object({ type: z.literal('status') }),
  /**
   * Stop the SALE in progress (the patient left the kiosk's payment screen). The terminal ACKs it
   * and answers the SALE as cancelled; a card already approved stays approved and is VOIDed.
   * Without a sale in progress it changes nothing and has no answer of its own.
   */
  z.object({ type: z.literal('abort') }),
]);
export type EcrRequest = z.infer<typeof ecrRequestSchema>;

/** The answer to a SALE, VOID or LAST. */
export const ecrTransactionResultSchema = z.object({
  type: z.literal('result'),
  for: z.enum(['sale', 'void', 'last']),
  outcome: ecrOutcomeSchema,
  terminalId: terminalIdSchema,
  reference: paymentReferenceSchema.optional(),
  amountVnd: z.number().int().nonnegative().optional(),
  approvalCode: approvalCodeSchema.optional(),
  rrn: rrnSchema.optional(),
  scheme: cardSchemeSchema.optional(),
  /** The card number's last 4 digits: all the kiosk ever keeps. */
  last4: last4Schema.optional(),
  /** The issuer's or terminal's words for a decline (bounded, printable). */
  declineReason: z.string().max(40).optional(),
});
export type EcrTransactionResult = z.infer<typeof ecrTransactionResultSchema>;

export const ecrStatusSchema = z.object({
  type: z.literal('status-result'),
  terminalId: terminalIdSchema,
  state: z.enum(['ready', 'busy']),
});
export type EcrStatus = z.infer<typeof ecrStatusSchema>;

export type EcrResponse = EcrTransactionResult | EcrStatus;
export type EcrMessage = EcrRequest | EcrResponse;

const RESULT_CODES: Record<Exclude<EcrOutcome, never>, string> = {
  approved: '00',
  declined: '05',
  cancelled: 'CN',
  timeout: 'TO',
  busy: 'BY',
  none: 'ND',
};
const OUTCOME_OF_CODE = new Map(Object.entries(RESULT_CODES).map(([k, v]) => [v, k as EcrOutcome]));

const TYPE_NAMES = {
  sale: 'SALE',
  void: 'VOID',
  last: 'LAST',
  status: 'STATUS',
} as const;

/** Field values: printable ASCII without the separator. */
const clean = (text: string, max: number): string => text.replace(/[^\x20-\x7B\x7D\x7E]/gu, '').slice(0, max);

function fieldsText(fields: [string, string | undefined][]): string {
  return fields
    .filter((f): f is [string, string] => f[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join('|');
}

/** A message as DATA bytes (to put in a frame). Values are validated by the schemas first. */
export function encodeEcrMessage(message: EcrMessage): Uint8Array {
  const text = ((): string => {
    switch (message.type) {
      case 'sale':
        return fieldsText([
          ['TYPE', 'SALE'],
          ['AMT', String(message.amountVnd).padStart(12, '0')],
          ['CUR', '704'],
          ['REF', message.reference],
        ]);
      case 'void':
        return fieldsText([
          ['TYPE', 'VOID'],
          ['RRN', message.rrn],
          ['REF', message.reference],
        ]);
      case 'last':
        return 'TYPE=LAST';
      case 'status':
        return 'TYPE=STATUS';
      case 'abort':
        return 'TYPE=ABORT';
      case 'status-result':
        return fieldsText([
          ['TYPE', 'STATUS_R'],
          ['TID', message.terminalId],
          ['ST', message.state === 'ready' ? 'READY' : 'BUSY'],
        ]);
      case 'result':
        return fieldsText([
          ['TYPE', `${TYPE_NAMES[message.for]}_R`],
          ['RC', RESULT_CODES[message.outcome]],
          ['TID', message.terminalId],
          ['REF', message.reference],
          ['AMT', message.amountVnd === undefined ? undefined : String(message.amountVnd).padStart(12, '0')],
          ['APP', message.approvalCode],
          ['RRN', message.rrn],
          ['SCH', message.scheme],
          ['PAN', message.last4 === undefined ? undefined : `************${message.last4}`],
          ['MSG', message.declineReason === undefined ? undefined : clean(message.declineReason, 40)],
        ]);
    }
  })();
  return asciiBytes(text);
}

/** Field text is ASCII by construction (schemas and `clean`). */
export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0x7f);
}

const MAX_FIELDS = 32;

/** DATA → fields. Refuses non-printable bytes, duplicate keys, a field without `=`. */
function splitFields(data: Uint8Array): Result<Map<string, string>> {
  if (data.length === 0 || data.length > ECR_MAX_DATA) return err('bad-data', 'empty or oversized ECR data');
  for (const b of data) if (b < 0x20 || b > 0x7e) return err('bad-data', 'ECR data is not printable ASCII');
  const text = String.fromCharCode(...data);
  const parts = text.split('|');
  if (parts.length > MAX_FIELDS) return err('bad-data', 'too many ECR fields');
  const fields = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) return err('bad-data', 'an ECR field without a key');
    const key = part.slice(0, eq);
    if (!/^[A-Z]{2,6}$/u.test(key) || fields.has(key)) return err('bad-data', 'a bad or repeated ECR field key');
    fields.set(key, part.slice(eq + 1));
  }
  return ok(fields);
}

/** A terminal's PAN field, masked or not, reduced to its last 4 digits (never more). */
function last4Of(pan: string | undefined): string | undefined {
  if (pan === undefined) return undefined;
  const digits = pan.replace(/\D/gu, '');
  return digits.length >= 4 ? digits.slice(-4) : undefined;
}

function amountOf(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,12}$/u.test(text)) return undefined;
  return Number(text);
}

function schemeOf(text: string | undefined): CardScheme | undefined {
  if (text === undefined) return undefined;
  const upper = text.toUpperCase();
  const parsed = cardSchemeSchema.safeParse(upper === 'MC' ? 'MASTERCARD' : upper);
  return parsed.success ? parsed.data : 'OTHER';
}

/**
 * DATA bytes → a typed, validated message, or a typed error. Never throws: the terminal, the
 * cable and the simulator are all outside input.
 */
export function parseEcrMessage(data: Uint8Array): Result<EcrMessage> {
  const split = splitFields(data);
  if (!split.ok) return split;
  const f = split.value;
  const type = f.get('TYPE');
  let candidate: unknown;
  switch (type) {
    case 'SALE':
      candidate = { type: 'sale', amountVnd: amountOf(f.get('AMT')), reference: f.get('REF') };
      break;
    case 'VOID':
      candidate = { type: 'void', rrn: f.get('RRN'), ...(f.has('REF') ? { reference: f.get('REF') } : {}) };
      break;
    case 'LAST':
      candidate = { type: 'last' };
      break;
    case 'STATUS':
      candidate = { type: 'status' };
      break;
    case 'ABORT':
      candidate = { type: 'abort' };
      break;
    case 'STATUS_R':
      candidate = {
        type: 'status-result',
        terminalId: f.get('TID'),
        state: f.get('ST') === 'READY' ? 'ready' : f.get('ST') === 'BUSY' ? 'busy' : undefined,
      };
      break;
    case 'SALE_R':
    case 'VOID_R':
    case 'LAST_R': {
      const outcome = OUTCOME_OF_CODE.get(f.get('RC') ?? '');
      const optional = {
        reference: f.get('REF'),
        amountVnd: amountOf(f.get('AMT')),
        approvalCode: f.get('APP'),
        rrn: f.get('RRN'),
        scheme: schemeOf(f.get('SCH')),
        last4: last4Of(f.get('PAN')),
        declineReason: f.get('MSG')?.slice(0, 40),
      };
      candidate = {
        type: 'result',
        for: type === 'SALE_R' ? 'sale' : type === 'VOID_R' ? 'void' : 'last',
        outcome,
        terminalId: f.get('TID'),
        ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined && v !== '')),
      };
      break;
    }
    default:
      return err('unknown-message', 'an ECR message of an unknown type');
  }
  const schema = z.union([ecrRequestSchema, ecrTransactionResultSchema, ecrStatusSchema]);
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') ?? 'message';
    return err('bad-message', `ECR ${type} message: bad ${where}`);
  }
  return ok(parsed.data);
}

/** A message in a frame, ready for the wire. */
export function encodeEcrMessageFrame(message: EcrMessage): Result<Uint8Array> {
  return encodeEcrFrame(encodeEcrMessage(message));
}
