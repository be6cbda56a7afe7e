/**
 * A simulated ESC/POS printer on the device side of a SimulatedByteTransport: it decodes
 * everything the host writes into jobs (one per cut), answers DLE EOT 1–4 and automatic
 * status back with the bit patterns of hardware.md §4, and can be put into a fault — now or
 * after N more bytes, i.e. in the middle of a job.
 */
import type { PrinterProfile } from '@kiosk/hardware-profiles';
import { XOFF, XON } from '../printing/escpos.commands';
import {
  EscPosStreamParser,
  addToReceipt,
  emptyReceipt,
  type DecodedReceipt,
  type ParserEvent,
} from '../printing/escpos.decoder';
import { Listeners, type Unsubscribe } from '../transports/transport';
import type { SimulatedByteTransport } from './simulated-byte.transport';

export type SimulatedPrinterFault = 'none' | 'paper-near-end' | 'paper-out' | 'cover-open' | 'offline' | 'cutter-error';

/** A job as it came out of the simulated printer. */
export interface PrintedJob extends DecodedReceipt {
  /** Set when a fault stopped printing part-way: later blocks were not printed. */
  interruptedBy?: SimulatedPrinterFault;
  /** `performance.now()` when the cut (or the interruption) happened. */
  finishedAt: number;
}

export interface SimulatedPrinterOptions {
  /** Delay before a status reply, in ms. Default 1. */
  replyDelayMs?: number;
  /**
   * XON/XOFF flow control: the printer has a receive buffer of `receiveBufferBytes` that drains
   * at `printBytesPerSecond`; it sends XOFF when the buffer is nearly full (or it stops on a
   * fault) and XON when it has room again. Default: off.
   */
  xonXoff?: { receiveBufferBytes?: number; printBytesPerSecond?: number };
}

export interface SimulatedPrinter {
  readonly profile: PrinterProfile;
  /** Completed jobs (cut, or ended by the next job's ESC @ on models without a cutter), oldest first. */
  readonly jobs: PrintedJob[];
  /** What has been received since the last cut. */
  readonly current: DecodedReceipt;
  readonly fault: SimulatedPrinterFault;
  /** DLE EOT queries answered so far. */
  readonly statusQueriesAnswered: number;
  /** True while XOFF is in force (xonXoff only). */
  readonly xoff: boolean;
  /** Highest receive-buffer fill seen (xonXoff only): above `receiveBufferBytes` data was lost. */
  readonly peakBufferedBytes: number;
  /** Changes the fault now, or after `afterBytes` more bytes have arrived (mid-job). */
  setFault(fault: SimulatedPrinterFault, options?: { afterBytes?: number }): void;
  /** A mute printer receives but never answers (status time-outs). */
  setResponsive(responsive: boolean): void;
  onJob(listener: (job: PrintedJob) => void): Unsubscribe;
  /** Resolves with the next job that finishes (cut or interrupted). */
  nextJob(timeoutMs?: number): Promise<PrintedJob>;
  detach(): void;
}

const STOPPING: ReadonlySet<SimulatedPrinterFault> = new Set(['paper-out', 'cover-open', 'offline', 'cutter-error']);

/** DLE EOT n reply for a fault (hardware.md §4; fixed bits 1 and 4 set → pattern 0xx1xx10). */
export function realtimeStatusByte(n: number, fault: SimulatedPrinterFault): number {
  let v = 0x12;
  switch (n) {
    case 1:
      if (STOPPING.has(fault)) v |= 0x08;
      break;
    case 2:
      if (fault === 'cover-open') v |= 0x04;
      if (fault === 'paper-out') v |= 0x20;
      if (fault === 'cutter-error') v |= 0x40;
      break;
    case 3:
      if (fault === 'cutter-error') v |= 0x08;
      break;
    case 4:
      if (fault === 'paper-near-end' || fault === 'paper-out') v |= 0x0c;
      if (fault === 'paper-out') v |= 0x60;
      break;
  }
  return v;
}

/** Four automatic-status-back bytes (first byte pattern 0xx1xx00, the rest have bit 4 clear). */
export function automaticStatusBytes(fault: SimulatedPrinterFault): Uint8Array {
  const b1 = 0x10 | (STOPPING.has(fault) ? 0x08 : 0) | (fault === 'cover-open' ? 0x20 : 0);
  const b2 = fault === 'cutter-error' ? 0x08 : 0;
  const b3 = (fault === 'paper-near-end' || fault === 'paper-out' ? 0x03 : 0) | (fault === 'paper-out' ? 0x0c : 0);
  return Uint8Array.of(b1, b2, b3, 0);
}

export function attachSimulatedPrinter(
  transport: SimulatedByteTransport,
  profile: PrinterProfile,
  options: SimulatedPrinterOptions = {},
): SimulatedPrinter {
  const replyDelayMs = options.replyDelayMs ?? 1;
  const codePages = profile.capabilities.codePages;
  const jobs: PrintedJob[] = [];
  const jobListeners = new Listeners<[PrintedJob]>();
  let current = emptyReceipt();
  let currentBytes = 0;
  let fault: SimulatedPrinterFault = 'none';
  let pendingFault: { fault: SimulatedPrinterFault; afterBytes: number } | undefined;
  let interruptedBy: SimulatedPrinterFault | undefined;
  let responsive = true;
  let asbEnabled = false;
  let answered = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();

  // XON/XOFF model
  const flow = options.xonXoff;
  const bufferSize = flow?.receiveBufferBytes ?? 4096;
  const drainRate = flow?.printBytesPerSecond ?? 8000;
  let buffered = 0;
  let lastDrain = performance.now();
  let xoff = false;
  let peak = 0;

  const send = (bytes: Uint8Array) => {
    if (!responsive) return;
    const t = setTimeout(() => {
      timers.delete(t);
      transport.emitData(bytes);
    }, replyDelayMs);
    timers.add(t);
  };

  const finishJob = () => {
    const job: PrintedJob = { ...current, finishedAt: performance.now(), byteLength: currentBytes };
    if (interruptedBy) job.interruptedBy = interruptedBy;
    jobs.push(job);
    current = emptyReceipt();
    currentBytes = 0;
    interruptedBy = undefined;
    jobListeners.emit(job);
  };

  const onEvent = (event: ParserEvent) => {
    switch (event.type) {
      case 'realtime-status':
        // Real-time commands are executed even while the printer is stopped.
        answered++;
        send(Uint8Array.of(realtimeStatusByte(event.n, fault)));
        return;
      case 'asb':
        asbEnabled = event.n !== 0;
        if (asbEnabled) send(automaticStatusBytes(fault));
        return;
      case 'block':
        if (STOPPING.has(fault)) {
          interruptedBy ??= fault;
          // A stopped printer does not print; a cut ends the (interrupted) job all the same.
          if (event.block.kind === 'cut') finishJob();
          return;
        }
        addToReceipt(current, event);
        if (event.block.kind === 'cut') finishJob();
        return;
      case 'init':
        // Models without a cutter: the next job's ESC @ ends the previous one (torn off by hand).
        if (current.blocks.length > 0) finishJob();
        return;
      default:
        addToReceipt(current, event);
    }
  };
  const parser = new EscPosStreamParser(onEvent, { codePages });

  const updateFlow = () => {
    if (!flow) return;
    const now = performance.now();
    if (!STOPPING.has(fault)) buffered = Math.max(0, buffered - ((now - lastDrain) * drainRate) / 1000);
    lastDrain = now;
    const shouldStop = STOPPING.has(fault) || buffered > bufferSize - 512;
    if (shouldStop && !xoff) {
      xoff = true;
      send(Uint8Array.of(XOFF));
    } else if (!shouldStop && xoff && buffered < bufferSize / 4) {
      xoff = false;
      send(Uint8Array.of(XON));
    }
  };
  const flowTimer = flow ? setInterval(updateFlow, 10) : undefined;
  flowTimer?.unref?.();

  const applyFault = (next: SimulatedPrinterFault) => {
    if (next === fault) return;
    fault = next;
    if (asbEnabled) send(automaticStatusBytes(fault));
    updateFlow();
  };

  const receive = (chunk: Uint8Array) => {
    let data = chunk;
    if (pendingFault && data.length >= pendingFault.afterBytes) {
      const cut = pendingFault.afterBytes;
      const next = pendingFault.fault;
      pendingFault = undefined;
      receive(data.subarray(0, cut));
      applyFault(next);
      data = data.subarray(cut);
    } else if (pendingFault) {
      pendingFault.afterBytes -= data.length;
    }
    if (data.length === 0) return;
    currentBytes += data.length;
    buffered += data.length;
    peak = Math.max(peak, buffered);
    parser.push(data);
    updateFlow();
  };
  const unsubscribe = transport.onHostWrite(receive);

  return {
    profile,
    jobs,
    get current() {
      return current;
    },
    get fault() {
      return fault;
    },
    get statusQueriesAnswered() {
      return answered;
    },
    get xoff() {
      return xoff;
    },
    get peakBufferedBytes() {
      return peak;
    },
    setFault(next, opts) {
      if (opts?.afterBytes !== undefined && opts.afterBytes > 0)
        pendingFault = { fault: next, afterBytes: opts.afterBytes };
      else {
        pendingFault = undefined;
        applyFault(next);
      }
    },
    setResponsive(value) {
      responsive = value;
    },
    onJob(listener) {
      return jobListeners.add(listener);
    },
    nextJob(timeoutMs = 5000) {
      return new Promise<PrintedJob>((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`no print job within ${timeoutMs} ms`));
        }, timeoutMs);
        const off = jobListeners.add((job) => {
          clearTimeout(timer);
          off();
          resolve(job);
        });
      });
    },
    detach() {
      unsubscribe();
      if (flowTimer) clearInterval(flowTimer);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      jobListeners.clear();
    },
  };
}
