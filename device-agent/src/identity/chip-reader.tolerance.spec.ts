/**
 * Real chips' quirks (hardware.md §1, "Reading files from real chips"), each a fault of the virtual
 * CCCD, read through readChip over the simulated APDU transport.
 */
import { describe, expect, it } from 'vitest';
import { generateFaceJpeg2000 } from '../simulator/virtual-cccd/jpeg2000';
import { createTestPki } from '../simulator/virtual-cccd/pki';
import { SimulatedApduTransport } from '../simulator/virtual-cccd/simulated-apdu.transport';
import { VirtualCccdChip, type VirtualCccdOptions } from '../simulator/virtual-cccd/virtual-cccd.chip';
import { cardAuthenticityOf } from './chip/card-events';
import { readChip, type ChipReadOptions } from './chip-reader';
import { hex } from './icao/bytes';
import { createTrustStore } from './pa/trust-store';

const pki = createTestPki();
const trust = createTrustStore([pki.csca.pem]);
if (!trust.ok) throw new Error(trust.error.message);
const trustStore = trust.value;
const KEY = { kind: 'cccd' as const, idNumber: '079188012345', dateOfBirth: '1988-03-12', dateOfExpiry: '2028-03-12' };

async function read(chipOptions: VirtualCccdOptions, options: Partial<ChipReadOptions> = {}) {
  const chip = new VirtualCccdChip({ pki, faceBytes: 6000, ...chipOptions });
  const transport = new SimulatedApduTransport('sim', { card: chip });
  const sent: Uint8Array[] = [];
  const process = chip.process.bind(chip);
  chip.process = (apdu) => {
    sent.push(apdu);
    return process(apdu);
  };
  const events: string[] = [];
  const result = await readChip(
    transport,
    { key: KEY, trustStore, ...options },
    {
      onIdentity: () => events.push('identity'),
      onFace: (f) => events.push(`face:${f.mimeType}`),
      onAuthenticity: (a, v) => events.push(`authenticity:${a.status}:${v.verified ? 'verified' : 'unverified'}`),
    },
  );
  return { chip, result, events, sent };
}

describe('readChip tolerates real chips', () => {
  it('reads each file header first, then exactly its length: no READ BINARY past the end', async () => {
    for (const options of [
      {},
      { access: 'pace' as const, chipAuthentication: 'aes' as const, activeAuthentication: 'rsa' as const },
    ]) {
      const { chip, result } = await read(options);
      expect(result.ok).toBe(true);
      expect(chip.overReads).toBe(0);
      const files = [...chip.files.values()];
      expect(result.ok && result.value.stats.bytesRead).toBe(files.reduce((n, f) => n + f.length, 0));
    }
  });

  it.each([
    ['status only', true],
    ['with plain data beside it', 'with-plain-data'],
  ] as const)(
    'a plain 6282 (%s) on an over-read: accepted as a status, its data never used',
    async (_l, unprotected6282) => {
      // A 7-byte EF.COM is shorter than the 8-byte header probe; the chip answers over-reads in plain.
      const { result, events } = await read({ minimalEfCom: true, faults: { unprotected6282 } });
      expect(result.ok ? null : result.error).toBeNull();
      expect(result.ok && result.value.dataGroups).toEqual([1, 2, 13]);
      expect(events).toEqual(['identity', 'face:image/jpeg', 'authenticity:verified:verified']);
    },
  );

  it('a plain 6282 on short reads (a reader that cannot carry 223 bytes) steps down the chunk size', async () => {
    const { chip, result } = await read({
      maxResponseDataBytes: 160,
      oversizeLeBehaviour: 'short-read',
      faults: { unprotected6282: 'with-plain-data' },
    });
    expect(result.ok && result.value.face && hex(result.value.face.bytes)).toBe(hex(chip.faceJpeg));
  });

  it.each([
    ['missing', { missingEfCom: true }, 'ef-com-missing'],
    ['malformed', { malformedEfCom: true }, 'ef-com-malformed'],
  ] as const)(
    'EF.COM %s: DG1 and DG13 are read all the same, the known DGs tried by file id',
    async (_l, faults, anomaly) => {
      const { result, events } = await read({ chipAuthentication: 'aes', faults });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value.anomalies).toContain(anomaly);
      expect([...result.value.dataGroups].sort((a, b) => a - b)).toEqual([1, 2, 13, 14]);
      expect(result.value.identity.fullName).toBe('Nguyễn Thị Lan');
      expect(result.value.verification).toMatchObject({ pa: 'verified', ca: 'verified', verified: true });
      expect(events).toEqual(['identity', 'face:image/jpeg', 'authenticity:verified:verified']);
    },
  );

  it('no EF.SOD: the identity stays, unverified (like a QR identity), with the reason for staff', async () => {
    const { result, events } = await read({ faults: { noSod: true } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(events).toEqual(['identity', 'face:image/jpeg', 'authenticity:unavailable:unverified']);
    expect(result.value.verification).toMatchObject({
      pa: 'unavailable',
      verified: false,
      unverifiedReasons: ['no-sod'],
    });
    expect(cardAuthenticityOf(result.value.authenticity, result.value.verification)).toMatchObject({
      passive: 'not-checked',
      reason: 'no-sod',
      pa: 'unavailable',
      verified: false,
      unverifiedReasons: ['no-sod'],
    });
  });

  it('no DG2: the identity stays, verified by EF.SOD but unverified for want of a face', async () => {
    const { result, events } = await read({ faults: { noDg2: true } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.face).toBeUndefined();
    expect(events).toEqual(['identity', 'authenticity:verified:unverified']);
    expect(result.value.verification).toMatchObject({
      pa: 'verified',
      verified: false,
      unverifiedReasons: ['no-face'],
    });
  });

  it('DG2 without its outer 75 tag: the face is read and its hash verifies', async () => {
    const { chip, result } = await read({ faults: { dg2WithoutOuterTag: true } });
    expect(hex(chip.files.get(0x0102)?.subarray(0, 2) ?? new Uint8Array(0))).toBe('7F61');
    expect(result.ok && result.value.face && hex(result.value.face.bytes)).toBe(hex(chip.faceJpeg));
    expect(result.ok && result.value.verification.verified).toBe(true);
  });

  it.each(['j2k', 'jp2'] as const)('a JPEG 2000 face (%s) is handed on as PNG for the browser', async (format) => {
    const faceJpeg2000 = await generateFaceJpeg2000({ format });
    const { result, events } = await read({ faceJpeg2000 });
    expect(events).toEqual(['identity', 'face:image/png', 'authenticity:verified:verified']);
    expect(result.ok && result.value.face).toMatchObject({
      mimeType: 'image/png',
      convertedFrom: 'image/jp2',
      width: 240,
      height: 320,
    });
  });

  it('a file over 32 KB (a 40 KB face) is read past offset 32 767 with READ BINARY B1', async () => {
    const { chip, result, sent } = await read({ faceBytes: 40_000 });
    expect(result.ok && result.value.face && hex(result.value.face.bytes)).toBe(hex(chip.faceJpeg));
    expect(result.ok && result.value.verification.pa).toBe('verified');
    expect(sent.some((c) => c[1] === 0xb1)).toBe(true);
  });

  it('extended-length APDUs where the reader supports them: fewer, larger reads; short APDUs by default', async () => {
    const short = await read({ faceBytes: 20_000, extendedLength: true });
    const extended = await read({ faceBytes: 20_000, extendedLength: true }, { extendedLength: true });
    expect(short.result.ok && extended.result.ok).toBe(true);
    if (!short.result.ok || !extended.result.ok) return;
    expect(hex(extended.result.value.face?.bytes ?? new Uint8Array(0))).toBe(hex(extended.chip.faceJpeg));
    expect(extended.result.value.stats.apdus).toBeLessThan(short.result.value.stats.apdus / 2);
    // Short reads never ask for more than 223 bytes.
    const les = short.sent.filter((c) => c.length > 4).map((c) => c[4]);
    expect(les.every((le) => le !== 0)).toBe(true);
    expect(extended.sent.some((c) => c[4] === 0 && c.length > 7)).toBe(true);
  });

  it('extended-length reads on a chip that refuses them fall back to short APDUs', async () => {
    const { chip, result } = await read({ faceBytes: 20_000 }, { extendedLength: true });
    expect(result.ok && result.value.face && hex(result.value.face.bytes)).toBe(hex(chip.faceJpeg));
  });
});
