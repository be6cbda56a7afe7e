import { describe, expect, it } from 'vitest';
import type { Identity } from '@kiosk/protocol';
import { buildCccdMrz } from '../simulator/virtual-cccd/mrz-builder';
import { createTestPki } from '../simulator/virtual-cccd/pki';
import { SimulatedApduTransport, type ApduFaults } from '../simulator/virtual-cccd/simulated-apdu.transport';
import {
  VirtualCccdChip,
  type ApduResponder,
  type VirtualCccdOptions,
} from '../simulator/virtual-cccd/virtual-cccd.chip';
import { accessKeyFromIdentity, type ChipAccessKey } from './chip/access-key';
import { cardAuthenticityOf, cardFailureCodeOf } from './chip/card-events';
import { readChip, type ChipReadListeners, type ChipReadOptions, type ChipReadProgress } from './chip-reader';
import { hex } from './icao/bytes';
import { createTrustStore, EMPTY_TRUST_STORE, type TrustStore } from './pa/trust-store';

const pki = createTestPki();
const trustStoreOf = (pem: string): TrustStore => {
  const r = createTrustStore([pem]);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const trustStore = trustStoreOf(pki.csca.pem);

/** The CCCD QR identity of the synthetic card (vietnam.md §2). */
const QR_IDENTITY: Identity = {
  source: 'cccd-qr',
  idNumber: '079188012345',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
  sex: 'female',
  issueDate: '2021-05-10',
};
const KEY: ChipAccessKey = {
  kind: 'cccd',
  idNumber: '079188012345',
  dateOfBirth: '1988-03-12',
  dateOfExpiry: '2028-03-12',
};

function setup(chipOptions: VirtualCccdOptions = {}, faults: ApduFaults = {}) {
  const chip = new VirtualCccdChip({ pki, faceBytes: 8000, ...chipOptions });
  const transport = new SimulatedApduTransport('sim-reader', { card: chip, faults });
  return { chip, transport };
}

async function read(
  transport: SimulatedApduTransport,
  options: Partial<ChipReadOptions> = {},
  extra: ChipReadListeners = {},
) {
  const events: string[] = [];
  const progress: ChipReadProgress[] = [];
  const result = await readChip(
    transport,
    { key: KEY, trustStore, ...options },
    {
      onProgress: (p) => progress.push(p),
      onIdentity: () => events.push('identity'),
      onFace: () => events.push('face'),
      onAuthenticity: (a) => events.push(`authenticity:${a.status}`),
      ...extra,
    },
  );
  return { result, events, progress };
}

describe('readChip on the virtual CCCD', () => {
  it('reads identity, then face, then a verified authenticity', async () => {
    const { chip, transport } = setup();
    const { result, events, progress } = await read(transport);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(events).toEqual(['identity', 'face', 'authenticity:verified']);
    expect(result.value.identity).toEqual({
      source: 'chip',
      idNumber: '079188012345',
      oldIdNumber: '362012345',
      fullName: 'Nguyễn Thị Lan',
      dateOfBirth: '1988-03-12',
      sex: 'female',
      address: 'Phường Ninh Kiều, TP. Cần Thơ',
      issueDate: '2021-05-10',
    });
    expect(result.value.mrz.bacKeyInfo).toBe('188012345288031262803124');
    expect(result.value.dg13?.fatherName).toBe('Nguyễn Văn Hùng');
    expect(result.value.face?.mimeType).toBe('image/jpeg');
    expect(hex(result.value.face?.bytes ?? new Uint8Array(0))).toBe(hex(chip.faceJpeg));
    expect(result.value.authenticity.status).toBe('verified');
    expect(result.value.dataGroups).toEqual([1, 2, 13]);
    const fileBytes = [...chip.files.values()].reduce((n, f) => n + f.length, 0);
    expect(result.value.stats.bytesRead).toBe(fileBytes);
    expect(result.value.stats).toMatchObject({ bacAttempts: 1, bacKeyIndex: 0 });
    // Progress: monotonic percent ending at 100, DG2 reaching its full length.
    const pcts = progress.map((p) => p.percent);
    expect(pcts).toEqual([...pcts].sort((a, b) => a - b));
    expect(pcts.at(-1)).toBe(100);
    const dg2 = progress.filter((p) => p.file === 'DG2');
    expect(dg2.at(-1)?.fileBytesRead).toBe(chip.files.get(0x0102)?.length);
    expect(dg2.every((p) => p.step === 'reading-face')).toBe(true);
    expect(cardAuthenticityOf(result.value.authenticity)).toEqual({ passive: 'valid', signer: 'trusted' });
  });

  it('reads the chip with the key a CCCD QR gives (expiry derived from DOB + issue date)', async () => {
    const { transport } = setup();
    const key = accessKeyFromIdentity(QR_IDENTITY);
    expect(key).toBeDefined();
    const { result } = await read(transport, { key: key as ChipAccessKey });
    expect(result.ok && result.value.stats.bacKeyIndex).toBe(0);
  });

  it('tries the neighbouring milestone when the derived expiry is refused', async () => {
    // Card valid to 60 although the 2-year rule gives 40 from this issue date.
    const mrz = buildCccdMrz({
      idNumber: '079188012345',
      dateOfBirth: '880312',
      sex: 'F',
      dateOfExpiry: '480312',
      surname: 'NGUYEN',
      givenNames: 'THI LAN',
    });
    const { transport } = setup({ mrz });
    const { result } = await read(transport, { key: accessKeyFromIdentity(QR_IDENTITY) as ChipAccessKey });
    expect(result.ok && result.value.stats).toMatchObject({ bacAttempts: 2, bacKeyIndex: 1 });
  });

  it('skips the face when asked', async () => {
    const { transport } = setup();
    const { result, events } = await read(transport, { readFace: false });
    expect(events).toEqual(['identity', 'authenticity:verified']);
    expect(result.ok && result.value.face).toBeUndefined();
  });

  it('reads the identity from DG1 alone when the card has no DG13', async () => {
    const { transport } = setup({ withoutDataGroups: [13] });
    const { result } = await read(transport);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.dataGroups).toEqual([1, 2]);
    expect(result.value.identity).toEqual({
      source: 'chip',
      idNumber: '079188012345',
      fullName: 'NGUYEN THI LAN',
      dateOfBirth: '1988-03-12',
      sex: 'female',
    });
    expect(result.value.authenticity.status).toBe('verified');
  });

  it('reports no-trust-anchor without failing the read', async () => {
    const { transport } = setup();
    const { result } = await read(transport, { trustStore: EMPTY_TRUST_STORE });
    expect(result.ok && result.value.authenticity.status).toBe('no-trust-anchor');
    if (result.ok) expect(cardAuthenticityOf(result.value.authenticity).signer).toBe('unknown');
  });

  it.each([
    ['chip answers 6700 above 160 bytes', { maxResponseDataBytes: 160, oversizeLeBehaviour: 'wrong-length' as const }],
    [
      'reader truncates above 112 bytes with 6282',
      { maxResponseDataBytes: 112, oversizeLeBehaviour: 'short-read' as const },
    ],
  ])('falls back to smaller chunks when the %s', async (_l, chipOptions) => {
    const { chip, transport } = setup(chipOptions);
    const { result } = await read(transport);
    const { transport: plain } = setup();
    const baseline = await read(plain);
    expect(result.ok && baseline.result.ok).toBe(true);
    if (!result.ok || !baseline.result.ok) return;
    expect(hex(result.value.face?.bytes ?? new Uint8Array(0))).toBe(hex(chip.faceJpeg));
    expect(result.value.stats.apdus).toBeGreaterThan(baseline.result.value.stats.apdus + 10);
  });

  it('reads in chunks of at most maxChunkBytes', async () => {
    const { transport } = setup();
    const big = await read(transport);
    const { transport: t2 } = setup();
    const small = await read(t2, { maxChunkBytes: 112 });
    expect(big.result.ok && small.result.ok).toBe(true);
    if (big.result.ok && small.result.ok)
      expect(small.result.value.stats.apdus).toBeGreaterThan(big.result.value.stats.apdus);
  });

  // ---- failures: code, hint, stage ---------------------------------------------------------

  it('BAC refused (wrong date of birth) → bac-refused / scan-qr-instead', async () => {
    const { transport } = setup();
    const { result, events } = await read(transport, { key: { ...KEY, dateOfBirth: '1988-03-13' } as ChipAccessKey });
    expect(result.ok ? null : { code: result.error.code, hint: result.error.hint, stage: result.error.stage }).toEqual({
      code: 'bac-refused',
      hint: 'scan-qr-instead',
      stage: 'bac',
    });
    expect(events).toEqual([]);
    if (!result.ok) expect(cardFailureCodeOf(result.error.code)).toBe('access-denied');
  });

  it('a year-only DOB cannot open the chip → bad-access-key', async () => {
    const { transport } = setup();
    const { result } = await read(transport, { key: { ...KEY, dateOfBirth: '1988' } as ChipAccessKey });
    expect(result.ok ? '' : result.error.code).toBe('bad-access-key');
  });

  it('no card → no-card / hold-card-still', async () => {
    const transport = new SimulatedApduTransport('empty');
    const { result } = await read(transport);
    expect(result.ok ? null : [result.error.code, result.error.hint]).toEqual(['no-card', 'hold-card-still']);
  });

  it('not an eMRTD → not-an-eid / scan-qr-instead', async () => {
    const other: ApduResponder = {
      atr: Uint8Array.of(0x3b, 0),
      reset: () => {},
      process: () => Uint8Array.of(0x6a, 0x82),
    };
    const transport = new SimulatedApduTransport('other', { card: other });
    const { result } = await read(transport);
    expect(result.ok ? null : [result.error.code, result.error.hint, result.error.sw]).toEqual([
      'not-an-eid',
      'scan-qr-instead',
      '6A82',
    ]);
  });

  it('card removed during the face → card-removed / hold-card-still, after the identity', async () => {
    const { transport } = setup({}, { removeCardAfterApdus: 20 });
    const { result, events } = await read(transport);
    expect(
      result.ok ? null : { code: result.error.code, hint: result.error.hint, emitted: result.error.identityEmitted },
    ).toEqual({
      code: 'card-removed',
      hint: 'hold-card-still',
      emitted: true,
    });
    expect(events).toEqual(['identity']);
    expect(transport.cardPresent).toBe(false);
  });

  it('card removed during BAC → card-removed before any event', async () => {
    const { transport } = setup({}, { removeCardAfterApdus: 2 });
    const { result, events } = await read(transport);
    expect(result.ok ? null : [result.error.code, result.error.stage]).toEqual(['card-removed', 'bac']);
    expect(events).toEqual([]);
  });

  it('wrong response MAC → bad-mac / hold-card-still', async () => {
    const { transport } = setup({}, { wrongMacAtApdu: 6 });
    const { result } = await read(transport);
    expect(result.ok ? null : [result.error.code, result.error.hint]).toEqual(['bad-mac', 'hold-card-still']);
  });

  it('wrong MAC on the BAC answer → bad-mac', async () => {
    // APDU 1 asks for EF.CardAccess (absent on this BAC-only card), 2 SELECT, 3 GET CHALLENGE.
    const { transport } = setup({}, { wrongMacAtApdu: 4 });
    const { result } = await read(transport);
    expect(result.ok ? null : [result.error.code, result.error.stage]).toEqual(['bad-mac', 'bac']);
  });

  it('6982 in the middle of the session → secure-messaging-lost with the status word', async () => {
    const { transport } = setup({}, { statusAtApdu: { apdu: 8, sw: 0x6982 } });
    const { result } = await read(transport);
    expect(result.ok ? null : [result.error.code, result.error.hint, result.error.sw]).toEqual([
      'secure-messaging-lost',
      'hold-card-still',
      '6982',
    ]);
  });

  it('truncated response → secure-messaging-lost', async () => {
    const { transport } = setup({}, { truncateResponseAtApdu: 7 });
    const { result } = await read(transport);
    expect(result.ok ? '' : result.error.code).toBe('secure-messaging-lost');
  });

  it('DG13 altered after signing → passive-auth-failed naming DG13 / go-to-counter', async () => {
    const { transport } = setup({ tamperDataGroup: 13 });
    const { result, events } = await read(transport);
    expect(events).toEqual(['identity', 'face', 'authenticity:failed']);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'passive-auth-failed', hint: 'go-to-counter', identityEmitted: true });
    expect(result.error.passiveAuth).toMatchObject({ status: 'failed', step: 'dg-hash', dataGroup: 13 });
    expect(result.error.message).toContain('DG13');
    expect(cardAuthenticityOf(result.error.passiveAuth)).toEqual({
      passive: 'invalid',
      signer: 'unknown',
      reason: 'hash-mismatch',
    });
  });

  it('SOD with a bad signature → passive-auth-failed (signature)', async () => {
    const { transport } = setup({ corruptSodSignature: true });
    const { result } = await read(transport);
    expect(result.ok ? null : result.error.passiveAuth).toMatchObject({ step: 'signature' });
  });

  it('a listener that throws does not crash the read', async () => {
    const { transport } = setup();
    const { result } = await read(
      transport,
      {},
      {
        onIdentity: () => {
          throw new Error('ui bug');
        },
      },
    );
    expect(result.ok ? '' : result.error.code).toBe('reader-error');
  });

  it('is deterministic with fixed randomness', async () => {
    const fixed = (n: number) => new Uint8Array(n).fill(7);
    const a = setup({ random: fixed });
    const b = setup({ random: fixed });
    const ra = await read(a.transport, { randomBytes: fixed });
    const rb = await read(b.transport, { randomBytes: fixed });
    expect(ra.result.ok && rb.result.ok).toBe(true);
    expect(a.chip.commandCount).toBe(b.chip.commandCount);
  });
});
