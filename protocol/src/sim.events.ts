/**
 * The simulator's control namespace (/sim) on a loopback agent, refused in production: commands
 * only, `sim:verb`, in a command table (socket-command.ts).
 */
import { z } from 'zod';
import { answers, type CommandEvents } from './socket-command';
import { noPayloadSchema } from './no-payload';

export const simScanSchema = z.object({ payload: z.string().max(4096), scannerId: z.string().max(64).optional() });
export const simPrinterFaultSchema = z.object({
  printerId: z.string().max(64).optional(),
  fault: z.enum(['none', 'paper-near-end', 'paper-out', 'cover-open', 'offline']),
});

/** A simulated card on the simulated reader, with link and fault settings (tests, developer panel). */
export const simCardCommandSchema = z.object({
  action: z.enum(['present', 'remove']),
  /** 'valid': the synthetic card; 'tampered': a DG13 that does not match EF.SOD; 'unreadable': BAC fails. */
  card: z.enum(['valid', 'tampered', 'unreadable']).default('valid'),
  /** Faults counted in APDUs from the insertion (1-based), as SimulatedApduTransport applies them. */
  faults: z
    .object({
      removeCardAfterApdus: z.number().int().min(0).max(100_000),
      wrongMacAtApdu: z.number().int().min(1).max(100_000),
      statusAtApdu: z.object({ apdu: z.number().int().min(1).max(100_000), sw: z.number().int().min(0).max(0xffff) }),
      truncateResponseAtApdu: z.number().int().min(1).max(100_000),
    })
    .partial()
    .default({}),
  link: z
    .object({
      bitRateKbps: z.union([z.literal(0), z.literal(106), z.literal(212), z.literal(424), z.literal(848)]),
      perApduLatencyMs: z.number().min(0).max(1000),
    })
    .partial()
    .optional(),
  /**
   * Whether the card's printed MRZ faces the reader's optics. Only a reader whose profile has MRZ
   * optics (`simulated.card-reader-mrz`) reads it; the default simulated reader is a plain PC/SC
   * pad that has none. Absent: legible; false: worn or turned over, the optics read nothing.
   */
  printedMrz: z.boolean().optional(),
  faceBytes: z.number().int().min(1000).max(60_000).optional(),
});

const simTarget = {
  deviceId: z.string().max(128).optional(),
  class: z.enum(['printer', 'scanner', 'card-reader']).optional(),
};
export const simDeviceCommandSchema = z.object({ ...simTarget, action: z.enum(['unplug', 'replug']) });
/** Link speed (0 = instantaneous) and/or a burst of random bytes from the device. */
export const simLinkCommandSchema = z.object({
  ...simTarget,
  baudRate: z.number().int().min(0).max(1_000_000).optional(),
  garbageBytes: z.number().int().min(1).max(4096).optional(),
});

export interface SimDeviceState {
  id: string;
  class: 'printer' | 'scanner' | 'card-reader' | 'payment-terminal';
  plugged: boolean;
  /** Byte links: bits per second, 0 = instantaneous. Card reader: ISO 14443 kbit/s. */
  speed: number;
  cardPresent?: boolean;
}

/** What the simulated card terminal does with sales: every one from now (`all`), or the next one only. */
export const simCardTerminalCommandSchema = z.object({
  behaviour: z.enum([
    'approve',
    'decline',
    'cancel',
    'no-answer',
    'busy',
    'corrupt-then-good',
    'approve-answer-lost',
    'approve-despite-abort',
  ]),
  scope: z.enum(['all', 'next']).default('all'),
});

export const simCommands = {
  /** A scanner (the first by default) reads this payload. */
  'sim:scan': answers<null>()(simScanSchema),
  'sim:set-printer-fault': answers<null>()(simPrinterFaultSchema),
  /** Every job the simulated printer printed since start. */
  'sim:list-printed': answers<{ jobs: { text: string[]; bytes: number }[] }>()(noPayloadSchema),
  /** Presents a virtual CCCD on the simulated reader, or removes it. */
  'sim:set-card': answers<null>()(simCardCommandSchema),
  'sim:set-device': answers<null>()(simDeviceCommandSchema),
  'sim:set-link': answers<null>()(simLinkCommandSchema),
  'sim:get-state': answers<{ devices: SimDeviceState[] }>()(noPayloadSchema),
  /** The simulated card terminal's next sale(s). */
  'sim:set-card-terminal': answers<null>()(simCardTerminalCommandSchema),
} as const;
export type SimToAgentEvents = CommandEvents<typeof simCommands>;
export type AgentToSimEvents = Record<string, never>;
