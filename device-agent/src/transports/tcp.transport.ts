/**
 * Network printers: a raw TCP socket, port 9100 by convention (JetDirect / "RAW"). Writes resolve
 * when the kernel accepted the bytes. A peer reset, a close by the printer, or keep-alive failure
 * after open is 'disconnected'; a connect that does not complete in connectTimeoutMs is 'timeout'.
 */
import { Socket } from 'node:net';
import { BaseByteTransport } from './byte-transport.base';
import { TransportError } from './transport';

export interface TcpTransportOptions {
  host: string;
  port?: number;
  id?: string;
  connectTimeoutMs?: number;
  /** TCP keep-alive probe start; detects a printer switched off without a FIN. */
  keepAliveMs?: number;
}

export class TcpTransport extends BaseByteTransport<Socket> {
  readonly id: string;

  constructor(private readonly options: TcpTransportOptions) {
    super();
    this.id = options.id ?? `tcp:${options.host}:${options.port ?? 9100}`;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
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
    socket.on('data', (chunk: Buffer) => this.deliver(socket, Uint8Array.from(chunk)));
    socket.on('error', (error) => void this.lost(socket, error.message));
    socket.on('close', () => void this.lost(socket, 'closed by peer'));
    this.opened(socket);
  }

  async write(bytes: Uint8Array): Promise<void> {
    const socket = this.requireLink();
    await new Promise<void>((resolve, reject) => {
      socket.write(Buffer.from(bytes), (error) => {
        if (!error) return resolve();
        void this.lost(socket, error.message);
        reject(new TransportError('disconnected', `${this.id} went away during a write`));
      });
    });
  }

  protected closeLink(socket: Socket): Promise<void> {
    return new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 500).unref();
    });
  }

  protected override releaseLostLink(socket: Socket): void {
    socket.destroy();
  }
}
