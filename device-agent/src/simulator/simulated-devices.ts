/**
 * Every device simulated at the transport: the real ESC/POS driver talks to a simulated
 * printer personality, and scans arrive as bytes on a simulated serial scanner link.
 */
import { profileById, type PrinterProfile } from '@kiosk/hardware-profiles';
import { attachSimulatedPrinter, type SimulatedPrinter } from '../printing';
import { SimulatedByteTransport } from '../transports/simulated-byte.transport';
import { Listeners } from '../transports/transport';
import type { ScanSource } from '../devices/scan-source';

/** A serial-line scanner on a simulated link: frames end with CR and/or LF, UTF-8 kept intact. */
export class SimulatedLineScanner implements ScanSource {
  private readonly listeners = new Listeners<[string]>();
  private buffer = Buffer.alloc(0);

  constructor(
    readonly id: string,
    readonly transport: SimulatedByteTransport,
  ) {
    transport.onData((chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (
        let end = this.buffer.findIndex((b) => b === 0x0d || b === 0x0a);
        end >= 0;
        end = this.buffer.findIndex((b) => b === 0x0d || b === 0x0a)
      ) {
        const frame = this.buffer.subarray(0, end).toString('utf8');
        this.buffer = this.buffer.subarray(end + 1);
        if (frame.length > 0) this.listeners.emit(frame);
      }
      if (this.buffer.length > 8192) this.buffer = Buffer.alloc(0);
    });
  }
  onScan(listener: (payload: string) => void) {
    return this.listeners.add(listener);
  }
  async close(): Promise<void> {
    await this.transport.close();
  }
  /** The simulated scanner reads a code: its bytes arrive with a CR LF terminator. */
  scan(payload: string): void {
    this.transport.emitData(`${payload}\r\n`);
  }
}

export interface SimulatedDevices {
  printerTransport: SimulatedByteTransport;
  printer: SimulatedPrinter;
  printerProfile: PrinterProfile;
  scanner: SimulatedLineScanner;
}

export async function createSimulatedDevices(printerProfileId: string): Promise<SimulatedDevices> {
  const profile = profileById(printerProfileId);
  if (!profile || profile.class !== 'printer') throw new Error(`unknown printer profile ${printerProfileId}`);
  const printerTransport = new SimulatedByteTransport('sim-printer');
  const printer = attachSimulatedPrinter(printerTransport, profile);
  const scannerTransport = new SimulatedByteTransport('sim-scanner');
  await scannerTransport.open();
  return {
    printerTransport,
    printer,
    printerProfile: profile,
    scanner: new SimulatedLineScanner('sim-scanner', scannerTransport),
  };
}
