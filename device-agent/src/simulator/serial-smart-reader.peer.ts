/**
 * The reader side of the serial smart-reader protocol (see SerialSmartReaderTransport): a
 * simulated reader module on any ByteTransport (a SerialTransport on one end of a pty pair, a
 * SimulatedByteTransport) answering with a card such as the VirtualCccdChip.
 * Bad frames from the host are dropped without an answer, as a module would.
 */
import {
  encodeSerialReaderFrame,
  SERIAL_READER_ERROR,
  SERIAL_READER_MESSAGE,
  SerialReaderDeframer,
  serialReaderFraming,
  type SerialReaderFraming,
} from '../transports/serial-smart-reader.transport';
import { TransportError, type ByteTransport, type Unsubscribe } from '../transports/transport';
import type { ApduResponder } from './virtual-cccd/virtual-cccd.chip';

export interface SerialSmartReaderPeerOptions {
  link: ByteTransport;
  /** The profile's capabilities.framing. */
  framing: string | undefined;
  card?: ApduResponder;
  /** Bytes written to the line before an answer (garbage on the line), by answer number (1-based). */
  noiseBeforeAnswer?: (answer: number) => Uint8Array | undefined;
}

export class SerialSmartReaderPeer {
  private readonly framing: SerialReaderFraming;
  private readonly deframer: SerialReaderDeframer;
  private card: ApduResponder | undefined;
  private powered = false;
  private unsubscribe: Unsubscribe | undefined;
  private answers = 0;
  private chain: Promise<void> = Promise.resolve();
  /** Messages answered, by type. */
  readonly counts = { apdus: 0, powerOns: 0, statusPolls: 0, errors: 0 };

  constructor(private readonly options: SerialSmartReaderPeerOptions) {
    const framing = serialReaderFraming(options.framing);
    if (!framing) throw new TransportError('unavailable', `unknown serial reader framing ${String(options.framing)}`);
    this.framing = framing;
    this.deframer = new SerialReaderDeframer(framing);
    this.card = options.card;
  }

  get droppedBytes(): number {
    return this.deframer.stats.droppedBytes;
  }

  async start(): Promise<void> {
    if (!this.options.link.isOpen) await this.options.link.open();
    this.unsubscribe ??= this.options.link.onData((chunk) => {
      for (const payload of this.deframer.push(chunk)) this.enqueue(payload);
    });
  }

  insertCard(card: ApduResponder): void {
    this.card = card;
    this.powered = false;
  }

  removeCard(): void {
    this.card = undefined;
    this.powered = false;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.chain;
    await this.options.link.close().catch(() => undefined);
  }

  private enqueue(payload: Uint8Array): void {
    this.chain = this.chain.then(() => this.answer(payload)).catch(() => undefined);
  }

  private async answer(payload: Uint8Array): Promise<void> {
    const reply = this.replyTo(payload);
    const noise = this.options.noiseBeforeAnswer?.(++this.answers);
    if (noise && noise.length > 0) await this.options.link.write(noise);
    await this.options.link.write(encodeSerialReaderFrame(this.framing, reply));
  }

  private replyTo(payload: Uint8Array): Uint8Array {
    const M = SERIAL_READER_MESSAGE;
    switch (payload[0]) {
      case M.status:
        this.counts.statusPolls++;
        return Uint8Array.of(M.statusReply, this.card ? 1 : 0);
      case M.powerOn: {
        if (!this.card) return this.error(SERIAL_READER_ERROR.noCard);
        this.counts.powerOns++;
        this.card.reset();
        this.powered = true;
        return Uint8Array.of(M.atr, ...this.card.atr);
      }
      case M.command: {
        if (!this.card) return this.error(SERIAL_READER_ERROR.noCard);
        if (!this.powered) return this.error(SERIAL_READER_ERROR.notPowered);
        this.counts.apdus++;
        const response = this.card.process(payload.subarray(1));
        return Uint8Array.of(M.response, ...response);
      }
      default:
        return this.error(SERIAL_READER_ERROR.badMessage);
    }
  }

  private error(code: number): Uint8Array {
    this.counts.errors++;
    return Uint8Array.of(SERIAL_READER_MESSAGE.error, code);
  }
}
