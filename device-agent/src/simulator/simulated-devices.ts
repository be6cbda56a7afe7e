/**
 * Every device simulated at the transport: the real ESC/POS driver talks to a simulated
 * printer personality, and the real scanner driver reads scans that arrive as bytes on a
 * simulated serial link (CR-terminated, as the simulated scanner profile frames them).
 */
import { profileById, type PrinterProfile, type ScannerProfile } from '@kiosk/hardware-profiles';
import { attachSimulatedPrinter, type SimulatedPrinter } from '../printing';
import { BarcodeScanner } from '../scanners';
import { SimulatedByteTransport } from '../transports/simulated-byte.transport';

export interface SimulatedDevices {
  printerTransport: SimulatedByteTransport;
  printer: SimulatedPrinter;
  printerProfile: PrinterProfile;
  scannerTransport: SimulatedByteTransport;
  scanner: BarcodeScanner;
  /** The simulated scanner reads a code: its UTF-8 bytes arrive on the link with the terminator. */
  scan(payload: string): void;
}

export function createSimulatedDevices(options: {
  printerProfileId: string;
  duplicateWindowMs: number;
}): SimulatedDevices {
  const printerProfile = profileById(options.printerProfileId);
  if (!printerProfile || printerProfile.class !== 'printer')
    throw new Error(`unknown printer profile ${options.printerProfileId}`);
  const scannerProfile = profileById('simulated.scanner') as ScannerProfile | undefined;
  if (!scannerProfile) throw new Error('the simulated scanner profile is missing');
  const printerTransport = new SimulatedByteTransport('sim-printer');
  const scannerTransport = new SimulatedByteTransport('sim-scanner');
  const scanner = new BarcodeScanner({
    id: 'sim-scanner',
    profile: scannerProfile,
    transport: scannerTransport,
    duplicateWindowMs: options.duplicateWindowMs,
  });
  return {
    printerTransport,
    printer: attachSimulatedPrinter(printerTransport, printerProfile),
    printerProfile,
    scannerTransport,
    scanner,
    scan: (payload) => scannerTransport.emitData(`${payload}\r`),
  };
}
