/**
 * Lists serial ports, usblp printers, HID devices and PC/SC readers (each binding loaded lazily: one that fails
 * only adds a problem to the snapshot) and notices hot-plug by polling every `intervalMs`
 * (default 1000 ms, so a change is seen within ~1 s plus one listing). Polling, because neither
 * serialport nor node-hid emit hot-plug events, a udev monitor would be one more native module
 * (and there is no udev in containers), and one uniform loop is simpler to reason about than
 * three event sources. serialport's Linux listing spawns `udevadm info -e` (~120 ms), so the
 * serial source re-lists only when the set of tty nodes in /dev changes (a readdir, well under
 * 1 ms) or every `maxAgeMs`; figures in tests/bench/scan-pipeline.bench.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import {
  matchProfile,
  rankProfiles,
  type DeviceClass,
  type DeviceFingerprint,
  type DeviceProfile,
} from '@kiosk/hardware-profiles';
import { loadHid, loadSerialBinding, type HidDeviceInfo, type SerialPortInfo } from './native-modules';
import { listPcscReaders } from './pcsc.transport';
import { Listeners } from './transport';

export type DiscoveredTransport = 'serial' | 'hid' | 'pcsc' | 'usb-printer';

export interface DiscoveredDevice {
  /** Stable while the device stays plugged in: `${transport}:${openPath}`. */
  key: string;
  transport: DiscoveredTransport;
  /** What the transport opens: a tty path, a hidraw path, /dev/usb/lpN, or a PC/SC reader name. */
  openPath: string;
  fingerprint: Omit<DeviceFingerprint, 'class'>;
  /** Classes this device can be: PC/SC → card-reader, HID POS → scanner, usblp → printer, serial → any. */
  classes: DeviceClass[];
}

export interface DiscoveryProblem {
  source: DiscoveredTransport;
  reason: string;
}

export interface DiscoverySnapshot {
  devices: DiscoveredDevice[];
  problems: DiscoveryProblem[];
}

export type ListResult<T> = { ok: true; items: T[] } | { ok: false; reason: string };

/** A usblp printer node with what sysfs tells about it. */
export interface UsbPrinterInfo {
  path: string;
  vendorId?: number;
  productId?: number;
  manufacturer?: string;
  product?: string;
}

export interface DiscoverySources {
  listSerial?: () => Promise<ListResult<SerialPortInfo>>;
  listUsbPrinters?: () => Promise<ListResult<UsbPrinterInfo>>;
  listHid?: () => Promise<ListResult<HidDeviceInfo>>;
  listPcsc?: () => Promise<ListResult<string>>;
}

const HID_POS_USAGE_PAGE = 0x8c;

const ttyNode = /^tty(USB|ACM|AMA|S)\d+$/u;

/** The tty nodes that can be serial devices, plus their by-id links: changes when anything is plugged. */
export function serialNodeSignature(): string {
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  const nodes = list('/dev').filter((n) => ttyNode.test(n));
  return [...nodes.sort(), '|', ...list('/dev/serial/by-id').sort()].join(' ');
}

/**
 * Wraps an expensive serial listing: the previous result is reused while the node signature is
 * unchanged and younger than `maxAgeMs`. Failures are never cached.
 */
export function cachedSerialLister(
  list: () => Promise<ListResult<SerialPortInfo>>,
  options: { signature?: () => string; maxAgeMs?: number; now?: () => number } = {},
): () => Promise<ListResult<SerialPortInfo>> {
  const signature = options.signature ?? serialNodeSignature;
  const now = options.now ?? (() => Date.now());
  const maxAgeMs = options.maxAgeMs ?? 30_000;
  let cached: { signature: string; atMs: number; result: ListResult<SerialPortInfo> } | undefined;
  return async () => {
    const sig = signature();
    if (cached && cached.signature === sig && now() - cached.atMs < maxAgeMs) return cached.result;
    const result = await list();
    cached = result.ok ? { signature: sig, atMs: now(), result } : undefined;
    return result;
  };
}

async function listSerialPorts(): Promise<ListResult<SerialPortInfo>> {
  const loaded = await loadSerialBinding();
  if (!loaded.ok) return { ok: false, reason: `serialport binding unavailable: ${loaded.reason}` };
  try {
    return { ok: true, items: await loaded.module.list() };
  } catch (error) {
    return { ok: false, reason: `serial listing failed: ${messageOf(error)}` };
  }
}

/** `MFG:EPSON;CMD:ESC/POS;MDL:TM-T88VI;…` → manufacturer and model. */
export function parseIeee1284Id(id: string): { manufacturer?: string; product?: string } {
  const fields = new Map<string, string>();
  for (const part of id.split(';')) {
    const at = part.indexOf(':');
    if (at > 0) fields.set(part.slice(0, at).trim().toUpperCase(), part.slice(at + 1).trim());
  }
  const manufacturer = fields.get('MFG') ?? fields.get('MANUFACTURER');
  const product = fields.get('MDL') ?? fields.get('MODEL');
  return { ...(manufacturer && { manufacturer }), ...(product && { product }) };
}

/** usblp nodes from /dev/usb with ids from sysfs; the IEEE 1284 id fills in names the descriptor lacks. */
export function listUsbPrintersFromSysfs(
  listDir: (path: string) => string[] = (p) => {
    try {
      return readdirSync(p);
    } catch {
      return [];
    }
  },
  readText: (path: string) => string | undefined = (p) => {
    try {
      return readFileSync(p, 'utf8').trim();
    } catch {
      return undefined;
    }
  },
): UsbPrinterInfo[] {
  return listDir('/dev/usb')
    .filter((n) => /^lp\d+$/u.test(n))
    .sort()
    .map((name) => {
      const intf = `/sys/class/usbmisc/${name}/device`;
      const hex = (file: string) => {
        const v = readText(`${intf}/../${file}`);
        return v !== undefined && /^[0-9a-f]{4}$/iu.test(v) ? Number.parseInt(v, 16) : undefined;
      };
      const ieee = parseIeee1284Id(readText(`${intf}/ieee1284_id`) ?? '');
      const manufacturer = readText(`${intf}/../manufacturer`) ?? ieee.manufacturer;
      const product = readText(`${intf}/../product`) ?? ieee.product;
      const vendorId = hex('idVendor');
      const productId = hex('idProduct');
      return {
        path: `/dev/usb/${name}`,
        ...(vendorId !== undefined && { vendorId }),
        ...(productId !== undefined && { productId }),
        ...(manufacturer && { manufacturer }),
        // Models often put the name only in the 1284 id (the descriptor says "USB Printer").
        ...((ieee.product ?? product) && { product: ieee.product ?? product }),
      };
    });
}

export const defaultSources: Required<DiscoverySources> = {
  listSerial: cachedSerialLister(listSerialPorts),
  listUsbPrinters: async () => ({ ok: true, items: listUsbPrintersFromSysfs() }),
  async listHid() {
    const loaded = await loadHid();
    if (!loaded.ok) return { ok: false, reason: `node-hid unavailable: ${loaded.reason}` };
    try {
      return { ok: true, items: await loaded.module.devicesAsync() };
    } catch (error) {
      return { ok: false, reason: `HID listing failed: ${messageOf(error)}` };
    }
  },
  async listPcsc() {
    const listed = await listPcscReaders();
    return listed.ok ? { ok: true, items: listed.readers } : listed;
  },
};

const parseHexId = (value: string | undefined): number | undefined => {
  if (value === undefined || !/^(0x)?[0-9a-f]{1,4}$/iu.test(value)) return undefined;
  return Number.parseInt(value.replace(/^0x/iu, ''), 16);
};

function serialDevice(info: SerialPortInfo): DiscoveredDevice {
  const vendorId = parseHexId(info.vendorId);
  const productId = parseHexId(info.productId);
  // The by-id link carries vendor and model names ("usb-Honeywell_…1470g…-if00"); profiles match it.
  const path = info.pnpId ? `/dev/serial/by-id/${info.pnpId}` : info.path;
  return {
    key: `serial:${info.path}`,
    transport: 'serial',
    openPath: info.path,
    fingerprint: {
      ...(vendorId !== undefined && { vendorId }),
      ...(productId !== undefined && { productId }),
      ...(info.manufacturer && { manufacturer: info.manufacturer }),
      path,
    },
    classes: ['scanner', 'printer', 'card-reader'],
  };
}

function hidDevice(info: HidDeviceInfo): DiscoveredDevice | undefined {
  if (!info.path) return undefined;
  const fingerprint: DiscoveredDevice['fingerprint'] = {
    vendorId: info.vendorId,
    productId: info.productId,
    ...(info.manufacturer && { manufacturer: info.manufacturer }),
    ...(info.product && { product: info.product }),
    path: info.path,
    ...(info.usagePage !== undefined && { usagePage: info.usagePage }),
  };
  // Keyboards, mice and the like are not ours unless a scanner profile claims them.
  const claimed =
    info.usagePage === HID_POS_USAGE_PAGE ||
    rankProfiles({ class: 'scanner', ...fingerprint }).some((m) => !m.profile.generic);
  if (!claimed) return undefined;
  return { key: `hid:${info.path}`, transport: 'hid', openPath: info.path, fingerprint, classes: ['scanner'] };
}

function usbPrinterDevice(info: UsbPrinterInfo): DiscoveredDevice {
  const { path, ...rest } = info;
  return {
    key: `usb-printer:${path}`,
    transport: 'usb-printer',
    openPath: path,
    fingerprint: { ...rest, path },
    classes: ['printer'],
  };
}

function pcscDevice(readerName: string): DiscoveredDevice {
  return {
    key: `pcsc:${readerName}`,
    transport: 'pcsc',
    openPath: readerName,
    fingerprint: { readerName },
    classes: ['card-reader'],
  };
}

/** One listing of every source. Never rejects: a failing source becomes a problem. */
export async function discoverOnce(sources: DiscoverySources = {}): Promise<DiscoverySnapshot> {
  const s = { ...defaultSources, ...sources };
  const settle = async <T>(list: () => Promise<ListResult<T>>): Promise<ListResult<T>> => {
    try {
      return await list();
    } catch (error) {
      return { ok: false, reason: messageOf(error) };
    }
  };
  const [serial, printers, hid, pcsc] = await Promise.all([
    settle(s.listSerial),
    settle(s.listUsbPrinters),
    settle(s.listHid),
    settle(s.listPcsc),
  ]);
  const devices: DiscoveredDevice[] = [];
  const problems: DiscoveryProblem[] = [];
  if (serial.ok) devices.push(...serial.items.map(serialDevice));
  else problems.push({ source: 'serial', reason: serial.reason });
  if (printers.ok) devices.push(...printers.items.map(usbPrinterDevice));
  else problems.push({ source: 'usb-printer', reason: printers.reason });
  if (hid.ok) {
    const seen = new Set<string>();
    for (const info of hid.items) {
      const d = hidDevice(info);
      if (d && !seen.has(d.key)) {
        seen.add(d.key);
        devices.push(d);
      }
    }
  } else problems.push({ source: 'hid', reason: hid.reason });
  if (pcsc.ok) devices.push(...pcsc.items.map(pcscDevice));
  else problems.push({ source: 'pcsc', reason: pcsc.reason });
  return { devices, problems };
}

export interface ClassifiedDevice {
  class: DeviceClass;
  profile: DeviceProfile;
  score: number;
}

/**
 * The profile for a discovered device. HID POS and PC/SC devices always get one (generic when
 * unknown; usblp nodes too); a serial port only when a profile recognises it, since an unknown tty
 * could be anything.
 */
export function classifyDevice(device: DiscoveredDevice): ClassifiedDevice | undefined {
  if (device.transport !== 'serial') {
    const cls = device.classes[0] ?? 'scanner';
    const m = matchProfile({ class: cls, ...device.fingerprint });
    return { class: cls, profile: m.profile, score: m.score };
  }
  let best: ClassifiedDevice | undefined;
  for (const cls of device.classes) {
    const m = matchProfile({ class: cls, ...device.fingerprint });
    if (m.score > 0 && (!best || m.score > best.score)) best = { class: cls, profile: m.profile, score: m.score };
  }
  return best;
}

export interface DeviceDiscoveryOptions {
  intervalMs?: number;
  sources?: DiscoverySources;
}

export class DeviceDiscovery {
  private readonly known = new Map<string, DiscoveredDevice>();
  private problems_: DiscoveryProblem[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private readonly attached = new Listeners<[DiscoveredDevice]>();
  private readonly detached = new Listeners<[DiscoveredDevice]>();

  constructor(private readonly options: DeviceDiscoveryOptions = {}) {}

  onAttach(listener: (device: DiscoveredDevice) => void) {
    return this.attached.add(listener);
  }
  onDetach(listener: (device: DiscoveredDevice) => void) {
    return this.detached.add(listener);
  }
  get devices(): DiscoveredDevice[] {
    return [...this.known.values()];
  }
  /** Why a source could not be listed (missing binding, pcscd down); empty when all is well. */
  get problems(): DiscoveryProblem[] {
    return this.problems_;
  }

  /** First listing is awaited, so devices present at start are reported before start() resolves. */
  async start(): Promise<void> {
    if (this.timer) return;
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One listing and diff; overlapping calls share the listing in flight. */
  poll(): Promise<void> {
    this.polling ??= this.pollNow().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollNow(): Promise<void> {
    const snapshot = await discoverOnce(this.options.sources);
    this.problems_ = snapshot.problems;
    const failed = new Set(snapshot.problems.map((p) => p.source));
    const now = new Map(snapshot.devices.map((d) => [d.key, d]));
    for (const [key, device] of this.known) {
      // A source that failed this round says nothing about its devices: keep them.
      if (!now.has(key) && !failed.has(device.transport)) {
        this.known.delete(key);
        this.detached.emit(device);
      }
    }
    for (const [key, device] of now) {
      if (!this.known.has(key)) {
        this.known.set(key, device);
        this.attached.emit(device);
      }
    }
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
