/**
 * Where devices come from and how their links are made: a source (hardware discovery, or the
 * simulator) reports devices matched to a profile as they attach and detach; an opener makes the
 * link a driver runs on. Types only, shared by the manager, the drivers, the sources and the
 * simulator.
 */
import type { DeviceClass, DeviceProfile, TransportSettings } from '@kiosk/hardware-profiles';
import type { Result, TransportProblem } from '@kiosk/protocol';
import type { ApduTransport, ByteTransport, Unsubscribe } from '../transports/transport';

/** A device a source has found and matched to a profile. */
export interface FoundDevice {
  /** Stable while plugged in; also the device id in the registry. */
  key: string;
  class: DeviceClass;
  profile: DeviceProfile;
  /** Match score (0 = generic profile). */
  score: number;
  transport: 'serial' | 'hid' | 'pcsc' | 'usb-printer' | 'tcp' | 'simulated';
  /** What the transport opens: a device path, a reader name, a simulated link id. */
  openPath: string;
}

export interface DeviceSource {
  start(): Promise<void>;
  stop(): void;
  onAttach(listener: (device: FoundDevice) => void): Unsubscribe;
  onDetach(listener: (device: FoundDevice) => void): Unsubscribe;
  onProblems(listener: (problems: TransportProblem[]) => void): Unsubscribe;
  readonly devices: FoundDevice[];
  readonly problems: TransportProblem[];
}

/** An APDU transport a device can open and whose loss it can notice (PC/SC, the simulated reader). */
export interface ReaderTransport extends ApduTransport {
  open?(): Promise<void>;
  onClose?(listener: (reason: string) => void): Unsubscribe;
  /**
   * Readers with MRZ optics (profile `capabilities.mrzOptics`): the MRZ lines their camera reads
   * on the card lying on the reader now, if legible. Secret: a chip key, never logged.
   */
  printedMrz?(): string[] | undefined;
}

export interface TransportOpener {
  byte(device: FoundDevice): Result<{ transport: ByteTransport; settings?: TransportSettings }>;
  apdu(device: FoundDevice): Result<ReaderTransport>;
}
