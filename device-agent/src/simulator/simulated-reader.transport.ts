/**
 * The simulated contactless reader as a pluggable device: a SimulatedApduTransport (the ISO 14443
 * link model with faults, from virtual-cccd) behind a reader that can be opened and closed again,
 * unplugged (the card leaves the field, an APDU in flight fails, onClose fires) and replugged.
 */
import type { ReaderTransport } from '../devices/device-source';
import { Listeners, TransportError, type Unsubscribe } from '../transports/transport';
import {
  SimulatedApduTransport,
  type ApduFaults,
  type ApduResponder,
  type SimulatedApduLinkOptions,
} from './virtual-cccd';

export class SimulatedReaderTransport implements ReaderTransport {
  readonly inner: SimulatedApduTransport;
  private plugged_ = true;
  private open_ = false;
  private readonly cardChanges = new Listeners<[boolean]>();
  private readonly closed = new Listeners<[string]>();
  /** The printed MRZ of the card in the field, as an optics reader sees it (undefined: not legible). */
  private printed: string[] | undefined;

  constructor(
    readonly id: string,
    link: SimulatedApduLinkOptions = {},
  ) {
    this.inner = new SimulatedApduTransport(id, { link });
    this.inner.onCardChange((present) => {
      if (this.open_) this.cardChanges.emit(present);
    });
  }

  get plugged(): boolean {
    return this.plugged_;
  }
  get isOpen(): boolean {
    return this.open_;
  }
  get cardPresent(): boolean {
    return this.open_ && this.plugged_ && this.inner.cardPresent;
  }

  async open(): Promise<void> {
    if (!this.plugged_) throw new TransportError('disconnected', `${this.id} is unplugged`);
    this.open_ = true;
  }

  transmit(command: Uint8Array): Promise<Uint8Array> {
    if (!this.plugged_) return Promise.reject(new TransportError('disconnected', `${this.id} is unplugged`));
    if (!this.open_) return Promise.reject(new TransportError('not-open', `${this.id} is not open`));
    return this.inner.transmit(command);
  }

  printedMrz(): string[] | undefined {
    return this.cardPresent ? this.printed : undefined;
  }

  onCardChange(listener: (present: boolean) => void): Unsubscribe {
    return this.cardChanges.add(listener);
  }
  onClose(listener: (reason: string) => void): Unsubscribe {
    return this.closed.add(listener);
  }

  /** Deliberate close: no onClose; the reader can be opened again. */
  async close(): Promise<void> {
    this.open_ = false;
  }

  // ---- the simulator's side ------------------------------------------------------------------

  insertCard(
    card: ApduResponder,
    faults: ApduFaults = {},
    link?: SimulatedApduLinkOptions,
    printedMrz?: string[],
  ): void {
    if (link) this.inner.link = { ...this.inner.link, ...link };
    this.printed = printedMrz;
    this.inner.insertCard(card, faults);
  }
  removeCard(): void {
    this.printed = undefined;
    this.inner.removeCard();
  }
  unplug(): void {
    if (!this.plugged_) return;
    this.plugged_ = false;
    this.inner.removeCard();
    if (this.open_) {
      this.open_ = false;
      this.closed.emit('disconnected');
    }
  }
  replug(): void {
    this.plugged_ = true;
  }
}
