/**
 * Devices as data. One profile per model, grouped by vendor; matched by fingerprint score.
 * Where a fact is uncertain, the profile says so in `notes` and marks the capability `uncertain`.
 */
import { z } from 'zod';

const hex16 = z.number().int().min(0).max(0xffff);

export const fingerprintSchema = z.object({
  /** USB vendor / product id. */
  vendorId: hex16.optional(),
  productId: hex16.optional(),
  /** Case-insensitive substring of the USB manufacturer string. */
  manufacturer: z.string().optional(),
  /** Case-insensitive substring of the USB product string (tells apart models that share a pid). */
  product: z.string().optional(),
  /** Regular expression source matched against the device path (e.g. a by-id serial link). */
  path: z.string().optional(),
  /** HID usage page (0x8C = bar code scanner, HID POS). */
  usagePage: hex16.optional(),
  /** Regular expression source matched against the PC/SC reader name. */
  readerName: z.string().optional(),
});
export type Fingerprint = z.infer<typeof fingerprintSchema>;

/** How a byte-stream scanner's frame ends: a suffix, or the line going quiet. */
export const scanFramingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('delimiter'), delimiter: z.array(z.number().int().min(0).max(255)).min(1) }),
  z.object({ kind: z.literal('inter-byte-timeout'), timeoutMs: z.number().int().positive() }),
]);
export type ScanFraming = z.infer<typeof scanFramingSchema>;

export const serialSettingsSchema = z.object({
  kind: z.literal('serial'),
  baudRate: z.number().int().positive(),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  parity: z.enum(['none', 'even', 'odd']).default('none'),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
  flowControl: z.enum(['none', 'rtscts', 'dtrdsr', 'xonxoff']).default('none'),
  /** Scanners: how a frame ends. */
  framing: scanFramingSchema.optional(),
});
export const transportSettingsSchema = z.discriminatedUnion('kind', [
  serialSettingsSchema,
  z.object({ kind: z.literal('usb-printer'), devicePathPattern: z.string().default('/dev/usb/lp*') }),
  z.object({
    kind: z.literal('hid'),
    usagePage: hex16.optional(),
    enableFeatureReport: z.array(z.number()).optional(),
  }),
  z.object({ kind: z.literal('tcp'), port: z.number().int().positive().default(9100) }),
  z.object({ kind: z.literal('pcsc'), shareMode: z.literal('shared').default('shared') }),
  /** A simulated link; scanners may say how the simulated device frames its output. */
  z.object({ kind: z.literal('simulated'), framing: scanFramingSchema.optional() }),
]);
export type TransportSettings = z.infer<typeof transportSettingsSchema>;

export const codePageSchema = z.object({
  /** Encoding name as understood by the encoder, e.g. 'cp1258', 'tcvn3', 'cp437'. */
  encoding: z.string(),
  /** The `ESC t n` number on this model. */
  number: z.number().int().min(0).max(255),
  /** Only a reliable Vietnamese code page is used for text; otherwise lines are rasterized. */
  reliable: z.boolean(),
});

export const printerCapabilitiesSchema = z.object({
  paperWidthMm: z.union([z.literal(58), z.literal(80)]),
  /** Printable dots per line. */
  dotsPerLine: z.number().int().positive(),
  dpi: z.number().int().positive(),
  /** Characters per line for font A and font B. */
  columns: z.object({ fontA: z.number().int().positive(), fontB: z.number().int().positive() }),
  cutter: z.enum(['none', 'partial', 'full', 'both']),
  codePages: z.array(codePageSchema),
  nativeQr: z.boolean(),
  /** Real-time status (DLE EOT n) support. */
  realtimeStatus: z.boolean(),
  automaticStatusBack: z.boolean(),
  rasterMaxBytes: z.number().int().positive().optional(),
});
export type PrinterCapabilities = z.infer<typeof printerCapabilitiesSchema>;

const base = {
  id: z.string().regex(/^[a-z0-9]+(?:[-.][a-z0-9]+)*$/u),
  vendor: z.string(),
  model: z.string(),
  match: z.array(fingerprintSchema),
  transports: z.array(transportSettingsSchema).min(1),
  /** Facts not confirmed from a datasheet or a device in hand. */
  uncertain: z.array(z.string()).default([]),
  notes: z.string().optional(),
  simulated: z.boolean().default(false),
  generic: z.boolean().default(false),
};

export const printerProfileSchema = z.object({
  ...base,
  class: z.literal('printer'),
  /** The protocol picks the agent's driver (device-agent/src/devices/device-drivers.ts). */
  protocol: z.literal('escpos'),
  capabilities: printerCapabilitiesSchema,
});
export const scannerProfileSchema = z.object({
  ...base,
  class: z.literal('scanner'),
  /** The primary protocol; the link in use picks HID POS or serial framing. Keyboard wedges are read by the page. */
  protocol: z.enum(['hid-pos', 'serial-line', 'keyboard-wedge']),
  capabilities: z.object({ symbologies: z.array(z.string()), utf8: z.boolean() }),
});
export const cardReaderProfileSchema = z.object({
  ...base,
  class: z.literal('card-reader'),
  /** How APDUs reach the card: PC/SC, or framed on a serial line (capabilities.framing names the framing). */
  protocol: z.enum(['pcsc', 'serial-smart-reader']),
  capabilities: z.object({
    contactless: z.boolean(),
    contact: z.boolean(),
    extendedLength: z.boolean(),
    maxBitRateKbps: z.number().int().positive(),
    /** Serial smart readers: how APDUs are framed on the wire. */
    framing: z.string().optional(),
    /**
     * The reader also reads the card's printed side optically (MRZ and the front QR), as the
     * all-in-one CCCD readers sold for check-in do, and hands the agent a chip access key.
     * Absent on a plain PC/SC pad.
     */
    mrzOptics: z.boolean().optional(),
  }),
});

/** A bank's card payment terminal the kiosk drives over its ECR link (serial or TCP). */
export const paymentTerminalProfileSchema = z.object({
  ...base,
  class: z.literal('payment-terminal'),
  /** The framed ECR protocol of protocol/src/ecr.ts (STX, BCD length, fields, ETX, LRC). */
  protocol: z.literal('ecr'),
  capabilities: z.object({
    contactless: z.boolean(),
    /** How long the patient may take at the terminal (insert, PIN) before the kiosk gives up. */
    saleTimeoutSec: z.number().int().min(10).max(600),
  }),
});

export const deviceProfileSchema = z.discriminatedUnion('class', [
  printerProfileSchema,
  scannerProfileSchema,
  cardReaderProfileSchema,
  paymentTerminalProfileSchema,
]);
export type DeviceProfile = z.infer<typeof deviceProfileSchema>;
export type PrinterProfile = z.infer<typeof printerProfileSchema>;
export type ScannerProfile = z.infer<typeof scannerProfileSchema>;
export type CardReaderProfile = z.infer<typeof cardReaderProfileSchema>;
export type PaymentTerminalProfile = z.infer<typeof paymentTerminalProfileSchema>;
export type DeviceProfileInput = z.input<typeof deviceProfileSchema>;
