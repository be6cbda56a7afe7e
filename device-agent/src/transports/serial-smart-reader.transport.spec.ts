import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { profileById } from '@kiosk/hardware-profiles';
import { SerialSmartReaderPeer } from '../simulator/serial-smart-reader.peer';
import type { ApduResponder } from '../simulator/virtual-cccd/virtual-cccd.chip';
import {
  encodeSerialReaderFrame,
  SerialReaderDeframer,
  SerialSmartReaderTransport,
  serialReaderFraming,
  type SerialReaderFraming,
} from './serial-smart-reader.transport';
import { SimulatedByteTransport } from '../simulator/simulated-byte.transport';
import { until } from '@kiosk/protocol';
import { TransportError } from './transport';

const FRAMING_NAME = 'stx-len16be-type-lrc-etx';
const framing: SerialReaderFraming = serialReaderFraming(FRAMING_NAME)!;

/** Echo card: answers the command bytes followed by 90 00. */
const echoCard = (): ApduResponder & { resets: number } => ({
  atr: Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01),
  resets: 0,
  reset() {
    this.resets++;
  },
  process: (command) => Uint8Array.of(...command, 0x90, 0x00),
});

/** Two in-memory links wired back to back: host writes reach the peer and vice versa. */
function linkPair(): { host: SimulatedByteTransport; device: SimulatedByteTransport } {
  const host = new SimulatedByteTransport('host');
  const device = new SimulatedByteTransport('device');
  host.onHostWrite((bytes) => device.emitData(bytes));
  device.onHostWrite((bytes) => host.emitData(bytes));
  return { host, device };
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

async function setup(options: { card?: ApduResponder; pollMs?: number; noise?: (n: number) => Uint8Array } = {}) {
  const { host, device } = linkPair();
  const peer = new SerialSmartReaderPeer({
    link: device,
    framing: FRAMING_NAME,
    card: options.card,
    noiseBeforeAnswer: options.noise,
  });
  await peer.start();
  const transport = new SerialSmartReaderTransport({ link: host, framing: FRAMING_NAME, pollMs: options.pollMs ?? 20 });
  open.push(transport, { close: () => peer.stop() });
  await transport.open();
  return { host, device, peer, transport };
}

describe('serial smart-reader framing', () => {
  it('the catalogue profile names this framing', () => {
    const profile = profileById('generic.serial-smart-reader');
    expect(profile?.class === 'card-reader' ? profile.capabilities.framing : undefined).toBe(FRAMING_NAME);
    expect(profile?.uncertain.some((u) => u.includes(FRAMING_NAME))).toBe(true);
  });

  it('encodes STX, big-endian length, payload, LRC over length + payload, ETX', () => {
    const frame = encodeSerialReaderFrame(framing, Uint8Array.of(0x01, 0x00, 0xa4));
    expect([...frame]).toEqual([0x02, 0x00, 0x03, 0x01, 0x00, 0xa4, 0x00 ^ 0x03 ^ 0x01 ^ 0x00 ^ 0xa4, 0x03]);
  });

  it('resyncs: garbage, a bad LRC and a bad ETX are dropped; frames around them decode', () => {
    const a = encodeSerialReaderFrame(framing, Uint8Array.of(0x81, 0x90, 0x00));
    const b = encodeSerialReaderFrame(framing, Uint8Array.of(0x83, 0x01));
    const badLrc = Uint8Array.from(a);
    badLrc[badLrc.length - 2] = (badLrc[badLrc.length - 2] ?? 0) ^ 0xff;
    const badEtx = Uint8Array.from(b);
    badEtx[badEtx.length - 1] = 0x04;
    const d = new SerialReaderDeframer(framing);
    const out = d.push(Uint8Array.of(0xff, 0x02, 0xff, 0xff, ...badLrc, ...a, 0x13, ...badEtx, ...b));
    expect(out.map((p) => [...p])).toEqual([
      [0x81, 0x90, 0x00],
      [0x83, 0x01],
    ]);
    expect(d.stats.badFrames).toBeGreaterThanOrEqual(3);
  });

  it('a stale candidate (STX + plausible length, then silence) is given up by expire()', () => {
    const d = new SerialReaderDeframer(framing);
    const frame = encodeSerialReaderFrame(framing, Uint8Array.of(0x83, 0x00));
    expect(d.push(Uint8Array.of(0x02, 0x00, 0x40, ...frame))).toEqual([]);
    expect(d.pending).toBe(true);
    expect(d.expire().map((p) => [...p])).toEqual([[0x83, 0x00]]);
    expect(d.pending).toBe(false);
  });

  it('fuzz: random and truncated bytes never throw and stay bounded', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), (chunks) => {
        const d = new SerialReaderDeframer(framing);
        for (const chunk of chunks) {
          for (const p of d.push(chunk)) expect(p.length).toBeGreaterThanOrEqual(1);
          d.expire();
        }
        // Repeated expire() always empties the buffer: no candidate is held forever.
        for (let i = 0; i < 6000 && d.pending; i++) d.expire();
        expect(d.pending).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('fuzz: any valid frame split anywhere, after any garbage, decodes identically', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: framing.maxPayloadBytes }),
        fc.uint8Array({ maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (payload, garbage, cuts) => {
          const frame = encodeSerialReaderFrame(framing, payload);
          // Garbage ends with a clean break (a complete other frame), as on a line between messages.
          const filler = encodeSerialReaderFrame(framing, Uint8Array.of(0x83, 0x00));
          const bytes = Uint8Array.of(...garbage, ...filler, ...frame);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
          const d = new SerialReaderDeframer(framing);
          const out: Uint8Array[] = [];
          let from = 0;
          for (const p of [...points, bytes.length]) {
            out.push(...d.push(bytes.subarray(from, p)));
            from = p;
          }
          for (let i = 0; i < 100 && d.pending; i++) out.push(...d.expire());
          const last = out[out.length - 1];
          expect(last && [...last]).toEqual([...payload]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a frame split anywhere decodes identically (no garbage)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (payload, cuts) => {
          const frame = encodeSerialReaderFrame(framing, payload);
          const points = [...new Set(cuts.map((c) => c % (frame.length + 1)))].sort((x, y) => x - y);
          const d = new SerialReaderDeframer(framing);
          const out: Uint8Array[] = [];
          let from = 0;
          for (const p of [...points, frame.length]) {
            out.push(...d.push(frame.subarray(from, p)));
            from = p;
          }
          expect(out.map((p) => [...p])).toEqual([[...payload]]);
          expect(d.pending).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('SerialSmartReaderTransport over a simulated link', () => {
  it('reports the card, powers it on the first APDU, carries APDUs', async () => {
    const card = echoCard();
    const { transport, peer } = await setup({ card });
    expect(transport.cardPresent).toBe(true);
    const response = await transport.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c));
    expect([...response]).toEqual([0x00, 0xa4, 0x04, 0x0c, 0x90, 0x00]);
    expect([...(transport.atr ?? [])]).toEqual([...card.atr]);
    await transport.transmit(Uint8Array.of(0x00, 0x84, 0x00, 0x00, 0x08));
    expect(peer.counts).toMatchObject({ apdus: 2, powerOns: 1 });
  });

  it('still carries APDUs with garbage before every answer', async () => {
    const noise = (n: number) =>
      n % 2 ? Uint8Array.of(0xff, 0x02, 0x00, 0x02, 0x55, 0x66, 0x77, 0x03) : Uint8Array.of(0x02, 0x7f);
    const { transport } = await setup({ card: echoCard(), noise });
    for (let i = 0; i < 5; i++) {
      const r = await transport.transmit(Uint8Array.of(0x00, 0xb0, 0x00, i, 0x10));
      expect([...r]).toEqual([0x00, 0xb0, 0x00, i, 0x10, 0x90, 0x00]);
    }
    expect(transport.deframerStats?.droppedBytes).toBeGreaterThan(0);
  });

  it('polls presence: insertion and removal reach onCardChange; an APDU without a card is disconnected', async () => {
    const { transport, peer } = await setup({ pollMs: 10 });
    expect(transport.cardPresent).toBe(false);
    const changes: boolean[] = [];
    transport.onCardChange((p) => changes.push(p));
    await expect(transport.transmit(Uint8Array.of(0x00, 0xa4))).rejects.toMatchObject({ code: 'disconnected' });
    peer.insertCard(echoCard());
    await until(() => changes.length === 1);
    peer.removeCard();
    await until(() => changes.length === 2);
    expect(changes).toEqual([true, false]);
  });

  it('a silent reader → timeout per APDU', async () => {
    const { host, device } = linkPair();
    let statusAnswered = false;
    // A peer that answers the first status and then goes silent.
    await device.open();
    device.onData(() => {
      if (statusAnswered) return;
      statusAnswered = true;
      void device.write(encodeSerialReaderFrame(framing, Uint8Array.of(0x83, 0x01)));
    });
    const transport = new SerialSmartReaderTransport({ link: host, framing: FRAMING_NAME, pollMs: 10_000 });
    open.push(transport);
    await transport.open();
    const error = await transport.transmit(Uint8Array.of(0x00, 0xa4), { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('timeout');
  });

  it('link closed mid-APDU → disconnected, card absent', async () => {
    const { host, device } = linkPair();
    await device.open();
    const atr = echoCard().atr;
    // Answer status and power-on only; swallow APDUs so the transmit is in flight when the link goes.
    let apduInFlight = false;
    device.onData((bytes) => {
      if (bytes[3] === 0x03) void device.write(encodeSerialReaderFrame(framing, Uint8Array.of(0x83, 1)));
      if (bytes[3] === 0x02) void device.write(encodeSerialReaderFrame(framing, Uint8Array.of(0x82, ...atr)));
      if (bytes[3] === 0x01) apduInFlight = true;
    });
    const transport = new SerialSmartReaderTransport({ link: host, framing: FRAMING_NAME, pollMs: 10_000 });
    open.push(transport);
    await transport.open();
    const changes: boolean[] = [];
    transport.onCardChange((p) => changes.push(p));
    const pending = transport.transmit(Uint8Array.of(0x00, 0xa4), { timeoutMs: 5000 });
    await until(() => apduInFlight, { what: 'the APDU on the wire' });
    host.unplug();
    await expect(pending).rejects.toMatchObject({ code: 'disconnected' });
    expect(transport.cardPresent).toBe(false);
    expect(changes).toEqual([false]);
    await expect(transport.transmit(Uint8Array.of(0x00))).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('an unknown framing name → unavailable on open', async () => {
    const transport = new SerialSmartReaderTransport({ link: new SimulatedByteTransport('x'), framing: 'nope' });
    await expect(transport.open()).rejects.toMatchObject({ code: 'unavailable' });
  });
});
