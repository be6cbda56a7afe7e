/**
 * An MLLP client: one message in flight at a time on one TCP connection, an ACK awaited per
 * message with a deadline, reconnection on the next send after any failure. On a timeout the
 * connection is dropped, so a late ACK can never be taken for the next message's; ACKs naming
 * another control id are ignored. Failures are Results, never throws.
 */
import net from 'node:net';
import type { Result } from '@kiosk/protocol';
import { MllpDecoder, mllpFrame } from './mllp.codec';
import { parseAck } from './hl7v2-message';

export interface MllpClientOptions {
  host: string;
  port: number;
  /** Deadline for connect, and again for the ACK. */
  timeoutMs: number;
  /** Keep the connection between messages (otherwise close after each ACK). */
  keepAlive: boolean;
}

export type MllpFailureCode = 'mllp-connect-failed' | 'mllp-timeout' | 'mllp-closed';
export interface MllpFailure {
  code: MllpFailureCode;
  message: string;
}

interface Waiter {
  controlId: string;
  socket: net.Socket;
  resolve: (r: Result<string, MllpFailure>) => void;
}

export class MllpClient {
  private socket: net.Socket | undefined;
  private connecting: Promise<Result<net.Socket, MllpFailure>> | undefined;
  private waiter: Waiter | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  /** ACKs that answered an earlier message (ignored). */
  staleAcks = 0;
  connects = 0;

  constructor(private readonly o: MllpClientOptions) {}

  /** Sends one message and resolves with the text of its ACK. */
  send(message: string, controlId: string): Promise<Result<string, MllpFailure>> {
    const run = this.chain.then(() => this.sendOne(message, controlId));
    this.chain = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private async sendOne(message: string, controlId: string): Promise<Result<string, MllpFailure>> {
    const connected = await this.connect();
    if (!connected.ok) return connected;
    const socket = connected.value;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        // A late ACK must not be read as the answer to the next message.
        socket.destroy();
        resolve({ ok: false, error: { code: 'mllp-timeout', message: `no ACK within ${this.o.timeoutMs} ms` } });
      }, this.o.timeoutMs);
      this.waiter = {
        controlId,
        socket,
        resolve: (r) => {
          clearTimeout(timer);
          this.waiter = undefined;
          if (!this.o.keepAlive && r.ok) socket.end();
          resolve(r);
        },
      };
      socket.write(mllpFrame(message));
    });
  }

  private connect(): Promise<Result<net.Socket, MllpFailure>> {
    if (this.socket && !this.socket.destroyed && !this.socket.connecting && this.socket.writable)
      return Promise.resolve({ ok: true, value: this.socket });
    this.connecting ??= new Promise<Result<net.Socket, MllpFailure>>((resolve) => {
      const socket = net.connect({ host: this.o.host, port: this.o.port });
      const decoder = new MllpDecoder();
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ ok: false, error: { code: 'mllp-connect-failed', message: 'connect timed out' } });
      }, this.o.timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        this.connects += 1;
        this.socket = socket;
        resolve({ ok: true, value: socket });
      });
      socket.on('data', (chunk: Buffer) => {
        for (const text of decoder.push(chunk)) this.onFrame(text);
      });
      socket.on('error', (e) => {
        clearTimeout(timer);
        resolve({ ok: false, error: { code: 'mllp-connect-failed', message: e.message } });
      });
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        if (this.waiter?.socket === socket)
          this.waiter.resolve({
            ok: false,
            error: { code: 'mllp-closed', message: 'connection closed before the ACK' },
          });
      });
    }).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private onFrame(text: string): void {
    const waiter = this.waiter;
    if (!waiter) {
      this.staleAcks += 1;
      return;
    }
    const ack = parseAck(text);
    if (ack && ack.controlId !== waiter.controlId) {
      this.staleAcks += 1;
      return;
    }
    waiter.resolve({ ok: true, value: text });
  }
}
