/**
 * The chip reader through the real PC/SC stack: the virtual CCCD is served as a vpcd card
 * (pcscd → vsmartcard-vpcd → TCP 127.0.0.1:35963 → our chip), the PcscTransport (SHARED mode)
 * carries the APDUs, and the whole read — BAC or PACE, secure messaging, DG1/DG13/DG2/EF.SOD,
 * passive, chip and active authentication — runs as it would on a kiosk; so do a chip answering
 * over-reads with a plain 6282, one without EF.SOD and a cloned one. Uses a running pcscd or starts one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestPki,
  createTrustStore,
  type ChipAccessKey,
  type TrustStore,
  PcscTransport,
  readChip,
  VirtualCccdChip,
} from '@kiosk/device-agent';
import { startPcscd, vpcdChipCard, VPCD_READER as READER, type Pcscd } from '../support/pcscd';
import { until } from '../support/until';

let pcscd: Pcscd | undefined;
beforeAll(async () => {
  pcscd = await startPcscd();
});
afterAll(async () => {
  await pcscd?.stop();
});

/** Serves `chip` as the vpcd card, reads it through PcscTransport, and always removes it. */
async function readThroughPcsc(chip: VirtualCccdChip, key: ChipAccessKey, trustStore: TrustStore) {
  const card = vpcdChipCard(chip);
  const transport = new PcscTransport({ readerName: READER });
  await transport.open();
  try {
    // pcscd notices the previous test's removal only at its next poll of the reader.
    await until(() => !transport.cardPresent, { what: 'the previous card to leave the reader', timeoutMs: 60_000 });
    await card.insert();
    await until(() => transport.cardPresent, { what: 'card presence through pcscd' });
    const events: string[] = [];
    const result = await readChip(
      transport,
      { key, trustStore },
      {
        onIdentity: () => events.push('identity'),
        onFace: (f) => events.push(`face:${f.mimeType}`),
        onAuthenticity: (a, v) => events.push(`authenticity:${a.status}${v.verified ? '' : ':unverified'}`),
      },
    );
    return { result, events };
  } finally {
    await card.remove();
    await transport.close();
  }
}

const QR_KEY: ChipAccessKey = {
  kind: 'cccd',
  idNumber: '079188012345',
  dateOfBirth: '1988-03-12',
  issueDate: '2021-05-10',
};

describe('identity: virtual CCCD behind a real pcscd', () => {
  const pki = createTestPki();
  const trust = createTrustStore([pki.csca.pem]);
  if (!trust.ok) throw new Error(trust.error.message);
  const trustStore = trust.value;

  it('reads identity, face and a verified authenticity through PC/SC', async () => {
    const chip = new VirtualCccdChip({ pki, faceBytes: 20_000 });
    const { result, events } = await readThroughPcsc(chip, QR_KEY, trustStore);
    expect(result.ok ? null : result.error).toBeNull();
    expect(events).toEqual(['identity', 'face:image/jpeg', 'authenticity:verified']);
    if (result.ok) {
      expect(result.value.identity.fullName).toBe('Nguyễn Thị Lan');
      expect(result.value.face?.bytes.length).toBe(20_000);
      expect(result.value.verification.access).toBe('bac');
    }
  });

  it('a PACE card: EF.CardAccess, PACE with the CAN (chained GENERAL AUTHENTICATE), AES secure messaging, chip and active authentication', async () => {
    const chip = new VirtualCccdChip({
      pki,
      faceBytes: 20_000,
      access: 'pace',
      chipAuthentication: 'aes',
      activeAuthentication: 'rsa',
    });
    const { result, events } = await readThroughPcsc(chip, QR_KEY, trustStore);
    expect(result.ok ? null : result.error).toBeNull();
    expect(events).toEqual(['identity', 'face:image/jpeg', 'authenticity:verified']);
    expect(chip.lastAccess).toBe('pace');
    if (result.ok)
      expect(result.value.verification).toEqual({
        pa: 'verified',
        ca: 'verified',
        aa: 'verified',
        access: 'pace-can',
        verified: true,
        unverifiedReasons: [],
      });
  });

  it('a chip that answers over-reads with a plain 6282 (no secure messaging) reads through PC/SC', async () => {
    const chip = new VirtualCccdChip({ pki, faceBytes: 8000, minimalEfCom: true, faults: { unprotected6282: true } });
    const { result, events } = await readThroughPcsc(chip, QR_KEY, trustStore);
    expect(result.ok ? null : result.error).toBeNull();
    expect(events).toEqual(['identity', 'face:image/jpeg', 'authenticity:verified']);
    expect(chip.overReads).toBeGreaterThan(0);
  });

  it('a chip without EF.SOD: the identity is kept, unverified, through PC/SC', async () => {
    const chip = new VirtualCccdChip({ pki, faceBytes: 8000, access: 'pace', faults: { noSod: true } });
    const { result, events } = await readThroughPcsc(chip, QR_KEY, trustStore);
    expect(events).toEqual(['identity', 'face:image/jpeg', 'authenticity:unavailable:unverified']);
    expect(result.ok && result.value.verification).toMatchObject({
      pa: 'unavailable',
      verified: false,
      unverifiedReasons: ['no-sod'],
    });
  });

  it('a cloned PACE chip is refused as cloned-chip through PC/SC', async () => {
    const chip = new VirtualCccdChip({
      pki,
      faceBytes: 8000,
      access: 'pace',
      chipAuthentication: 'aes',
      faults: { cloned: true },
    });
    const { result, events } = await readThroughPcsc(chip, QR_KEY, trustStore);
    expect(events).toEqual(['identity']);
    expect(result.ok ? null : result.error.code).toBe('cloned-chip');
  });
});
