/**
 * Every device simulated at the transport, found through a simulated device source, so the same
 * device manager, drivers and device classes run as with hardware: the real ESC/POS driver talks
 * to a simulated printer personality, the real scanner driver reads scans that arrive as bytes on
 * a simulated serial link (CR-terminated, as the simulated scanner profile frames them), and the
 * real chip reader reads a virtual CCCD over a simulated ISO 14443 link. Each device can be
 * unplugged and replugged, slowed down, or fed garbage.
 */
import { randomBytes } from 'node:crypto';
import {
  profileById,
  type CardReaderProfile,
  type DeviceClass,
  type PrinterProfile,
  type ScannerProfile,
} from '@kiosk/hardware-profiles';
import { err, ok, type Result, type SimDeviceState, type TransportProblem } from '@kiosk/protocol';
import type { DeviceSource, FoundDevice, TransportOpener } from '../devices/device-source';
import { DeviceSourceEvents } from '../devices/device-source-events';
import { SimulatedByteTransport } from './simulated-byte.transport';
import { attachSimulatedPrinter, type SimulatedPrinter } from './simulated-printer';
import { SimulatedReaderTransport } from './simulated-reader.transport';
import { SimulatedCardTerminal } from './simulated-card-terminal';
import {
  buildCccdMrz,
  createTestPki,
  SYNTHETIC_MRZ,
  VirtualCccdChip,
  type ApduFaults,
  type SimulatedApduLinkOptions,
  type TestPki,
} from './virtual-cccd';

export type SimulatedCardKind = 'valid' | 'tampered' | 'unreadable';

export const SIM_IDS = { printer: 'sim-printer', scanner: 'sim-scanner', 'card-reader': 'sim-card-reader' } as const;

/** The simulated devices as a device source: all present at start; unplug/replug detach and attach them. */
class SimulatedDeviceSource extends DeviceSourceEvents implements DeviceSource {
  private readonly plugged = new Set<string>();
  private started = false;

  constructor(private readonly all: FoundDevice[]) {
    super();
    for (const d of all) this.plugged.add(d.key);
  }
  get devices(): FoundDevice[] {
    return this.all.filter((d) => this.plugged.has(d.key));
  }
  readonly problems: TransportProblem[] = [];
  async start(): Promise<void> {
    this.started = true;
    for (const d of this.devices) this.attached.emit(d);
  }
  stop(): void {
    this.started = false;
  }
  isPlugged(key: string): boolean {
    return this.plugged.has(key);
  }
  setPlugged(key: string, plugged: boolean): void {
    const device = this.all.find((d) => d.key === key);
    if (!device || this.plugged.has(key) === plugged) return;
    if (plugged) this.plugged.add(key);
    else this.plugged.delete(key);
    if (this.started) (plugged ? this.attached : this.detached).emit(device);
  }
}

export interface SimCardOptions {
  card?: SimulatedCardKind;
  faults?: ApduFaults;
  link?: SimulatedApduLinkOptions;
  /**
   * The card's printed MRZ faces the reader's optics (default true). Only a reader whose profile
   * has MRZ optics reads it; the default simulated reader has none.
   */
  printedMrz?: boolean;
  faceBytes?: number;
}

export interface SimulatedDevices {
  source: DeviceSource;
  opener: TransportOpener;
  printerTransport: SimulatedByteTransport;
  printer: SimulatedPrinter;
  printerProfile: PrinterProfile;
  scannerTransport: SimulatedByteTransport;
  reader: SimulatedReaderTransport;
  /**
   * The simulated world's throwaway CSCA and document signer (the agent trusts this CSCA). Made on
   * first use: key generation and X.509 bring OpenSSL's providers into memory, which an idle
   * kiosk agent does not need.
   */
  pki(): TestPki;
  /** The simulated scanner reads a code: its UTF-8 bytes arrive on the link with the terminator. */
  scan(payload: string): Result<null>;
  presentCard(options?: SimCardOptions): Result<null>;
  removeCard(): void;
  readerProfile: CardReaderProfile;
  /** The card payment terminal's link (the agent's end) and the terminal on its far end. */
  cardTerminalTransport: SimulatedByteTransport;
  cardTerminal: SimulatedCardTerminal;
  /** Resolves a device by id or class (the first of that class). */
  find(target: { deviceId?: string | undefined; class?: DeviceClass | undefined }): Result<FoundDevice>;
  setPlugged(id: string, plugged: boolean): Result<null>;
  setLink(id: string, options: { baudRate?: number | undefined; garbageBytes?: number | undefined }): Result<null>;
  state(): SimDeviceState[];
}

/** Another person's card: the QR or MRZ at hand does not open it (BAC refused). */
const OTHER_MRZ = buildCccdMrz({
  idNumber: '001093047064',
  dateOfBirth: '930105',
  sex: 'M',
  dateOfExpiry: '330105',
  surname: 'UNG',
  givenNames: 'HOANG HIEP',
});

export function createSimulatedDevices(options: {
  printerProfileId: string;
  duplicateWindowMs: number;
  /** Default the plainest reader, 'simulated.card-reader' (no MRZ optics). */
  readerProfileId?: string;
  pki?: TestPki;
}): SimulatedDevices {
  const printerProfile = profileById(options.printerProfileId);
  if (!printerProfile || printerProfile.class !== 'printer')
    throw new Error(`unknown printer profile ${options.printerProfileId}`);
  const scannerProfile = profileById('simulated.scanner') as ScannerProfile | undefined;
  if (!scannerProfile) throw new Error('the simulated scanner profile is missing');
  const readerProfile = profileById(options.readerProfileId ?? 'simulated.card-reader');
  if (!readerProfile || readerProfile.class !== 'card-reader')
    throw new Error(`unknown card reader profile ${options.readerProfileId ?? 'simulated.card-reader'}`);

  const printerTransport = new SimulatedByteTransport(SIM_IDS.printer);
  const scannerTransport = new SimulatedByteTransport(SIM_IDS.scanner);
  const maxKbps = readerProfile.capabilities.maxBitRateKbps;
  const reader = new SimulatedReaderTransport(SIM_IDS['card-reader'], {
    bitRateKbps: maxKbps >= 424 ? 424 : 106,
    perApduLatencyMs: 3,
  });
  const cardTerminalTransport = new SimulatedByteTransport('sim-card-terminal');
  const cardTerminal = new SimulatedCardTerminal(
    {
      send: (bytes) => {
        if (cardTerminalTransport.isOpen) cardTerminalTransport.emitData(bytes);
      },
      onReceive: (listener) => cardTerminalTransport.onHostWrite(listener),
    },
    { terminalId: 'SIM00001', scheme: 'NAPAS', last4: '1234' },
  );
  let pki_ = options.pki;
  const pki = () => (pki_ ??= createTestPki());
  const printer = attachSimulatedPrinter(printerTransport, printerProfile);

  const found = (key: string, profile: PrinterProfile | ScannerProfile | CardReaderProfile): FoundDevice => ({
    key,
    class: profile.class,
    profile,
    score: 0,
    transport: 'simulated',
    openPath: key,
  });
  const devices: FoundDevice[] = [
    found(SIM_IDS.printer, printerProfile),
    found(SIM_IDS.scanner, scannerProfile),
    found(SIM_IDS['card-reader'], readerProfile),
  ];
  const source = new SimulatedDeviceSource(devices);
  const byteLinks = new Map<string, SimulatedByteTransport>([
    [SIM_IDS.printer, printerTransport],
    [SIM_IDS.scanner, scannerTransport],
  ]);

  const opener: TransportOpener = {
    byte(device) {
      const transport = byteLinks.get(device.key);
      return transport ? ok({ transport }) : err('unknown-device', `no simulated byte link ${device.key}`);
    },
    apdu(device) {
      return device.key === reader.id ? ok(reader) : err('unknown-device', `no simulated reader ${device.key}`);
    },
  };

  // Virtual cards are built once per kind and face size (a DG2 JPEG and an EF.SOD each).
  const cards = new Map<string, VirtualCccdChip>();
  const cardOf = (kind: SimulatedCardKind, faceBytes: number) => {
    const id = `${kind}:${faceBytes}`;
    let chip = cards.get(id);
    if (!chip) {
      chip = new VirtualCccdChip({
        pki: pki(),
        faceBytes,
        ...(kind === 'tampered' && { tamperDataGroup: 13 }),
        ...(kind === 'unreadable' && { mrz: OTHER_MRZ }),
      });
      cards.set(id, chip);
    }
    return chip;
  };

  const find: SimulatedDevices['find'] = (target) => {
    const d = target.deviceId
      ? devices.find((x) => x.key === target.deviceId)
      : devices.find((x) => x.class === (target.class ?? 'printer'));
    if (!d) return err('unknown-device', `no simulated device ${target.deviceId ?? target.class ?? ''}`);
    if (target.class && d.class !== target.class) return err('unknown-device', `${d.key} is not a ${target.class}`);
    return ok(d);
  };

  return {
    source,
    opener,
    printerTransport,
    printer,
    printerProfile,
    scannerTransport,
    reader,
    pki,
    scan(payload) {
      if (!scannerTransport.isOpen) return err('device-unplugged', 'the simulated scanner is not connected');
      scannerTransport.emitData(`${payload}\r`);
      return ok(null);
    },
    presentCard(o = {}) {
      if (!reader.plugged) return err('device-unplugged', 'the simulated card reader is unplugged');
      if (reader.inner.cardPresent) reader.removeCard();
      const kind = o.card ?? 'valid';
      // The printed side is the synthetic card's for every kind: the 'unreadable' chip stays shut to it.
      const printed = (o.printedMrz ?? true) ? SYNTHETIC_MRZ : undefined;
      reader.insertCard(cardOf(kind, o.faceBytes ?? 20_000), o.faults ?? {}, o.link, printed);
      return ok(null);
    },
    removeCard() {
      reader.removeCard();
    },
    readerProfile,
    cardTerminalTransport,
    cardTerminal,
    find,
    setPlugged(id, plugged) {
      const d = find({ deviceId: id });
      if (!d.ok) return d;
      if (source.isPlugged(id) === plugged) return ok(null);
      const link = byteLinks.get(id);
      if (plugged) {
        link?.replug();
        if (id === reader.id) reader.replug();
        source.setPlugged(id, true);
      } else {
        // The link drops first (an operation in flight fails), then discovery notices.
        link?.unplug();
        if (id === reader.id) reader.unplug();
        source.setPlugged(id, false);
      }
      return ok(null);
    },
    setLink(id, o) {
      const link = byteLinks.get(id);
      if (id === reader.id) {
        if (o.garbageBytes !== undefined) return err('not-a-byte-link', 'the card reader carries APDUs, not bytes');
        if (o.baudRate !== undefined) reader.inner.link = { ...reader.inner.link, bitRateKbps: kbps(o.baudRate) };
        return ok(null);
      }
      if (!link) return err('unknown-device', `no simulated device ${id}`);
      if (o.baudRate !== undefined) link.baudRate = o.baudRate;
      if (o.garbageBytes !== undefined) {
        if (!link.isOpen) return err('device-unplugged', `${id} is not connected`);
        link.emitData(new Uint8Array(randomBytes(o.garbageBytes)));
      }
      return ok(null);
    },
    state() {
      return devices.map((d) => {
        const link = byteLinks.get(d.key);
        return {
          id: d.key,
          class: d.class,
          plugged: source.isPlugged(d.key),
          speed: link ? link.baudRate : (reader.inner.link.bitRateKbps ?? 0),
          ...(d.key === reader.id && { cardPresent: reader.inner.cardPresent }),
        };
      });
    },
  };
}

/** A reader's "baud" is its ISO 14443 bit rate: the nearest standard one at or below, in kbit/s. */
function kbps(value: number): 0 | 106 | 212 | 424 | 848 {
  const k = value >= 1000 ? value / 1000 : value;
  if (k <= 0) return 0;
  if (k >= 848) return 848;
  if (k >= 424) return 424;
  if (k >= 212) return 212;
  return 106;
}
