/**
 * An ApduTransport over a simulated card (the virtual CCCD or any ApduResponder), with a
 * contactless link model and fault injection, so the real chip reader runs in every test.
 * Link time per APDU = (command + response bytes) × 9 bits (8 data + parity, ISO 14443-A
 * framing) / bit rate + a per-APDU latency (reader turnaround, frame waiting).
 */
import { Listeners, TransportError, type ApduTransport, type Unsubscribe } from '../../transports/transport';
import type { ApduResponder } from './virtual-cccd.chip';

export interface SimulatedApduLinkOptions {
  /** ISO 14443 bit rate; 0 = instantaneous. */
  bitRateKbps?: 0 | 106 | 212 | 424 | 848;
  perApduLatencyMs?: number;
}

export interface ApduFaults {
  /** The card leaves the field after this many APDUs (the next transmit fails). */
  removeCardAfterApdus?: number;
  /** Flip a bit of the response MAC of this APDU (1-based). */
  wrongMacAtApdu?: number;
  /** Answer this plain status word instead of the card's response at this APDU (1-based). */
  statusAtApdu?: { apdu: number; sw: number };
  /** Cut the response of this APDU (1-based) to half its length. */
  truncateResponseAtApdu?: number;
}

export const BITS_PER_BYTE_ON_AIR = 9;

/** Link time of one APDU exchange in milliseconds under `link`. */
export function apduLinkTimeMs(commandBytes: number, responseBytes: number, link: SimulatedApduLinkOptions): number {
  const rate = link.bitRateKbps ?? 0;
  const airMs = rate > 0 ? ((commandBytes + responseBytes) * BITS_PER_BYTE_ON_AIR) / rate : 0;
  return airMs + (link.perApduLatencyMs ?? 0);
}

/** Timers overshoot by several ms on a busy machine: the last stretch is waited by yielding. */
const TIMER_MARGIN_MS = 4;

/** Sleeps until `deadline` (performance.now() ms): a timer for the bulk, then yields until due. */
async function sleepUntil(deadline: number): Promise<void> {
  const bulk = deadline - performance.now() - TIMER_MARGIN_MS;
  if (bulk > 0) await new Promise((r) => setTimeout(r, bulk));
  while (performance.now() < deadline) await new Promise((r) => setImmediate(r));
}

export class SimulatedApduTransport implements ApduTransport {
  private card: ApduResponder | undefined;
  private readonly changes = new Listeners<[boolean]>();
  private apdus = 0;
  private closed = false;
  link: SimulatedApduLinkOptions;
  faults: ApduFaults;
  /** Total simulated link time so far (ms), for benchmarks. */
  linkTimeMs = 0;

  constructor(
    readonly id: string,
    options: { card?: ApduResponder; link?: SimulatedApduLinkOptions; faults?: ApduFaults } = {},
  ) {
    this.card = options.card;
    this.link = options.link ?? {};
    this.faults = options.faults ?? {};
    this.card?.reset();
  }

  get cardPresent(): boolean {
    return this.card !== undefined && !this.closed;
  }

  /** APDUs transmitted since the card was inserted. */
  get apduCount(): number {
    return this.apdus;
  }

  onCardChange(listener: (present: boolean) => void): Unsubscribe {
    return this.changes.add(listener);
  }

  insertCard(card: ApduResponder, faults: ApduFaults = {}): void {
    this.card = card;
    this.faults = faults;
    this.apdus = 0;
    this.linkTimeMs = 0;
    card.reset();
    this.changes.emit(true);
  }

  removeCard(): void {
    if (!this.card) return;
    this.card = undefined;
    this.changes.emit(false);
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (this.closed) throw new TransportError('not-open', `${this.id} is closed`);
    const card = this.card;
    if (!card) throw new TransportError('disconnected', `${this.id}: no card in the field`);
    const n = ++this.apdus;
    const f = this.faults;
    if (f.removeCardAfterApdus !== undefined && n > f.removeCardAfterApdus) {
      this.removeCard();
      throw new TransportError('disconnected', `${this.id}: card removed`);
    }
    const started = performance.now();
    let response =
      f.statusAtApdu?.apdu === n
        ? Uint8Array.of(f.statusAtApdu.sw >> 8, f.statusAtApdu.sw & 0xff)
        : card.process(command);
    if (f.wrongMacAtApdu === n && response.length >= 3) {
      response = Uint8Array.from(response);
      response[response.length - 3] = (response[response.length - 3] ?? 0) ^ 0x01;
    }
    if (f.truncateResponseAtApdu === n) response = response.slice(0, Math.floor(response.length / 2));
    const linkMs = apduLinkTimeMs(command.length, response.length, this.link);
    this.linkTimeMs += linkMs;
    if (linkMs > 0) await sleepUntil(started + linkMs);
    if (this.card !== card) throw new TransportError('disconnected', `${this.id}: card removed`);
    return response;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.changes.clear();
  }
}
