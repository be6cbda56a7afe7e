/**
 * The ESC/POS driver over a real serial line: a pseudo-terminal pair made by socat, serialport
 * at 38,400 baud on both ends. The host end carries EscPosPrinterDriver; a small peer on the
 * other end plays the printer (decodes jobs, answers DLE EOT, sends XON/XOFF, runs out of paper).
 *
 * The host end uses a minimal serial ByteTransport defined here (a pty has no UART, so it also
 * waits each chunk's wire time at the configured baud rate, as a real port's drain would).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileById, type PrinterProfile } from '@kiosk/hardware-profiles';
import {
  EscPosPrinterDriver,
  EscPosStreamParser,
  TransportError,
  addToReceipt,
  emptyReceipt,
  realtimeStatusByte,
  type ByteTransport,
  type DecodedReceipt,
  type SimulatedPrinterFault,
  type TransportErrorCode,
} from '@kiosk/device-agent';
import { plainVietnameseTicket as ticket } from '@kiosk/device-agent/testing';
import { until } from '../support/until';

const BAUD = 38_400;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A serial-connected 80 mm printer whose profile names XON/XOFF flow control. */
function serialProfile(): PrinterProfile {
  const base = profileById('simulated.printer-80');
  if (!base || base.class !== 'printer') throw new Error('simulated.printer-80 missing');
  return {
    ...base,
    id: 'test.serial-printer-80',
    simulated: false,
    transports: [{ kind: 'serial', baudRate: BAUD, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'xonxoff' }],
    capabilities: { ...base.capabilities, automaticStatusBack: false },
  };
}

class PtySerialTransport implements ByteTransport {
  readonly id: string;
  private readonly port: SerialPort;

  constructor(
    path: string,
    private readonly baudRate: number,
  ) {
    this.id = `serial:${path}`;
    // Software flow control is the driver's: the kernel must pass XON/XOFF through.
    this.port = new SerialPort({ path, baudRate, autoOpen: false, xon: false, xoff: false, rtscts: false });
  }
  get isOpen(): boolean {
    return this.port.isOpen;
  }
  open(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.port.open((err) => (err ? reject(new TransportError('disconnected', err.message)) : resolve())),
    );
  }
  async write(data: Uint8Array): Promise<void> {
    if (!this.port.isOpen) throw new TransportError('not-open', `${this.id} is not open`);
    await new Promise<void>((resolve, reject) =>
      this.port.write(Buffer.from(data), (err) =>
        err ? reject(new TransportError('io-error', err.message)) : resolve(),
      ),
    );
    await new Promise<void>((resolve) => this.port.drain(() => resolve()));
    await sleep((data.length * 10 * 1000) / this.baudRate);
  }
  onData(listener: (chunk: Uint8Array) => void) {
    const handler = (b: Buffer) => listener(new Uint8Array(b));
    this.port.on('data', handler);
    return () => void this.port.off('data', handler);
  }
  onClose(listener: (reason: TransportErrorCode) => void) {
    const handler = (err?: { disconnected?: boolean }) => {
      if (err?.disconnected) listener('disconnected');
    };
    this.port.on('close', handler);
    return () => void this.port.off('close', handler);
  }
  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }
}

/** The printer on the far end of the pty. */
class PtyPrinterPeer {
  readonly jobs: DecodedReceipt[] = [];
  current = emptyReceipt();
  fault: SimulatedPrinterFault = 'none';
  jobBytes = 0;
  statusQueries = 0;
  /** Bytes that arrived while XOFF was in force. */
  bytesDuringXoff = 0;
  private xoff = false;
  private triggers: { afterJobBytes: number; run: () => void }[] = [];
  private readonly port: SerialPort;
  private parser = this.newParser();

  constructor(path: string) {
    this.port = new SerialPort({ path, baudRate: BAUD, autoOpen: false, xon: false, xoff: false });
    this.port.on('data', (b: Buffer) => this.receive(new Uint8Array(b)));
  }
  open(): Promise<void> {
    return new Promise((resolve, reject) => this.port.open((err) => (err ? reject(err) : resolve())));
  }
  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }
  reset(): void {
    this.jobs.length = 0;
    this.current = emptyReceipt();
    this.fault = 'none';
    this.jobBytes = 0;
    this.statusQueries = 0;
    this.bytesDuringXoff = 0;
    this.xoff = false;
    this.triggers = [];
    this.parser = this.newParser();
  }
  /** Runs `run` once this many bytes of print data (not status queries) have arrived. */
  after(jobBytes: number, run: () => void): void {
    this.triggers.push({ afterJobBytes: jobBytes, run });
  }
  sendXoff(): void {
    this.xoff = true;
    this.port.write(Buffer.of(0x13));
  }
  sendXon(): void {
    this.xoff = false;
    this.port.write(Buffer.of(0x11));
  }

  private newParser(): EscPosStreamParser {
    return new EscPosStreamParser((event) => {
      if (event.type === 'realtime-status') {
        this.statusQueries++;
        this.port.write(Buffer.of(realtimeStatusByte(event.n, this.fault)));
        return;
      }
      if (this.fault === 'paper-out' || this.fault === 'cover-open' || this.fault === 'offline') return;
      addToReceipt(this.current, event);
      if (event.type === 'block' && event.block.kind === 'cut') {
        this.jobs.push(this.current);
        this.current = emptyReceipt();
      }
    });
  }

  private receive(chunk: Uint8Array): void {
    const isQuery = chunk.length === 3 && chunk[0] === 0x10 && chunk[1] === 0x04;
    if (!isQuery) {
      if (this.xoff) this.bytesDuringXoff += chunk.length;
      this.jobBytes += chunk.length;
    }
    this.parser.push(chunk);
    for (const t of [...this.triggers]) {
      if (this.jobBytes >= t.afterJobBytes) {
        this.triggers.splice(this.triggers.indexOf(t), 1);
        t.run();
      }
    }
  }
}

describe('ESC/POS printing over a real pseudo-terminal pair (socat, serialport, 38,400 baud)', () => {
  let socat: ChildProcess;
  let dir: string;
  let peer: PtyPrinterPeer;
  let transport: PtySerialTransport;
  let driver: EscPosPrinterDriver;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'printing-pty-'));
    socat = spawn('socat', [`pty,raw,echo=0,link=${dir}/host`, `pty,raw,echo=0,link=${dir}/printer`], {
      stdio: 'ignore',
    });
    await until(() => existsSync(`${dir}/host`) && existsSync(`${dir}/printer`), { what: 'the pty pair from socat' });
    peer = new PtyPrinterPeer(`${dir}/printer`);
    await peer.open();
    transport = new PtySerialTransport(`${dir}/host`, BAUD);
    driver = new EscPosPrinterDriver(transport, serialProfile(), { chunkBytes: 256 });
    await driver.start();
  });

  afterAll(async () => {
    await driver?.dispose();
    await transport?.close();
    await peer?.close();
    socat?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a ticket the printer decodes, confirmed by a status query', async () => {
    peer.reset();
    const result = await driver.print(ticket);
    expect(result).toMatchObject({ state: 'confirmed', verified: true });
    expect(peer.jobs).toHaveLength(1);
    expect(peer.jobs[0]!.qrPayloads).toEqual(['TK:X4P9TR']);
    expect(peer.jobs[0]!.lines).toContain('B127');
    expect(peer.jobs[0]!.unknown).toEqual([]);
    expect(peer.statusQueries).toBeGreaterThanOrEqual(2);
  });

  it('stops sending on XOFF and resumes on XON', async () => {
    peer.reset();
    peer.after(1000, () => {
      peer.sendXoff();
      setTimeout(() => peer.sendXon(), 500);
    });
    const started = Date.now();
    const result = await driver.print(ticket);
    expect(result.state).toBe('confirmed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    // At most the chunk already on the wire when XOFF arrived.
    expect(peer.bytesDuringXoff).toBeLessThanOrEqual(256 + 64);
    expect(peer.jobs).toHaveLength(1);
    expect(peer.jobs[0]!.cuts).toEqual(['full']);
  });

  it('fails with paper-out when the printer has no paper', async () => {
    peer.reset();
    peer.fault = 'paper-out';
    const result = await driver.print(ticket);
    expect(result).toMatchObject({ state: 'failed', reason: 'paper-out' });
    expect(peer.jobBytes).toBe(0);
    expect(peer.jobs).toHaveLength(0);
  });

  it('fails with paper-out when the paper runs out mid-job (printer goes busy with XOFF)', async () => {
    peer.reset();
    peer.after(1200, () => {
      peer.fault = 'paper-out';
      peer.sendXoff();
    });
    const result = await driver.print(ticket);
    expect(result).toMatchObject({ state: 'failed', reason: 'paper-out' });
    expect(peer.jobs).toHaveLength(0);
    expect(driver.status?.conditions).toContain('paper-out');
  });
});
