/**
 * ESC/POS printer driver over any ByteTransport. Owns the status path: DLE EOT queries with
 * time-outs, automatic status back when the model has it, XON/XOFF, and a job life cycle
 *   queued → sending → sent → confirmed | failed(reason)
 * where "confirmed" means a status query after printing showed no error.
 */
import type { Ticket } from '@kiosk/protocol';
import type { PrinterProfile } from '@kiosk/hardware-profiles';
import { Listeners, TransportError, type ByteTransport, type Unsubscribe } from '../transports/transport';
import { automaticStatusBack, realtimeStatusRequest } from './escpos.commands';
import { encodeTicket, type EncodeTicketOptions } from './escpos.encoder';
import type { EncodedJob } from './escpos.types';
import {
  StatusDemux,
  conditionsFromAsb,
  conditionsFromRealtime,
  failureReason,
  makeStatus,
  sameConditions,
  type PrintFailureReason,
  type PrinterStatus,
} from './printer-status';

export type PrintJobState = 'queued' | 'sending' | 'sent' | 'confirmed' | 'failed';

export interface PrintResult {
  state: 'confirmed' | 'failed';
  reason?: PrintFailureReason;
  jobId: string;
  /** Bytes of the job. */
  bytes: number;
  /** False when the model has no real-time status: "confirmed" then only means "sent". */
  verified: boolean;
}

export interface PrintJobEvent {
  jobId: string;
  state: PrintJobState;
  reason?: PrintFailureReason;
}

export interface EscPosPrinterDriverOptions {
  /** Wait for one DLE EOT reply. Default 500 ms. */
  statusTimeoutMs?: number;
  /** Background status poll period; 0 disables polling. Default 1000 ms (changes seen within 2 s). */
  pollIntervalMs?: number;
  /** Bytes per write, so faults and XOFF are noticed mid-job. Default 512. */
  chunkBytes?: number;
  /** Longest wait for XON after XOFF before the job fails with 'timeout'. Default 10 000 ms. */
  xoffTimeoutMs?: number;
  /**
   * Print speed used to wait, after the last byte, until the paper has actually come out
   * before the confirming status query (a printer buffers KBs). Default 150 mm/s, or
   * Infinity (no wait) for a simulated profile.
   */
  printSpeedMmPerS?: number;
  /** Honour XON/XOFF from the printer. Default: when the profile's serial transport says 'xonxoff'. */
  xonXoff?: boolean;
  encode?: EncodeTicketOptions;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class JobAbort extends Error {
  constructor(readonly reason: PrintFailureReason) {
    super(reason);
  }
}

export class EscPosPrinterDriver {
  private readonly opts: Required<Omit<EscPosPrinterDriverOptions, 'encode'>> & { encode: EncodeTicketOptions };
  private readonly statusListeners = new Listeners<[PrinterStatus]>();
  private readonly jobListeners = new Listeners<[PrintJobEvent]>();
  private readonly demux: StatusDemux;
  private readonly unsubscribes: Unsubscribe[] = [];
  private current: PrinterStatus | undefined;
  private pendingReply: ((byte: number) => void) | undefined;
  private quietUntil = 0;
  private queryChain: Promise<unknown> = Promise.resolve();
  private writeChain: Promise<unknown> = Promise.resolve();
  private jobChain: Promise<unknown> = Promise.resolve();
  private xoff = false;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private polling = false;
  private jobSeq = 0;
  private activeJobFault: PrintFailureReason | undefined;
  private jobActive = false;

  constructor(
    readonly transport: ByteTransport,
    readonly profile: PrinterProfile,
    options: EscPosPrinterDriverOptions = {},
  ) {
    const serial = profile.transports.find((t) => t.kind === 'serial');
    this.opts = {
      statusTimeoutMs: options.statusTimeoutMs ?? 500,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      chunkBytes: options.chunkBytes ?? 512,
      xoffTimeoutMs: options.xoffTimeoutMs ?? 10_000,
      printSpeedMmPerS: options.printSpeedMmPerS ?? (profile.simulated ? Infinity : 150),
      xonXoff: options.xonXoff ?? (serial?.kind === 'serial' && serial.flowControl === 'xonxoff'),
      encode: options.encode ?? {},
    };
    this.demux = new StatusDemux({
      realtime: (b) => {
        const resolve = this.pendingReply;
        this.pendingReply = undefined;
        resolve?.(b); // a reply nobody waits for (late, after a time-out) is dropped
      },
      asb: (frame) => this.publish(makeStatus(conditionsFromAsb(frame), 'asb')),
      flow: (xoff) => {
        if (this.opts.xonXoff) this.xoff = xoff;
      },
    });
    this.unsubscribes.push(
      transport.onData((chunk) => this.demux.push(chunk)),
      transport.onClose(() => {
        this.xoff = false;
        if (this.jobActive) this.activeJobFault ??= 'disconnected';
        this.publish(makeStatus(['disconnected'], 'link'));
      }),
    );
  }

  /** The last known status (undefined before the first query). */
  get status(): PrinterStatus | undefined {
    return this.current;
  }

  /** Status changes: paper-near-end / paper-out / cover-open / offline / cutter-error / no-response / disconnected. */
  onStatus(listener: (status: PrinterStatus) => void): Unsubscribe {
    return this.statusListeners.add(listener);
  }

  onJob(listener: (event: PrintJobEvent) => void): Unsubscribe {
    return this.jobListeners.add(listener);
  }

  /** Opens the link, enables automatic status back when the model has it, starts polling. */
  async start(): Promise<PrinterStatus> {
    await this.ensureOpen().catch(() => undefined);
    if (this.transport.isOpen && this.profile.capabilities.automaticStatusBack) {
      // online/offline (2) + errors (4) + paper roll sensor (8)
      await this.write(automaticStatusBack(0x0e)).catch(() => undefined);
    }
    const status = await this.refreshStatus();
    this.polling = true;
    this.schedulePoll();
    return status;
  }

  /** Stops polling and detaches from the transport (the transport itself stays open). */
  async stop(): Promise<void> {
    this.polling = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    await this.queryChain.catch(() => undefined);
  }

  /** Stops and releases the transport listeners; the driver cannot be used afterwards. */
  async dispose(): Promise<void> {
    await this.stop();
    for (const u of this.unsubscribes) u();
  }

  /** Queries the printer now and publishes the result. */
  async refreshStatus(): Promise<PrinterStatus> {
    const status = await this.readStatus();
    this.publish(status);
    return status;
  }

  /** How this driver encodes (code pages, rasterizer): for documents encoded outside `print`. */
  get encodeOptions(): EncodeTicketOptions {
    return this.opts.encode;
  }

  print(ticket: Ticket, options?: EncodeTicketOptions): Promise<PrintResult> {
    let job: EncodedJob;
    try {
      job = encodeTicket(ticket, this.profile, { ...this.opts.encode, ...options });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.printJob(job);
  }

  /** Prints a job the encoder made (one receipt ending in a cut), split only at its boundaries. */
  printJob(job: EncodedJob): Promise<PrintResult> {
    const jobId = `job-${++this.jobSeq}`;
    this.emitJob({ jobId, state: 'queued' });
    const run = this.jobChain.then(() => this.runJob(jobId, job));
    this.jobChain = run.catch(() => undefined);
    return run;
  }

  // ---- jobs ---------------------------------------------------------------------------------

  private async runJob(jobId: string, job: EncodedJob): Promise<PrintResult> {
    const { bytes } = job;
    const verified = this.profile.capabilities.realtimeStatus;
    const fail = (reason: PrintFailureReason): PrintResult => {
      this.emitJob({ jobId, state: 'failed', reason });
      return { state: 'failed', reason, jobId, bytes: bytes.length, verified };
    };
    this.jobActive = true;
    this.activeJobFault = undefined;
    try {
      try {
        await this.ensureOpen();
      } catch {
        this.publish(makeStatus(['disconnected'], 'link'));
        return fail('disconnected');
      }
      if (verified) {
        const before = await this.refreshStatus();
        const reason = failureReason(before);
        if (reason) return fail(reason);
      }
      this.emitJob({ jobId, state: 'sending' });
      const started = performance.now();
      try {
        for (const [start, end] of this.segments(job)) {
          await this.waitWritable();
          await this.writeSegment(bytes.subarray(start, end));
        }
      } catch (error) {
        return fail(this.abortReason(error));
      }
      this.emitJob({ jobId, state: 'sent' });

      const wait = this.printTimeMs(job) - (performance.now() - started);
      if (wait > 0) await sleep(wait);
      if (this.activeJobFault) return fail(this.activeJobFault);
      if (verified) {
        const after = await this.refreshStatus();
        const reason = this.activeJobFault ?? failureReason(after);
        if (reason) return fail(reason);
      } else if (!this.transport.isOpen) {
        return fail('disconnected');
      }
      this.emitJob({ jobId, state: 'confirmed' });
      return { state: 'confirmed', jobId, bytes: bytes.length, verified };
    } finally {
      this.jobActive = false;
    }
  }

  private abortReason(error: unknown): PrintFailureReason {
    if (error instanceof JobAbort) return error.reason;
    if (this.activeJobFault) return this.activeJobFault;
    if (error instanceof TransportError) return error.code === 'timeout' ? 'timeout' : 'disconnected';
    return 'disconnected';
  }

  /**
   * Splits a job at the encoder's command boundaries into pieces of about `chunkBytes`, so that a
   * status query is never sent inside a command (a bigger single command is one piece).
   */
  private segments(job: EncodedJob): [number, number][] {
    const { bytes, boundaries: bounds } = job;
    const out: [number, number][] = [];
    let start = 0;
    let k = 0;
    while (start < bytes.length) {
      let end = -1;
      while (k < bounds.length && bounds[k]! <= start + this.opts.chunkBytes) end = bounds[k++]!;
      if (end <= start) end = bounds[k++] ?? bytes.length;
      out.push([start, end]);
      start = end;
    }
    return out;
  }

  /**
   * One piece, holding the link so no query slips in; written in `chunkBytes` writes with an
   * XOFF check before each.
   */
  private writeSegment(piece: Uint8Array): Promise<void> {
    const run = this.writeChain.then(async () => {
      for (let i = 0; i < piece.length; i += this.opts.chunkBytes) {
        if (i > 0) await this.waitWritable();
        await this.writeWithin(
          () => this.transport.write(piece.subarray(i, i + this.opts.chunkBytes)),
          this.opts.xoffTimeoutMs,
        );
      }
    });
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /**
   * A write that does not finish in time (a serial port whose kernel honours XOFF, a printer
   * that holds CTS/DSR low) fails the job with the fault seen meanwhile, else 'timeout'.
   */
  private async writeWithin(write: () => Promise<void>, timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new JobAbort(this.activeJobFault ?? 'timeout')), timeoutMs);
    });
    try {
      await Promise.race([write(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Before each chunk: stop on a fault seen mid-job, and wait out XOFF. */
  private async waitWritable(): Promise<void> {
    const deadline = performance.now() + this.opts.xoffTimeoutMs;
    for (;;) {
      if (this.activeJobFault) throw new JobAbort(this.activeJobFault);
      if (!this.xoff) return;
      if (performance.now() > deadline) throw new JobAbort(failureReason(await this.readStatus()) ?? 'timeout');
      await sleep(5);
    }
  }

  /** How long the paper takes to come out, from the height the encoder counted. */
  private printTimeMs(job: EncodedJob): number {
    const speed = this.opts.printSpeedMmPerS;
    if (!Number.isFinite(speed) || speed <= 0) return 0;
    const mm = (job.heightDots / this.profile.capabilities.dpi) * 25.4;
    return (mm / speed) * 1000;
  }

  private emitJob(event: PrintJobEvent): void {
    this.jobListeners.emit(event);
  }

  // ---- link ---------------------------------------------------------------------------------

  private async ensureOpen(): Promise<void> {
    if (!this.transport.isOpen) await this.transport.open();
  }

  /** Serialized writes: status queries slot in between job chunks. */
  private write(data: Uint8Array): Promise<void> {
    const run = this.writeChain.then(() => this.transport.write(data));
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  // ---- status -------------------------------------------------------------------------------

  private publish(status: PrinterStatus): void {
    if (this.jobActive) {
      const reason = failureReason(status);
      if (reason && reason !== 'timeout') this.activeJobFault ??= reason;
    }
    const changed = !sameConditions(this.current, status);
    this.current = status;
    if (changed) this.statusListeners.emit(status);
  }

  /** One DLE EOT n round trip; undefined on time-out. Queries never overlap. */
  private query(n: 1 | 2 | 3 | 4): Promise<number | undefined> {
    const run = this.queryChain.then(async () => {
      const quiet = this.quietUntil - performance.now();
      if (quiet > 0) await sleep(quiet);
      const reply = new Promise<number | undefined>((resolve) => {
        this.pendingReply = resolve;
      });
      await this.write(realtimeStatusRequest(n));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(resolve, this.opts.statusTimeoutMs, undefined);
      });
      const result = await Promise.race([reply, timeout]);
      clearTimeout(timer);
      if (result === undefined) {
        // A late reply must not be taken for the answer to the next query.
        this.pendingReply = undefined;
        this.quietUntil = performance.now() + this.opts.statusTimeoutMs;
      }
      return result;
    });
    this.queryChain = run.catch(() => undefined);
    return run;
  }

  private async readStatus(): Promise<PrinterStatus> {
    if (!this.transport.isOpen) return makeStatus(['disconnected'], 'link');
    if (!this.profile.capabilities.realtimeStatus) return makeStatus([], 'link');
    try {
      const n1 = await this.query(1);
      if (n1 === undefined) return makeStatus(['no-response'], 'query');
      const n4 = await this.query(4);
      const offline = (n1 & 0x08) !== 0;
      const n2 = offline ? await this.query(2) : undefined;
      const n3 = offline && n2 !== undefined && n2 & 0x40 ? await this.query(3) : undefined;
      return makeStatus(conditionsFromRealtime({ 1: n1, 2: n2, 3: n3, 4: n4 }), 'query');
    } catch {
      return makeStatus([this.transport.isOpen ? 'no-response' : 'disconnected'], 'link');
    }
  }

  private schedulePoll(): void {
    if (!this.polling || this.opts.pollIntervalMs <= 0) return;
    this.pollTimer = setTimeout(() => {
      void (async () => {
        if (!this.transport.isOpen && !this.jobActive) await this.ensureOpen().catch(() => undefined);
        await this.refreshStatus().catch(() => undefined);
        this.schedulePoll();
      })();
    }, this.opts.pollIntervalMs);
    this.pollTimer.unref?.();
  }
}
