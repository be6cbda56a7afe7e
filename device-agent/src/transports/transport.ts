/**
 * A transport moves bytes or APDUs and nothing else. Drivers sit on top; the simulator
 * replaces only the transport, so the real drivers run in every test.
 */

export type TransportErrorCode = 'disconnected' | 'timeout' | 'not-open' | 'io-error' | 'unavailable';

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export type Unsubscribe = () => void;

/** Lasting state of a transport, for device status (faults are status, not exceptions). */
export type TransportStatus = 'closed' | 'open' | 'disconnected' | 'unavailable';

export interface ByteTransport {
  readonly id: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  /** Resolves when the bytes have been handed to the link (drained for serial). */
  write(data: Uint8Array): Promise<void>;
  onData(listener: (chunk: Uint8Array) => void): Unsubscribe;
  /** The link went away (unplugged, peer closed). Not called on a deliberate close(). */
  onClose(listener: (reason: TransportErrorCode) => void): Unsubscribe;
  close(): Promise<void>;
}

export interface ApduTransport {
  readonly id: string;
  /** Sends one command APDU, resolves with the response APDU including SW1 SW2. */
  transmit(command: Uint8Array, options?: { timeoutMs?: number }): Promise<Uint8Array>;
  /** True while a card is present and powered. */
  readonly cardPresent: boolean;
  onCardChange(listener: (present: boolean) => void): Unsubscribe;
  close(): Promise<void>;
}

/** A tiny typed listener set used by transports and devices. */
export class Listeners<A extends unknown[]> {
  private readonly set = new Set<(...args: A) => void>();
  add(listener: (...args: A) => void): Unsubscribe {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  emit(...args: A): void {
    for (const l of [...this.set]) l(...args);
  }
  clear(): void {
    this.set.clear();
  }
}
