/**
 * Printer status: reply demultiplexing and the meaning of the status bits (hardware.md §4).
 * Bytes from an ESC/POS printer are told apart by pattern, never by arrival order alone:
 *   real-time status reply  0xx1xx10  (b & 0x93) === 0x12
 *   ASB first byte          0xx1xx00  (b & 0x93) === 0x10, then 3 bytes with bit 4 clear
 *   XON 0x11, XOFF 0x13
 */
import { XOFF, XON } from './escpos.commands';

export type PrinterCondition =
  | 'paper-near-end'
  | 'paper-out'
  | 'cover-open'
  | 'offline'
  | 'cutter-error'
  /** Status queries were not answered in time. */
  | 'no-response'
  /** The link is gone (unplugged, port closed). */
  | 'disconnected';

export interface PrinterStatus {
  /** True when the printer can print (paper-near-end is only a warning). */
  ready: boolean;
  /** Sorted, without duplicates; empty when all is well. */
  conditions: PrinterCondition[];
  /** Where the status came from. */
  source: 'query' | 'asb' | 'link';
  /** `Date.now()` when it was read. */
  at: number;
}

export type PrintFailureReason = 'paper-out' | 'cover-open' | 'offline' | 'timeout' | 'disconnected' | 'cutter-error';

const ORDER: PrinterCondition[] = [
  'disconnected',
  'no-response',
  'cover-open',
  'paper-out',
  'cutter-error',
  'offline',
  'paper-near-end',
];

export function makeStatus(conditions: Iterable<PrinterCondition>, source: PrinterStatus['source']): PrinterStatus {
  const set = new Set(conditions);
  const sorted = ORDER.filter((c) => set.has(c));
  return { ready: sorted.every((c) => c === 'paper-near-end'), conditions: sorted, source, at: Date.now() };
}

export function sameConditions(a: PrinterStatus | undefined, b: PrinterStatus): boolean {
  return !!a && a.conditions.join() === b.conditions.join();
}

/** The failure reason a status stands for, most specific first. */
export function failureReason(status: PrinterStatus): PrintFailureReason | undefined {
  for (const c of status.conditions) {
    switch (c) {
      case 'disconnected':
        return 'disconnected';
      case 'no-response':
        return 'timeout';
      case 'cover-open':
      case 'paper-out':
      case 'cutter-error':
      case 'offline':
        return c;
      default:
        break;
    }
  }
  return undefined;
}

export const isRealtimeStatusByte = (b: number): boolean => (b & 0x93) === 0x12;
export const isAsbFirstByte = (b: number): boolean => (b & 0x93) === 0x10;

/** Conditions from DLE EOT replies (n → byte); missing replies contribute nothing. */
export function conditionsFromRealtime(replies: Partial<Record<1 | 2 | 3 | 4, number>>): PrinterCondition[] {
  const out: PrinterCondition[] = [];
  const [n1, n2, n3, n4] = [replies[1], replies[2], replies[3], replies[4]];
  if (n2 !== undefined && n2 & 0x04) out.push('cover-open');
  if ((n2 !== undefined && n2 & 0x20) || (n4 !== undefined && n4 & 0x60)) out.push('paper-out');
  if (n3 !== undefined && n3 & 0x08) out.push('cutter-error');
  if (out.length === 0 && ((n1 !== undefined && n1 & 0x08) || (n3 !== undefined && n3 & 0x60))) out.push('offline');
  if (n4 !== undefined && n4 & 0x0c && !out.includes('paper-out')) out.push('paper-near-end');
  return out;
}

/** Conditions from a 4-byte automatic status back. */
export function conditionsFromAsb(asb: readonly number[]): PrinterCondition[] {
  const [b1 = 0, b2 = 0, b3 = 0] = asb;
  const out: PrinterCondition[] = [];
  if (b1 & 0x20) out.push('cover-open');
  if (b3 & 0x0c) out.push('paper-out');
  else if (b3 & 0x03) out.push('paper-near-end');
  if (b2 & 0x08) out.push('cutter-error');
  if (!out.some((c) => c !== 'paper-near-end') && (b1 & 0x08 || b2 & 0x60)) out.push('offline');
  return out;
}

export interface StatusDemuxHandlers {
  realtime(byte: number): void;
  asb(bytes: number[]): void;
  flow(xoff: boolean): void;
  other?(byte: number): void;
}

/** Splits the printer → host byte stream into status replies, ASB frames and XON/XOFF. */
export class StatusDemux {
  private asbBytes: number[] | undefined;

  constructor(private readonly handlers: StatusDemuxHandlers) {}

  push(chunk: Uint8Array): void {
    for (const b of chunk) {
      if (this.asbBytes && (b & 0x10) === 0) {
        this.asbBytes.push(b);
        if (this.asbBytes.length === 4) {
          const frame = this.asbBytes;
          this.asbBytes = undefined;
          this.handlers.asb(frame);
        }
        continue;
      }
      if (b === XON) this.handlers.flow(false);
      else if (b === XOFF) this.handlers.flow(true);
      else if (isRealtimeStatusByte(b)) this.handlers.realtime(b);
      else if (isAsbFirstByte(b)) this.asbBytes = [b];
      else this.handlers.other?.(b);
    }
  }
}
