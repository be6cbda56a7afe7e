/**
 * Network printers: a raw TCP socket, port 9100 by convention (JetDirect / "RAW"). Writes resolve
 * when the kernel accepted the bytes. A peer reset, a close by the printer, or keep-alive failure
 * after open is 'disconnected'; a connect that does not complete in connectTimeoutMs is 'timeout'.
 */
import { Socket } from 'node:net';
import type { TransportStatus } from './serial.transport';
import { Listeners, TransportError, type ByteTransport, type TransportErrorCode } from './transport';

export interface TcpTransportOptions {
  host: string;
  port?: number;
  id?: string;
  connectTimeoutMs?: number;
  /** TCP keep-alive probe start; detects a printer switched off without a FIN. */
  keepAliveMs?: number;
}

export class TcpTransport implements ByteTransport {
  readonly id: string;
  private socket: Socket | undefined;
  private status_: TransportStatus = 'closed';
  private reason_: string | undefined;
  private readonly data = new Listeners<[Uint8Array]>();
  private readonly closed = new Listeners<[TransportErrorCode]>();

  constructor(private readonly options: TcpTransportOptions) {
    this.id = options.id ?? `tcp:${options.host}:${options.port ?? 9100}`;
  }

  get isOpen(): boolean {
    return this.status_ === 'open';
  }
  get status(): TransportStatus {
    return this.status_;
  }
  get statusReason(): string | undefined {
    return this.reason_;
  }

  async open(): Promise<void> {
    if (this.status_ === 'open') return;
    const socket = new Socket();
    const timeoutMs = this.options.connectTimeoutMs ?? 3000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TransportError('timeout', `${this.id}: no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        const refused = (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
        reject(new TransportError(refused ? 'disconnected' : 'io-error', `${this.id}: ${error.message}`));
      });
      socket.connect(this.options.port ?? 9100, this.options.host, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve();
      });
    }).catch((error: unknown) => {
      this.setStatus(
        error instanceof TransportError && error.code === 'disconnected' ? 'disconnected' : 'closed',
        String(error),
      );
      throw error;
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, this.options.keepAliveMs ?? 5000);
    socket.on('data', (chunk: Buffer) => {
      if (this.socket === socket) this.data.emit(Uint8Array.from(chunk));
    });
    socket.on('error', (error) => this.lost(socket, error.message));
    socket.on('close', () => this.lost(socket, 'closed by peer'));
    this.socket = socket;
    this.setStatus('open', undefined);
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket || this.status_ !== 'open') {
      return Promise.reject(
        this.status_ === 'disconnected'
          ? new TransportError('disconnected', `${this.id} is disconnected`)
          : new TransportError('not-open', `${this.id} is not open`),
      );
    }
    return new Promise((resolve, reject) => {
      socket.write(Buffer.from(bytes), (error) => {
        if (!error) return resolve();
        this.lost(socket, error.message);
        reject(new TransportError('disconnected', `${this.id} went away during a write`));
      });
    });
  }

  onData(listener: (chunk: Uint8Array) => void) {
    return this.data.add(listener);
  }
  onClose(listener: (reason: TransportErrorCode) => void) {
    return this.closed.add(listener);
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (this.status_ === 'open') this.setStatus('closed', undefined);
    if (socket) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.end();
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 500).unref();
      });
    }
  }

  private lost(socket: Socket, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.setStatus('disconnected', reason);
    socket.destroy();
    this.closed.emit('disconnected');
  }

  private setStatus(status: TransportStatus, reason: string | undefined): void {
    this.status_ = status;
    this.reason_ = reason;
  }
}
