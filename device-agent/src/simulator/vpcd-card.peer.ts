/**
 * A virtual smart card for vsmartcard's vpcd pcscd driver: it connects to the driver's TCP port
 * (127.0.0.1:35963 by default) and answers what pcscd sends, so a card written in TypeScript sits
 * behind a real pcscd and the PC/SC code path runs for real. Wire format: every message is a
 * 2-byte big-endian length + payload; a 1-byte payload is a control code (0 power off, 1 power
 * on, 2 reset, 4 get ATR → answered with the ATR); anything longer is a command APDU, answered
 * with the response APDU. Disconnecting the socket is "card removed".
 */
import { Socket } from 'node:net';
import { Listeners } from '../transports/transport';

export type VpcdCommandHandler = (apdu: Uint8Array) => Uint8Array | Promise<Uint8Array>;

export interface VpcdCardOptions {
  host?: string;
  port?: number;
  atr: Uint8Array;
  onApdu: VpcdCommandHandler;
}

export const vpcdControl = { powerOff: 0, powerOn: 1, reset: 2, getAtr: 4 } as const;

/** Splits a vpcd byte stream into messages; partial input waits for the rest. Never throws. */
export class VpcdFramer {
  private buffer = new Uint8Array(0);
  push(chunk: Uint8Array): Uint8Array[] {
    const merged = new Uint8Array(this.buffer.length + chunk.length);
    merged.set(this.buffer);
    merged.set(chunk, this.buffer.length);
    const out: Uint8Array[] = [];
    let offset = 0;
    while (merged.length - offset >= 2) {
      const length = ((merged[offset] ?? 0) << 8) | (merged[offset + 1] ?? 0);
      if (merged.length - offset - 2 < length) break;
      out.push(merged.slice(offset + 2, offset + 2 + length));
      offset += 2 + length;
    }
    this.buffer = merged.slice(offset);
    return out;
  }
}

export function vpcdFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 2);
  out[0] = (payload.length >> 8) & 0xff;
  out[1] = payload.length & 0xff;
  out.set(payload, 2);
  return out;
}

export class VpcdCard {
  private socket: Socket | undefined;
  private powered_ = false;
  /** Control codes and APDU lengths seen (never APDU contents), for tests and diagnostics. */
  readonly events = new Listeners<[{ kind: 'control'; code: number } | { kind: 'apdu'; length: number }]>();

  constructor(private readonly options: VpcdCardOptions) {}

  get powered(): boolean {
    return this.powered_;
  }
  get inserted(): boolean {
    return this.socket !== undefined;
  }

  /** "Insert" the card: resolves once the driver accepted the connection. */
  insert(): Promise<void> {
    if (this.socket) return Promise.resolve();
    const socket = new Socket();
    const framer = new VpcdFramer();
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(this.options.port ?? 35963, this.options.host ?? '127.0.0.1', () => {
        socket.off('error', reject);
        socket.on('error', () => this.drop(socket));
        socket.on('close', () => this.drop(socket));
        socket.on('data', (chunk: Buffer) => {
          for (const message of framer.push(chunk)) void this.answer(socket, message);
        });
        socket.setNoDelay(true);
        this.socket = socket;
        resolve();
      });
    });
  }

  /** "Remove" the card: the driver sees the socket close. */
  async remove(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    this.drop(socket);
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private drop(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.powered_ = false;
  }

  private async answer(socket: Socket, message: Uint8Array): Promise<void> {
    if (message.length === 1) {
      const code = message[0] ?? -1;
      this.events.emit({ kind: 'control', code });
      if (code === vpcdControl.powerOff) this.powered_ = false;
      else if (code === vpcdControl.powerOn || code === vpcdControl.reset) this.powered_ = true;
      else if (code === vpcdControl.getAtr) socket.write(vpcdFrame(this.options.atr));
      return;
    }
    this.events.emit({ kind: 'apdu', length: message.length });
    let response: Uint8Array;
    try {
      response = await this.options.onApdu(message);
    } catch {
      response = Uint8Array.of(0x6f, 0x00);
    }
    if (this.socket === socket) socket.write(vpcdFrame(response));
  }
}
