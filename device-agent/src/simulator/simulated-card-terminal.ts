/**
 * A simulated card terminal on the far end of a byte link (the simulated transport, a pty made by
 * socat, a TCP socket): it speaks the ECR protocol as the plainest bank terminal does — ACKs good
 * frames, NAKs broken ones, re-sends its answer on NAK, remembers its last transaction for LAST.
 * What the next SALE does is set like the other simulated devices (`behave`): approve, decline,
 * the patient cancels, no answer (the patient never presents a card; an ABORT from the kiosk then
 * ends the SALE as cancelled), busy, a corrupt answer first (NAK then good), or approved with
 * the answer lost on the way (recovered by LAST).
 */
import {
  ECR_ACK,
  ECR_MAX_RESENDS,
  ECR_NAK,
  encodeEcrMessageFrame,
  parseEcrMessage,
  scanEcr,
  type CardScheme,
  type EcrRequest,
  type EcrTransactionResult,
} from '@kiosk/protocol';
import type { ByteTransport } from '../transports/transport';

export type SimulatedSaleBehaviour =
  | 'approve'
  | 'decline'
  | 'cancel'
  | 'no-answer'
  | 'busy'
  | 'corrupt-then-good'
  | 'approve-answer-lost'
  /** The card is already with the bank when the kiosk's ABORT comes: too late, approved. */
  | 'approve-despite-abort';

/** The terminal's side of the wire. */
export interface TerminalPeerLink {
  send(bytes: Uint8Array): void;
  onReceive(listener: (chunk: Uint8Array) => void): () => void;
}

export interface SimulatedCardTerminalOptions {
  terminalId?: string;
  scheme?: CardScheme;
  last4?: string;
}

export class SimulatedCardTerminal {
  private buffer: Uint8Array = new Uint8Array(0);
  private behaviour: SimulatedSaleBehaviour = 'approve';
  /** Behaviours for the next sales, in order; then `behaviour` again. */
  private readonly queue: SimulatedSaleBehaviour[] = [];
  private last: EcrTransactionResult | undefined;
  /** A SALE still waiting ('no-answer', 'approve-despite-abort') and what an ABORT makes of it. */
  private waiting: { request: Extract<EcrRequest, { type: 'sale' }>; onAbort: 'cancel' | 'approve' } | undefined;
  private outgoing: { frame: Uint8Array; sends: number } | undefined;
  private rrnSeq = 0;
  private readonly off: () => void;
  /** Every request the terminal understood, in order (for tests). */
  readonly requests: EcrRequest[] = [];
  readonly counters = { naksSent: 0, naksReceived: 0 };
  readonly terminalId: string;

  constructor(
    private readonly link: TerminalPeerLink,
    private readonly options: SimulatedCardTerminalOptions = {},
  ) {
    this.terminalId = options.terminalId ?? 'SIM00001';
    this.off = link.onReceive((chunk) => this.receive(chunk));
  }

  /** What every following sale does. */
  behave(behaviour: SimulatedSaleBehaviour): void {
    this.behaviour = behaviour;
    this.queue.length = 0;
  }
  /** What the next sale does (queued: one each). */
  nextSale(...behaviours: SimulatedSaleBehaviour[]): void {
    this.queue.push(...behaviours);
  }
  get lastTransaction(): EcrTransactionResult | undefined {
    return this.last;
  }
  stop(): void {
    this.off();
  }

  private receive(chunk: Uint8Array): void {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    const scan = scanEcr(joined);
    this.buffer = scan.rest;
    for (const item of scan.items) {
      if (item.kind === 'ack') this.outgoing = undefined;
      else if (item.kind === 'nak') this.resend();
      else if (item.kind === 'bad-frame') {
        this.counters.naksSent += 1;
        this.link.send(Uint8Array.of(ECR_NAK));
      } else {
        const parsed = parseEcrMessage(item.data);
        if (!parsed.ok || !isRequest(parsed.value)) {
          this.counters.naksSent += 1;
          this.link.send(Uint8Array.of(ECR_NAK));
          continue;
        }
        this.link.send(Uint8Array.of(ECR_ACK));
        this.requests.push(parsed.value);
        this.handle(parsed.value);
      }
    }
  }

  private resend(): void {
    this.counters.naksReceived += 1;
    const outgoing = this.outgoing;
    if (!outgoing || outgoing.sends > ECR_MAX_RESENDS) return;
    outgoing.sends += 1;
    this.link.send(outgoing.frame);
  }

  private answer(message: Parameters<typeof encodeEcrMessageFrame>[0], corruptFirst = false): void {
    const framed = encodeEcrMessageFrame(message);
    if (!framed.ok) return;
    this.outgoing = { frame: framed.value, sends: 1 };
    if (corruptFirst) {
      const bad = Uint8Array.from(framed.value);
      bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0x5a;
      this.link.send(bad);
    } else this.link.send(framed.value);
  }

  private handle(request: EcrRequest): void {
    const tid = this.terminalId;
    switch (request.type) {
      case 'status':
        this.answer({ type: 'status-result', terminalId: tid, state: 'ready' });
        return;
      case 'last':
        this.answer(
          this.last ? { ...this.last, for: 'last' } : { type: 'result', for: 'last', outcome: 'none', terminalId: tid },
        );
        return;
      case 'void': {
        const found = this.last?.rrn === request.rrn && this.last.outcome === 'approved';
        this.answer({
          type: 'result',
          for: 'void',
          outcome: found ? 'approved' : 'declined',
          terminalId: tid,
          rrn: request.rrn,
          ...(found ? {} : { declineReason: 'NO SUCH TRANSACTION' }),
        });
        return;
      }
      case 'abort': {
        const waiting = this.waiting;
        this.waiting = undefined;
        if (waiting) this.sale(waiting.request, waiting.onAbort);
        return;
      }
      case 'sale':
        this.sale(request);
    }
  }

  private sale(request: Extract<EcrRequest, { type: 'sale' }>, chosen?: SimulatedSaleBehaviour): void {
    const behaviour = chosen ?? this.queue.shift() ?? this.behaviour;
    const base = {
      type: 'result' as const,
      for: 'sale' as const,
      terminalId: this.terminalId,
      reference: request.reference,
      amountVnd: request.amountVnd,
    };
    this.waiting = undefined;
    switch (behaviour) {
      case 'no-answer':
        this.waiting = { request, onAbort: 'cancel' };
        return;
      case 'approve-despite-abort':
        this.waiting = { request, onAbort: 'approve' };
        return;
      case 'busy':
        this.answer({ ...base, outcome: 'busy' });
        return;
      case 'cancel':
        this.last = { ...base, outcome: 'cancelled' };
        this.answer(this.last);
        return;
      case 'decline':
        this.last = { ...base, outcome: 'declined', declineReason: 'INSUFFICIENT FUNDS' };
        this.answer(this.last);
        return;
      case 'approve':
      case 'corrupt-then-good':
      case 'approve-answer-lost': {
        this.rrnSeq += 1;
        this.last = {
          ...base,
          outcome: 'approved',
          approvalCode: `A${String(this.rrnSeq).padStart(5, '0')}`,
          rrn: `6330${String(Date.now() % 1e4).padStart(4, '0')}${String(this.rrnSeq).padStart(4, '0')}`,
          scheme: this.options.scheme ?? 'NAPAS',
          last4: this.options.last4 ?? '1234',
        };
        if (behaviour !== 'approve-answer-lost') this.answer(this.last, behaviour === 'corrupt-then-good');
      }
    }
  }
}

function isRequest(message: { type: string }): message is EcrRequest {
  return ['sale', 'void', 'last', 'status', 'abort'].includes(message.type);
}

/** The terminal's end of a real link: the far end of a pty opened as a serial port, a TCP socket's byte transport. */
export function terminalPeerLinkOf(transport: ByteTransport): TerminalPeerLink {
  return {
    send: (bytes) => void transport.write(bytes).catch(() => undefined),
    onReceive: (listener) => transport.onData(listener),
  };
}
