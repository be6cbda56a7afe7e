/**
 * USB printers through the kernel's usblp driver (/dev/usb/lpN), no native module. The node is
 * opened non-blocking: a blocking write to a printer that is offline or out of paper would hold a
 * libuv thread until it comes back. A write that gets EAGAIN (the printer's buffer is full) is
 * retried every `retryMs` up to `writeTimeoutMs`; status replies (DLE EOT, ASB) are polled with
 * non-blocking reads every `readPollMs`. ENODEV/EIO/ENXIO means the printer was unplugged.
 */
import { constants, promises as fsp } from 'node:fs';
import { BaseByteTransport, messageOf } from './byte-transport.base';
import { TransportError } from './transport';

/** The file operations used, injectable so unplug and a full buffer can be specified. */
export interface PrinterFile {
  read(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesRead: number }>;
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  close(): Promise<void>;
}

export interface UsbPrinterTransportOptions {
  path: string;
  id?: string;
  readPollMs?: number;
  retryMs?: number;
  writeTimeoutMs?: number;
  openFile?: (path: string) => Promise<PrinterFile>;
}

const lostCodes = new Set(['ENODEV', 'EIO', 'ENXIO', 'EBADF', 'ENOENT', 'ESHUTDOWN']);
const busyCodes = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

const openNonBlocking = async (path: string): Promise<PrinterFile> =>
  fsp.open(path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);

export class UsbPrinterTransport extends BaseByteTransport<PrinterFile> {
  readonly id: string;
  private poller: NodeJS.Timeout | undefined;
  private reading = false;
  private writeChain: Promise<void> = Promise.resolve();

  constructor(private readonly options: UsbPrinterTransportOptions) {
    super();
    this.id = options.id ?? `usb-printer:${options.path}`;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    let file: PrinterFile;
    try {
      file = await (this.options.openFile ?? openNonBlocking)(this.options.path);
    } catch (error) {
      const code = codeOf(error);
      const gone = code === 'ENOENT' || code === 'ENODEV' || code === 'ENXIO';
      this.setStatus(gone ? 'disconnected' : 'closed', `open ${this.options.path} failed: ${messageOf(error)}`);
      throw new TransportError(
        gone ? 'disconnected' : 'io-error',
        code === 'EACCES'
          ? `${this.options.path}: permission denied (add the agent's user to group lp)`
          : (this.statusReason ?? 'open failed'),
      );
    }
    this.opened(file);
    this.poller = setInterval(() => void this.pollRead(file), this.options.readPollMs ?? 50);
    this.poller.unref();
  }

  write(bytes: Uint8Array): Promise<void> {
    const run = this.writeChain.then(() => this.writeNow(Uint8Array.from(bytes)));
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  protected async closeLink(file: PrinterFile): Promise<void> {
    this.stopPolling();
    await file.close().catch(() => undefined);
  }

  private async writeNow(bytes: Uint8Array): Promise<void> {
    const file = this.requireLink();
    const deadline = Date.now() + (this.options.writeTimeoutMs ?? 30_000);
    let offset = 0;
    while (offset < bytes.length) {
      if (this.link !== file) throw new TransportError('disconnected', `${this.id} went away during a write`);
      try {
        const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
        if (bytesWritten > 0) continue;
      } catch (error) {
        const code = codeOf(error);
        if (code === undefined || !busyCodes.has(code)) {
          if (code !== undefined && lostCodes.has(code)) {
            await this.lost(file, `write failed: ${messageOf(error)}`);
            throw new TransportError('disconnected', `${this.id} went away during a write`);
          }
          throw new TransportError('io-error', `${this.id} write failed: ${messageOf(error)}`);
        }
      }
      if (Date.now() >= deadline) {
        throw new TransportError(
          'timeout',
          `${this.id}: printer accepted ${offset} of ${bytes.length} bytes before the timeout (offline or out of paper?)`,
        );
      }
      await delay(this.options.retryMs ?? 20);
    }
  }

  private async pollRead(file: PrinterFile): Promise<void> {
    if (this.reading || this.link !== file) return;
    this.reading = true;
    try {
      const buffer = new Uint8Array(256);
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, buffer.length);
        if (bytesRead <= 0 || this.link !== file) break;
        this.deliver(file, buffer.slice(0, bytesRead));
      }
    } catch (error) {
      const code = codeOf(error);
      if (code !== undefined && lostCodes.has(code)) await this.lost(file, `read failed: ${messageOf(error)}`);
      // EAGAIN: nothing to read. Other errors (printers without a read channel): keep writing.
    } finally {
      this.reading = false;
    }
  }

  private stopPolling(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
  }
}

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
