import { describe, expect, it } from 'vitest';
import type { PcscCard, PcscModule, PcscMonitorEvent, PcscReader } from './native-modules';
import { PcscTransport, PcscTransportError, listPcscReaders } from './pcsc.transport';

const PRESENT = 0x20;
const EMPTY = 0x10;

/** A double at the smartcard-binding boundary; the real binding is exercised in tests/integration/pcsc-vpcd.test.ts. */
function fakePcsc(options: { serviceDown?: boolean; readers?: string[] } = {}) {
  const world = {
    readers: new Map((options.readers ?? ['ACS ACR1252 Dual Reader PICC 00 00']).map((n) => [n, EMPTY])),
    monitors: [] as ((e: PcscMonitorEvent) => void)[],
    connects: [] as { share: number; protocol: number }[],
    answer: (apdu: Buffer): Promise<Buffer> => Promise.resolve(Buffer.from([apdu.length, 0x90, 0x00])),
    cardConnected: true,
    contextsOpen: 0,
  };
  const card: PcscCard = {
    protocol: 2,
    get connected() {
      return world.cardConnected;
    },
    atr: Buffer.from([0x3b, 0x88]),
    transmit: (command) => world.answer(Buffer.from(command)),
    disconnect: () => undefined,
  };
  const module: PcscModule = {
    Context: class {
      isValid = true;
      constructor() {
        if (options.serviceDown) throw new Error('Service not available');
        world.contextsOpen += 1;
      }
      listReaders(): PcscReader[] {
        return [...world.readers].map(([name, state]) => ({
          name,
          state,
          atr: null,
          connect: async (share, protocol) => {
            world.connects.push({ share: share ?? -1, protocol: protocol ?? -1 });
            if ((world.readers.get(name) ?? 0) & PRESENT) return card;
            throw new Error('No smart card present');
          },
        }));
      }
      waitForChange = async () => null;
      cancel() {}
      close() {
        world.contextsOpen -= 1;
      }
    },
    ReaderMonitor: class {
      isRunning = false;
      start(cb: (e: PcscMonitorEvent) => void) {
        world.monitors.push(cb);
      }
      stop() {}
    },
    SCARD_SHARE_SHARED: 2,
    SCARD_PROTOCOL_T0: 1,
    SCARD_PROTOCOL_T1: 2,
    SCARD_LEAVE_CARD: 0,
    SCARD_STATE_PRESENT: PRESENT,
    SCARD_STATE_EMPTY: EMPTY,
    SCARD_STATE_MUTE: 0x200,
    SCARD_STATE_UNAVAILABLE: 0x8,
  };
  const emit = (e: Omit<PcscMonitorEvent, 'state' | 'atr'> & { state?: number }) => {
    if (e.type === 'card-inserted') world.readers.set(e.reader, PRESENT);
    if (e.type === 'card-removed') world.readers.set(e.reader, EMPTY);
    if (e.type === 'reader-detached') world.readers.delete(e.reader);
    for (const m of world.monitors) m({ state: 0, atr: null, ...e });
  };
  return { world, emit, load: async () => ({ ok: true as const, module }) };
}

const reader = 'ACS ACR1252 Dual Reader PICC 00 00';

describe('PcscTransport', () => {
  it('connects SHARED with T=0|T=1 on the first transmit and returns the response with SW', async () => {
    const f = fakePcsc();
    const t = new PcscTransport({ readerName: reader, loadPcsc: f.load });
    await t.open();
    const changes: boolean[] = [];
    t.onCardChange((p) => changes.push(p));
    f.emit({ type: 'card-inserted', reader });
    expect(t.cardPresent).toBe(true);
    const response = await t.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c));
    expect([...response]).toEqual([4, 0x90, 0x00]);
    expect(f.world.connects).toEqual([{ share: 2, protocol: 3 }]);
    await t.transmit(Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0x04));
    expect(f.world.connects).toHaveLength(1);
    expect(changes).toEqual([true]);
    await t.close();
    expect(f.world.contextsOpen).toBe(0);
  });

  it('a card pulled mid-transmit rejects with disconnected / card-removed, then no-card', async () => {
    const f = fakePcsc();
    const t = new PcscTransport({ readerName: reader, loadPcsc: f.load });
    await t.open();
    f.emit({ type: 'card-inserted', reader });
    f.world.answer = () => {
      f.world.cardConnected = false;
      return Promise.reject(new Error('Card was removed'));
    };
    const error = await t.transmit(Uint8Array.of(0, 0xb0, 0, 0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PcscTransportError);
    expect(error).toMatchObject({ code: 'disconnected', detail: 'card-removed' });
    expect(t.cardPresent).toBe(false);
    f.emit({ type: 'card-removed', reader });
    await expect(t.transmit(Uint8Array.of(0, 0xb0, 0, 0))).rejects.toMatchObject({
      code: 'not-open',
      detail: 'no-card',
    });
    await t.close();
  });

  it('an unplugged reader fires onClose once and rejects transmits with reader-removed', async () => {
    const f = fakePcsc();
    const t = new PcscTransport({ readerName: reader, loadPcsc: f.load });
    await t.open();
    const closes: string[] = [];
    t.onClose((r) => closes.push(r));
    f.emit({ type: 'card-inserted', reader });
    f.emit({ type: 'reader-detached', reader });
    f.emit({ type: 'reader-detached', reader });
    expect(closes).toEqual(['disconnected']);
    expect(t.status).toBe('disconnected');
    await expect(t.transmit(Uint8Array.of(0, 0xa4, 0, 0))).rejects.toMatchObject({ detail: 'reader-removed' });
    await t.close();
  });

  it('times out a transmit the card never answers', async () => {
    const f = fakePcsc();
    const t = new PcscTransport({ readerName: reader, loadPcsc: f.load });
    await t.open();
    f.emit({ type: 'card-inserted', reader });
    f.world.answer = () => new Promise(() => undefined);
    await expect(t.transmit(Uint8Array.of(0, 0xa4, 0, 0), { timeoutMs: 5 })).rejects.toMatchObject({ code: 'timeout' });
    await t.close();
  });

  it('ignores events of other readers', async () => {
    const f = fakePcsc({ readers: [reader, 'Other Reader 00 00'] });
    const t = new PcscTransport({ readerName: reader, loadPcsc: f.load });
    await t.open();
    f.emit({ type: 'card-inserted', reader: 'Other Reader 00 00' });
    expect(t.cardPresent).toBe(false);
    await t.close();
  });

  it('is unavailable with the reason when pcscd is down or the binding does not load', async () => {
    const down = new PcscTransport({ readerName: reader, loadPcsc: fakePcsc({ serviceDown: true }).load });
    await expect(down.open()).rejects.toMatchObject({ code: 'unavailable', detail: 'service-unavailable' });
    expect(down.statusReason).toContain('pcscd');
    const noBinding = new PcscTransport({
      readerName: reader,
      loadPcsc: async () => ({ ok: false, reason: 'libpcsclite.so.1: cannot open' }),
    });
    await expect(noBinding.open()).rejects.toMatchObject({ code: 'unavailable', detail: 'binding-unavailable' });
    expect(await listPcscReaders(async () => ({ ok: false, reason: 'x' }))).toMatchObject({ ok: false });
  });

  it('a missing reader is disconnected / reader-missing and leaves no context open', async () => {
    const f = fakePcsc({ readers: [] });
    const t = new PcscTransport({ readerName: reader, loadPcsc: f.load });
    await expect(t.open()).rejects.toMatchObject({ code: 'disconnected', detail: 'reader-missing' });
    expect(f.world.contextsOpen).toBe(0);
  });

  it('lists readers', async () => {
    expect(await listPcscReaders(fakePcsc().load)).toEqual({ ok: true, readers: [reader] });
  });
});
