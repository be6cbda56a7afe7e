/**
 * What every byte transport shares: a lasting status with its reason, the data and close
 * listeners, and the one way a link is lost. A subclass holds its own handle type `L` (a serial
 * port, a socket, a file, a hidraw device) in `link` while open and says how to release it;
 * the base makes sure a lost link is released once, leaves the status 'disconnected' with a
 * reason and fires onClose once, and that a deliberate close() never fires onClose.
 */
import {
  Listeners,
  TransportError,
  type ByteTransport,
  type TransportErrorCode,
  type TransportStatus,
  type Unsubscribe,
} from './transport';

export abstract class BaseByteTransport<L> implements ByteTransport {
  abstract readonly id: string;
  /** The open handle; undefined while closed, and from the moment a loss is noticed. */
  protected link: L | undefined;
  private status_: TransportStatus = 'closed';
  private reason_: string | undefined;
  private readonly data = new Listeners<[Uint8Array]>();
  private readonly closed = new Listeners<[TransportErrorCode]>();

  get isOpen(): boolean {
    return this.status_ === 'open';
  }
  /** Lasting state, for device status (faults are status, not exceptions). */
  get status(): TransportStatus {
    return this.status_;
  }
  /** Why the transport is 'unavailable' or 'disconnected' (no personal data). */
  get statusReason(): string | undefined {
    return this.reason_;
  }

  abstract open(): Promise<void>;
  abstract write(data: Uint8Array): Promise<void>;

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.data.add(listener);
  }
  onClose(listener: (reason: TransportErrorCode) => void): Unsubscribe {
    return this.closed.add(listener);
  }

  /** Deliberate close: releases the handle, status 'closed' (a lost link stays 'disconnected'), no onClose. */
  async close(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    if (this.status_ === 'open') this.setStatus('closed', undefined);
    if (link !== undefined) await this.closeLink(link);
  }

  /** Releases the handle on a deliberate close(). */
  protected abstract closeLink(link: L): Promise<void>;
  /**
   * Releases the handle of a link that went away (errors ignored: it is gone). Default: as
   * closeLink. A release that completes at once returns nothing, and onClose then fires in the
   * same tick as the loss (a socket reset, an unplugged simulated link).
   */
  protected releaseLostLink(link: L): Promise<void> | void {
    return this.closeLink(link).catch(() => undefined);
  }

  /** The handle is open: it becomes `link` and the status 'open'. */
  protected opened(link: L): void {
    this.link = link;
    this.setStatus('open', undefined);
  }

  /** Bytes from the device, unless they come from a handle that is no longer ours. */
  protected deliver(link: L, chunk: Uint8Array): void {
    if (this.link === link) this.data.emit(chunk);
  }

  /**
   * The link went away (unplugged, peer closed, read or write error). Only the first report for
   * the current handle counts: it is released, the status becomes 'disconnected' and onClose fires.
   */
  protected lost(link: L, reason: string): Promise<void> {
    if (this.link !== link) return Promise.resolve();
    this.link = undefined;
    this.setStatus('disconnected', reason);
    const released = this.releaseLostLink(link);
    if (released === undefined) {
      this.closed.emit('disconnected');
      return Promise.resolve();
    }
    return released.then(() => this.closed.emit('disconnected'));
  }

  protected setStatus(status: TransportStatus, reason: string | undefined): void {
    this.status_ = status;
    this.reason_ = reason;
  }

  /** The error for an operation on a transport that is not open. */
  protected notOpenError(): TransportError {
    return this.status_ === 'disconnected'
      ? new TransportError('disconnected', `${this.id} is disconnected`)
      : new TransportError('not-open', `${this.id} is not open`);
  }

  /** The open handle, or the not-open error (a write on a closed or lost transport). */
  protected requireLink(): L {
    const link = this.link;
    if (link === undefined || this.status_ !== 'open') throw this.notOpenError();
    return link;
  }
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * strerror texts of the errnos that mean "the device is gone". serialport's native binding reports
 * some failures with the text only: a drain on a serial port whose device was pulled (or a pty
 * whose other end closed) rejects with "Input/output error, cannot drain" and no `code`.
 */
const STRERROR_CODES: readonly [string, string][] = [
  ['no such device or address', 'ENXIO'],
  ['no such device', 'ENODEV'],
  ['input/output error', 'EIO'],
  ['bad file descriptor', 'EBADF'],
  ['no such file or directory', 'ENOENT'],
];

/** The errno code of a Node error (`code`), or one named in its message, or one its strerror text means. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  const message = messageOf(error);
  const m = /\b(E[A-Z]{2,})\b/u.exec(message);
  if (m?.[1]) return m[1];
  const text = message.toLowerCase();
  return STRERROR_CODES.find(([strerror]) => text.includes(strerror))?.[1];
}
