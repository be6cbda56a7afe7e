/**
 * The ECR driver: joins the ECR codec (`@kiosk/protocol`) to a byte transport (serial, TCP,
 * simulated). One request at a time: send the frame, wait for ACK (re-send on NAK up to 3 times,
 * and on silence), then wait for the answer frame, ACK it (NAK a broken one: the terminal sends it
 * again). Faults come back as a Result with a code, never as a throw.
 *
 * Terminal quirk: a terminal may send its answer before the host has seen the ACK byte of its own
 * frame (the ACK is lost on a noisy line); an answer frame therefore also counts as the ACK.
 */
import {
  ECR_ACK,
  ECR_MAX_RESENDS,
  ECR_NAK,
  encodeEcrMessageFrame,
  err,
  ok,
  parseEcrMessage,
  scanEcr,
  type EcrRequest,
  type EcrResponse,
  type Result,
} from '@kiosk/protocol';
import type { ByteTransport, Unsubscribe } from '../transports/transport';

export interface EcrDriverOptions {
  /** How long the terminal has to ACK a frame. */
  ackTimeoutMs?: number;
  /** How long a SALE may take at the terminal (the patient reads, inserts, types a PIN). */
  saleTimeoutMs?: number;
  /** How long a VOID, LAST or STATUS may take. */
  shortTimeoutMs?: number;
}

export type EcrDriverErrorCode =
  /** No ACK after the first send and every re-send. */
  | 'no-response'
  /** NAKed every time: the line corrupts our frames. */
  | 'nak-limit'
  /** ACKed, but no answer in time. */
  | 'timeout'
  /** Another request is in flight on this driver. */
  | 'busy'
  | 'link-lost'
  | 'bad-message'
  | 'unexpected-answer';

interface Pending {
  request: EcrRequest;
  frame: Uint8Array;
  sends: number;
  acked: boolean;
  /** ABORT asked for before the terminal had ACKed the SALE: sent on the ACK. */
  abortWanted: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  settle: (result: Result<EcrResponse>) => void;
}

export class EcrTerminalDriver {
  private buffer: Uint8Array = new Uint8Array(0);
  private pending: Pending | undefined;
  private opening = false;
  private readonly unsubscribe: Unsubscribe[];
  readonly counters = { framesSent: 0, resends: 0, naksSent: 0, naksReceived: 0 };
  private readonly ackTimeoutMs: number;
  private readonly saleTimeoutMs: number;
  private readonly shortTimeoutMs: number;

  constructor(
    private readonly transport: ByteTransport,
    options: EcrDriverOptions = {},
  ) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 1500;
    this.saleTimeoutMs = options.saleTimeoutMs ?? 120_000;
    this.shortTimeoutMs = options.shortTimeoutMs ?? 10_000;
    this.unsubscribe = [
      transport.onData((chunk) => this.receive(chunk)),
      transport.onClose(() => this.finish(err('link-lost', 'the terminal link went away'))),
    ];
  }

  get inFlight(): boolean {
    return this.pending !== undefined;
  }

  /** Sends one request and resolves with the terminal's validated answer or a coded fault. */
  async request(request: EcrRequest): Promise<Result<EcrResponse>> {
    if (this.pending || this.opening) return err('busy', 'a terminal request is already in flight');
    if (request.type === 'abort') return err('bad-message', 'an ABORT goes beside a SALE: abort()');
    const framed = encodeEcrMessageFrame(request);
    if (!framed.ok) return framed;
    if (!this.transport.isOpen) {
      this.opening = true;
      try {
        await this.transport.open();
      } catch {
        return err('link-lost', 'the terminal link cannot be opened');
      } finally {
        this.opening = false;
      }
    }
    return new Promise<Result<EcrResponse>>((resolve) => {
      this.pending = {
        request,
        frame: framed.value,
        sends: 0,
        acked: false,
        abortWanted: false,
        timer: undefined,
        settle: resolve,
      };
      void this.send();
    });
  }

  /**
   * Asks the terminal to stop the SALE in flight (an ABORT frame beside it): the SALE still ends
   * with the terminal's own answer — cancelled, or approved when the card was already through.
   * False when no SALE is in flight.
   */
  async abort(): Promise<boolean> {
    const pending = this.pending;
    if (pending?.request.type !== 'sale') return false;
    if (!pending.acked) {
      pending.abortWanted = true;
      return true;
    }
    await this.sendAbort();
    return true;
  }

  dispose(): void {
    for (const off of this.unsubscribe) off();
    this.finish(err('link-lost', 'the terminal driver stopped'));
  }

  private async send(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    if (pending.sends > ECR_MAX_RESENDS) {
      this.finish(err('no-response', 'the terminal did not acknowledge'));
      return;
    }
    if (pending.sends > 0) this.counters.resends += 1;
    pending.sends += 1;
    this.counters.framesSent += 1;
    this.arm(this.ackTimeoutMs, () => void this.send());
    await this.write(pending.frame);
  }

  private arm(ms: number, onTimeout: () => void): void {
    const pending = this.pending;
    if (!pending) return;
    if (pending.timer) clearTimeout(pending.timer);
    pending.timer = setTimeout(onTimeout, ms);
  }

  private async write(bytes: Uint8Array): Promise<void> {
    try {
      await this.transport.write(bytes);
    } catch {
      this.finish(err('link-lost', 'writing to the terminal failed'));
    }
  }

  private finish(result: Result<EcrResponse>): void {
    const pending = this.pending;
    if (!pending) return;
    if (pending.timer) clearTimeout(pending.timer);
    this.pending = undefined;
    pending.settle(result);
  }

  private acknowledged(): void {
    const pending = this.pending;
    if (!pending || pending.acked) return;
    pending.acked = true;
    if (pending.abortWanted) void this.sendAbort();
    const ms = pending.request.type === 'sale' ? this.saleTimeoutMs : this.shortTimeoutMs;
    this.arm(ms, () => this.finish(err('timeout', 'the terminal did not answer in time')));
  }

  private async sendAbort(): Promise<void> {
    const framed = encodeEcrMessageFrame({ type: 'abort' });
    if (framed.ok) await this.write(framed.value);
  }

  private receive(chunk: Uint8Array): void {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    const scan = scanEcr(joined);
    // A frame header with a huge length never completes: drop what cannot be an answer.
    this.buffer = scan.rest.length > 10_010 ? new Uint8Array(0) : scan.rest;
    for (const item of scan.items) {
      switch (item.kind) {
        case 'ack':
          this.acknowledged();
          break;
        case 'nak':
          this.counters.naksReceived += 1;
          if (this.pending && !this.pending.acked) void this.send();
          break;
        case 'bad-frame':
          this.counters.naksSent += 1;
          void this.write(Uint8Array.of(ECR_NAK));
          break;
        case 'frame':
          void this.write(Uint8Array.of(ECR_ACK));
          this.answer(item.data);
          break;
      }
    }
  }

  private answer(data: Uint8Array): void {
    const pending = this.pending;
    if (!pending) return; // A repeated answer after we settled: ACKed above, nothing more.
    this.acknowledged();
    const parsed = parseEcrMessage(data);
    if (!parsed.ok) {
      this.finish(err('bad-message', parsed.error.message));
      return;
    }
    const message = parsed.value;
    const expected =
      pending.request.type === 'status'
        ? message.type === 'status-result'
        : message.type === 'result' && message.for === pending.request.type;
    if (!expected) {
      this.finish(err('unexpected-answer', `the terminal answered ${message.type} to ${pending.request.type}`));
      return;
    }
    this.finish(ok(message as EcrResponse));
  }
}
