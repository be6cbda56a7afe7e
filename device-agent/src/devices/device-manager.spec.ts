import { describe, expect, it } from 'vitest';
import { err, ok, until, type DeviceHealth } from '@kiosk/protocol';
import { attachSimulatedPrinter } from '../simulator/simulated-printer';
import { asciiTicket } from '../printing/test-fixtures';
import type { HidDeviceInfo, SerialPortInfo } from '../transports/native-modules';
import type { DiscoverySources, ListResult, UsbPrinterInfo } from '../transports/discovery';
import { SimulatedByteTransport } from '../simulator/simulated-byte.transport';
import { TransportError } from '../transports/transport';
import { createLogger } from '../logger';
import { createTestPki, VirtualCccdChip } from '../simulator/virtual-cccd';
import { SimulatedReaderTransport } from '../simulator/simulated-reader.transport';
import { createTrustStore, type ChipAccessKey } from '../identity';
import type { CardEvent, SessionKey } from './card-reader.device';
import { DeviceManager } from './device-manager';
import type { FoundDevice, TransportOpener } from './device-source';
import { DeviceRegistry } from './device-registry';
import { HardwareDeviceSource } from './hardware.source';

const log = createLogger('silent');

/** A fake host: what each discovery source lists right now; a source can be made to fail. */
function fakeHost() {
  const state = {
    printers: [] as UsbPrinterInfo[],
    hid: [] as HidDeviceInfo[],
    pcsc: [] as string[],
    serial: [] as SerialPortInfo[],
    pcscDown: undefined as string | undefined,
  };
  const sources: DiscoverySources = {
    listUsbPrinters: async (): Promise<ListResult<UsbPrinterInfo>> => ({ ok: true, items: [...state.printers] }),
    listSerial: async (): Promise<ListResult<SerialPortInfo>> => ({ ok: true, items: [...state.serial] }),
    listHid: async (): Promise<ListResult<HidDeviceInfo>> => ({ ok: true, items: [...state.hid] }),
    listPcsc: async (): Promise<ListResult<string>> =>
      state.pcscDown ? { ok: false, reason: state.pcscDown } : { ok: true, items: [...state.pcsc] },
  };
  return { state, sources };
}

const epson: UsbPrinterInfo = {
  path: '/dev/usb/lp0',
  vendorId: 0x04b8,
  productId: 0x0202,
  manufacturer: 'EPSON',
  product: 'TM-T88VI',
};
const honeywell: HidDeviceInfo = {
  vendorId: 0x0c2e,
  productId: 0x0b6a,
  path: '/dev/hidraw3',
  product: 'Voyager 1470g',
  interface: 0,
  usagePage: 0x8c,
};
const acs = 'ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00';

/** Simulated transports stand in for the real ones the factory would create, one per device path. */
function simulatedOpener() {
  const links = new Map<string, SimulatedByteTransport>();
  const readers = new Map<string, SimulatedReaderTransport>();
  const printers = new Map<string, ReturnType<typeof attachSimulatedPrinter>>();
  let failOpens = 0;
  const opener: TransportOpener = {
    byte(d: FoundDevice) {
      let link = links.get(d.openPath);
      if (!link) {
        link = new SimulatedByteTransport(d.openPath);
        links.set(d.openPath, link);
        if (d.profile.class === 'printer') printers.set(d.openPath, attachSimulatedPrinter(link, d.profile));
      }
      if (failOpens > 0) {
        failOpens--;
        const failing = Object.create(link) as SimulatedByteTransport;
        failing.open = () => Promise.reject(new TransportError('io-error', 'EBUSY'));
        return ok({ transport: failing });
      }
      // The simulated link carries text lines: scanners decode it with their serial-mode framing.
      const settings = d.profile.transports.find((t) => t.kind === 'serial');
      return ok({ transport: link, ...(settings && { settings }) });
    },
    apdu(d: FoundDevice) {
      let reader = readers.get(d.openPath);
      if (!reader) {
        reader = new SimulatedReaderTransport(d.openPath);
        readers.set(d.openPath, reader);
      }
      return ok(reader);
    },
  };
  return {
    opener,
    links,
    readers,
    printers,
    failNextOpens: (n: number) => (failOpens = n),
  };
}

const stateOf = (registry: DeviceRegistry, id: string) => registry.get(id)?.state;

function setup(options: { key?: () => SessionKey | undefined } = {}) {
  const host = fakeHost();
  const sim = simulatedOpener();
  const registry = new DeviceRegistry();
  const pki = createTestPki();
  const trust = createTrustStore([pki.csca.pem]);
  if (!trust.ok) throw new Error(trust.error.message);
  const changes: DeviceHealth[][] = [];
  registry.changes.add((l) => changes.push(l));
  const source = new HardwareDeviceSource({ intervalMs: 20, sources: host.sources });
  const manager = new DeviceManager({
    source,
    opener: sim.opener,
    registry,
    log,
    trustStore: () => trust.value,
    sessionKey: options.key ?? (() => undefined),
    backoff: { initialMs: 10, maxMs: 40 },
    printer: { printSpeedMmPerS: Infinity, pollIntervalMs: 50 },
  });
  const cardEvents: CardEvent[] = [];
  manager.cardEvents.add((e) => cardEvents.push(e));
  /** The patient agrees on the kiosk page to every card announced from now on. */
  const consentToEveryCard = () =>
    manager.cardEvents.add((e) => {
      if (e.type === 'card:present') expect(manager.consentToRead(e.payload.readId)).toEqual({ ok: true, value: null });
    });
  return { host, sim, registry, manager, changes, pki, cardEvents, source, consentToEveryCard };
}

describe('DeviceManager over a fake discovery source and simulated transports', () => {
  it('matches each discovered device to its profile and opens it; an unplug closes it, a replug reopens it', async () => {
    const { host, sim, registry, manager, changes } = setup();
    host.state.printers = [epson];
    host.state.hid = [honeywell];
    host.state.pcsc = [acs, 'ACS ACR1252 Dual Reader [ACR1252 Dual Reader SAM] 01 00'];
    await manager.start();
    expect(
      registry
        .list()
        .map((d) => [d.id, d.class, d.profileId, d.state])
        .sort(),
    ).toEqual([
      ['hid:/dev/hidraw3', 'scanner', 'honeywell.voyager-1470g', 'ready'],
      [`pcsc:${acs}`, 'card-reader', 'acs.acr1252u', 'ready'],
      ['usb-printer:/dev/usb/lp0', 'printer', 'epson.tm-t88vi', 'ready'],
    ]);

    // Unplugged: the link drops, discovery notices, the handle is released and the state says so.
    const link = sim.links.get('/dev/usb/lp0');
    link?.unplug();
    host.state.printers = [];
    await until(() => expect(registry.get('usb-printer:/dev/usb/lp0')?.reason).toBe('unplugged'));
    await manager.settled();
    expect(stateOf(registry, 'usb-printer:/dev/usb/lp0')).toBe('disconnected');
    expect(link?.isOpen).toBe(false);
    expect(manager.printers()).toEqual([]);
    expect(changes.length).toBeGreaterThan(1);

    link?.replug();
    host.state.printers = [epson];
    await until(() => expect(stateOf(registry, 'usb-printer:/dev/usb/lp0')).toBe('ready'));
    expect(manager.printers().map((p) => p.id)).toEqual(['usb-printer:/dev/usb/lp0']);
    await manager.stop();
    expect(sim.links.get('/dev/hidraw3')?.isOpen).toBe(false);
  });

  it('a source whose binding fails is a transport problem; the other devices still work', async () => {
    const { host, registry, manager } = setup();
    host.state.printers = [epson];
    host.state.pcscDown = 'smartcard binding unavailable: libpcsclite.so.1: cannot open shared object file';
    await manager.start();
    expect(registry.transports).toEqual([
      { transport: 'pcsc', reason: 'smartcard binding unavailable: libpcsclite.so.1: cannot open shared object file' },
    ]);
    expect(stateOf(registry, 'usb-printer:/dev/usb/lp0')).toBe('ready');
    host.state.pcscDown = undefined;
    host.state.pcsc = [acs];
    await until(() => expect(stateOf(registry, `pcsc:${acs}`)).toBe('ready'));
    await until(() => expect(registry.transports).toEqual([]));
    await manager.stop();
  });

  it('retries a present device that will not open, with backoff, until it does', async () => {
    const { host, sim, registry, manager } = setup();
    sim.failNextOpens(3);
    host.state.hid = [honeywell];
    await manager.start();
    expect(registry.get('hid:/dev/hidraw3')?.state).toBe('error');
    await until(() => expect(stateOf(registry, 'hid:/dev/hidraw3')).toBe('ready'));
    await manager.stop();
  });

  it('delivers scans from a discovered scanner', async () => {
    const { host, sim, manager } = setup();
    host.state.hid = [honeywell];
    await manager.start();
    const scans: string[] = [];
    manager.scans.add((p) => scans.push(p));
    sim.links.get('/dev/hidraw3')?.emitData('ABC123\r');
    expect(scans).toEqual(['ABC123']);
    await manager.stop();
  });

  it('a printer pulled in the middle of a job fails the job with a code, never a throw', async () => {
    const { host, sim, registry, manager } = setup();
    host.state.printers = [epson];
    await manager.start();
    const link = sim.links.get('/dev/usb/lp0');
    if (!link) throw new Error('no link');
    link.baudRate = 38_400;
    const printer = manager.printer();
    if (!printer) throw new Error('no printer');
    const job = printer.print(asciiTicket);
    await until(() => expect(link.recording.length).toBeGreaterThan(0));
    link.unplug();
    host.state.printers = [];
    await expect(job).resolves.toEqual({ state: 'failed', reason: 'disconnected' });
    await until(() => expect(stateOf(registry, 'usb-printer:/dev/usb/lp0')).toBe('disconnected'));
    await manager.stop();
  });
});

describe('CardReader through the manager', () => {
  const cccdKey: ChipAccessKey = {
    kind: 'cccd',
    idNumber: '079188012345',
    dateOfBirth: '1988-03-12',
    issueDate: '2021-05-10',
  };

  it('reads a card into progress → identity → face → authenticity with the session key', async () => {
    const { host, sim, manager, cardEvents, pki, registry, consentToEveryCard } = setup({
      key: () => ({ key: cccdKey, source: 'cccd-qr' }),
    });
    consentToEveryCard();
    host.state.pcsc = [acs];
    await manager.start();
    const reader = sim.readers.get(acs);
    reader?.insertCard(new VirtualCccdChip({ pki, faceBytes: 4000 }));
    await until(() => expect(cardEvents.some((e) => e.type === 'card:authenticity')).toBe(true));
    const kinds = cardEvents.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]);
    expect(kinds).toEqual([
      'card:present',
      'card:progress',
      'card:identity',
      'card:progress',
      'card:face',
      'card:progress',
      'card:authenticity',
      'card:progress',
    ]);
    const identity = cardEvents.find((e) => e.type === 'card:identity');
    expect(identity?.type === 'card:identity' && identity.payload.identity.fullName).toBe('Nguyễn Thị Lan');
    const auth = cardEvents.find((e) => e.type === 'card:authenticity');
    expect(auth?.payload).toMatchObject({ authenticity: { passive: 'valid', signer: 'trusted' } });
    const readIds = new Set(cardEvents.map((e) => e.payload.readId));
    expect(readIds.size).toBe(1);
    const progress = cardEvents.flatMap((e) => (e.type === 'card:progress' ? [e.payload] : []));
    expect(progress.map((p) => p.percent)).toEqual([...progress.map((p) => p.percent)].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ percent: 100 });
    expect(progress.at(-1)?.bytesRead).toBeGreaterThan(4000);
    await until(() => expect(registry.get(`pcsc:${acs}`)?.counters).toMatchObject({ reads: 1, readsOk: 1 }));
    await manager.stop();
  });

  it('a placed card is only announced: no APDU and no identity until the patient consents to its readId', async () => {
    const { host, sim, manager, cardEvents, pki } = setup({ key: () => ({ key: cccdKey, source: 'cccd-qr' }) });
    host.state.pcsc = [acs];
    await manager.start();
    const reader = sim.readers.get(acs);
    if (!reader) throw new Error('no reader');
    reader.insertCard(new VirtualCccdChip({ pki, faceBytes: 2000 }));
    await until(() => expect(cardEvents.some((e) => e.type === 'card:present')).toBe(true));
    // A read started by the presentation itself would be in progress now: let it end first.
    await manager.settled();
    await Promise.all(manager.readers().map((r) => r.idle()));
    expect(cardEvents.map((e) => e.type)).toEqual(['card:present']);
    expect(Object.keys(cardEvents[0]?.payload ?? {})).toEqual(['readId']);
    expect(reader.inner.apduCount).toBe(0);
    expect(manager.consentToRead('someone-else')).toMatchObject({ ok: false, error: { code: 'no-card' } });
    expect(reader.inner.apduCount).toBe(0);
    const readId = cardEvents[0]?.payload.readId ?? '';
    expect(manager.consentToRead(readId)).toEqual(ok(null));
    await until(() => expect(cardEvents.some((e) => e.type === 'card:authenticity')).toBe(true));
    expect(new Set(cardEvents.map((e) => e.payload.readId))).toEqual(new Set([readId]));
    await manager.stop();
  });

  it('a card removed before consent ends with card-removed, nothing read; a later consent is refused', async () => {
    const { host, sim, manager, cardEvents, pki, registry } = setup({
      key: () => ({ key: cccdKey, source: 'cccd-qr' }),
    });
    host.state.pcsc = [acs];
    await manager.start();
    const reader = sim.readers.get(acs);
    if (!reader) throw new Error('no reader');
    reader.insertCard(new VirtualCccdChip({ pki, faceBytes: 2000 }));
    await until(() => expect(cardEvents.some((e) => e.type === 'card:present')).toBe(true));
    const readId = cardEvents[0]?.payload.readId ?? '';
    reader.removeCard();
    await until(() => expect(cardEvents.some((e) => e.type === 'card:failed')).toBe(true));
    expect(cardEvents.map((e) => e.type)).toEqual(['card:present', 'card:failed']);
    expect(cardEvents[1]?.payload).toMatchObject({ readId, code: 'card-removed' });
    expect(manager.consentToRead(readId)).toMatchObject({ ok: false, error: { code: 'no-card' } });
    expect(reader.inner.apduCount).toBe(0);
    expect(registry.get(`pcsc:${acs}`)?.counters.reads ?? 0).toBe(0);
    await manager.stop();
  });

  it('a wiped session withdraws the consent: a key arriving for a card refused earlier announces it again', async () => {
    const session: { key?: SessionKey } = {};
    const { host, sim, manager, cardEvents, pki } = setup({ key: () => session.key });
    host.state.pcsc = [acs];
    await manager.start();
    sim.readers.get(acs)?.insertCard(new VirtualCccdChip({ pki, faceBytes: 2000 }));
    await until(() => expect(cardEvents.some((e) => e.type === 'card:present')).toBe(true));
    const first = cardEvents[0]?.payload.readId ?? '';
    expect(manager.consentToRead(first)).toEqual(ok(null));
    await until(() => expect(cardEvents.some((e) => e.type === 'card:failed')).toBe(true));
    manager.withdrawConsent();
    session.key = { key: cccdKey, source: 'staff' };
    manager.keyAvailable();
    await until(() => expect(cardEvents.filter((e) => e.type === 'card:present')).toHaveLength(2));
    await Promise.all(manager.readers().map((r) => r.idle()));
    expect(cardEvents.some((e) => e.type === 'card:identity')).toBe(false);
    const second = cardEvents.filter((e) => e.type === 'card:present')[1]?.payload.readId ?? '';
    expect(second).not.toBe(first);
    expect(manager.consentToRead(second)).toEqual(ok(null));
    await until(() => expect(cardEvents.some((e) => e.type === 'card:identity')).toBe(true));
    await manager.stop();
  });

  it('no key → access-denied asking for the QR; a key that arrives later reads the card still lying there', async () => {
    const session: { key?: SessionKey } = {};
    const { host, sim, manager, cardEvents, pki, consentToEveryCard } = setup({ key: () => session.key });
    consentToEveryCard();
    host.state.pcsc = [acs];
    await manager.start();
    sim.readers.get(acs)?.insertCard(new VirtualCccdChip({ pki, faceBytes: 2000 }));
    await until(() => expect(cardEvents.some((e) => e.type === 'card:failed')).toBe(true));
    expect(cardEvents.find((e) => e.type === 'card:failed')?.payload).toMatchObject({
      code: 'access-denied',
      hint: 'scan-qr-instead',
    });
    session.key = { key: cccdKey, source: 'cccd-qr' };
    manager.keyAvailable();
    await until(() => expect(cardEvents.some((e) => e.type === 'card:identity')).toBe(true));
    await manager.stop();
  });

  it('a card pulled mid-read → card:failed card-removed; the reader stays ready', async () => {
    const { host, sim, manager, cardEvents, pki, registry, consentToEveryCard } = setup({
      key: () => ({ key: cccdKey, source: 'cccd-qr' }),
    });
    consentToEveryCard();
    host.state.pcsc = [acs];
    await manager.start();
    sim.readers.get(acs)?.insertCard(new VirtualCccdChip({ pki, faceBytes: 20_000 }), { removeCardAfterApdus: 30 });
    await until(() => expect(cardEvents.some((e) => e.type === 'card:failed')).toBe(true));
    expect(cardEvents.find((e) => e.type === 'card:failed')?.payload).toMatchObject({
      code: 'card-removed',
      hint: 'hold-card-still',
    });
    expect(cardEvents.some((e) => e.type === 'card:identity')).toBe(true);
    await until(() => expect(stateOf(registry, `pcsc:${acs}`)).toBe('ready'));
    await manager.stop();
  });

  it('a reader unplugged mid-read ends the read with a code and the reader disconnected', async () => {
    const { host, sim, manager, cardEvents, pki, registry, consentToEveryCard } = setup({
      key: () => ({ key: cccdKey, source: 'cccd-qr' }),
    });
    consentToEveryCard();
    host.state.pcsc = [acs];
    await manager.start();
    const reader = sim.readers.get(acs);
    if (!reader) throw new Error('no reader');
    reader.inner.link = { bitRateKbps: 106, perApduLatencyMs: 2 };
    reader.insertCard(new VirtualCccdChip({ pki, faceBytes: 20_000 }));
    await until(() => expect(cardEvents.some((e) => e.type === 'card:identity')).toBe(true));
    reader.unplug();
    host.state.pcsc = [];
    await until(() => expect(cardEvents.some((e) => e.type === 'card:failed')).toBe(true));
    expect(cardEvents.find((e) => e.type === 'card:failed')?.payload.code).toBe('card-removed');
    await until(() => expect(stateOf(registry, `pcsc:${acs}`)).toBe('disconnected'));
    await manager.stop();
  });
});

describe('opener failures', () => {
  it('a device whose transport cannot be created is an error with the reason', async () => {
    const host = fakeHost();
    host.state.printers = [epson];
    const registry = new DeviceRegistry();
    const manager = new DeviceManager({
      source: new HardwareDeviceSource({ intervalMs: 20, sources: host.sources }),
      opener: { byte: () => err('no-transport-settings', 'none'), apdu: () => err('x', 'none') },
      registry,
      log,
      trustStore: () => ({ anchors: [] }),
      sessionKey: () => undefined,
    });
    await manager.start();
    expect(registry.get('usb-printer:/dev/usb/lp0')).toMatchObject({
      state: 'error',
      reason: 'transport-unavailable',
      lastError: 'none',
    });
    await manager.stop();
  });
});
