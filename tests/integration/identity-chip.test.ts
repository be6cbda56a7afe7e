/**
 * The identity layer end to end on the virtual CCCD over a simulated ISO 14443 link
 * (424 kbit/s, 3 ms per APDU, 20 KB face): a CCCD QR is classified, its identity opens the
 * chip (expiry derived from DOB + issue date), the identity event comes before the face,
 * passive authentication verifies against a throwaway CSCA; and each fault ends in its code.
 */
import { describe, expect, it } from 'vitest';
import {
  accessKeyFromIdentity,
  classifyScan,
  readChip,
  SimulatedApduTransport,
  VirtualCccdChip,
  type ApduFaults,
  type ChipReadErrorCode,
} from '@kiosk/device-agent';
import { keyFromQr, pki, trustStore } from '../support/cccd';

const LINK = { bitRateKbps: 424 as const, perApduLatencyMs: 3 };

describe('identity: QR → chip read on the virtual CCCD', () => {
  it('reads identity, then the 20 KB face, then a verified authenticity', async () => {
    const chip = new VirtualCccdChip({ pki, faceBytes: 20_000 });
    const transport = new SimulatedApduTransport('sim-nfc', { card: chip, link: LINK });
    const { key, qrIdentity } = keyFromQr();
    const order: string[] = [];
    const at: Record<string, number> = {};
    const t0 = performance.now();
    const result = await readChip(
      transport,
      { key, trustStore },
      {
        onIdentity: (e) => {
          order.push('identity');
          at.identity = performance.now() - t0;
          expect(e.identity.idNumber).toBe(qrIdentity.idNumber);
        },
        onFace: () => {
          order.push('face');
          at.face = performance.now() - t0;
        },
        onAuthenticity: (a) => order.push(`authenticity:${a.status}`),
      },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(order).toEqual(['identity', 'face', 'authenticity:verified']);
    // Same person on QR and chip.
    for (const field of ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'address', 'issueDate'] as const)
      expect(result.value.identity[field]).toBe(qrIdentity[field]);
    expect(result.value.face?.bytes.length).toBe(20_000);
    // The name arrives well before the face (DG2 is most of the bytes).
    expect((at.identity ?? 0) < (at.face ?? 0)).toBe(true);
    expect(result.value.stats.apdus).toBe(transport.apduCount);
  });

  it.each<[string, ApduFaults, ChipReadErrorCode, string]>([
    ['card removed mid-face', { removeCardAfterApdus: 30 }, 'card-removed', 'hold-card-still'],
    ['wrong MAC', { wrongMacAtApdu: 10 }, 'bad-mac', 'hold-card-still'],
    ['6982 mid-session', { statusAtApdu: { apdu: 12, sw: 0x6982 } }, 'secure-messaging-lost', 'hold-card-still'],
    ['truncated response', { truncateResponseAtApdu: 9 }, 'secure-messaging-lost', 'hold-card-still'],
  ])('%s → %s', async (_label, faults, code, hint) => {
    const chip = new VirtualCccdChip({ pki, faceBytes: 20_000 });
    const transport = new SimulatedApduTransport('sim-nfc', { card: chip, link: LINK, faults });
    const result = await readChip(transport, { key: keyFromQr().key, trustStore });
    expect(result.ok ? null : [result.error.code, result.error.hint]).toEqual([code, hint]);
  });

  it('BAC refused (another person’s card) → bac-refused after the milestone candidates', async () => {
    const chip = new VirtualCccdChip({ pki, faceBytes: 2000 });
    const transport = new SimulatedApduTransport('sim-nfc', { card: chip, link: LINK });
    const other = classifyScan('001093047064||Ung Hoàng Hiệp|05011993|Nam|Hà Nội|05012021');
    if (other.kind !== 'cccd-qr') throw new Error('QR');
    const result = await readChip(transport, { key: accessKeyFromIdentity(other.identity)!, trustStore });
    expect(result.ok ? null : [result.error.code, result.error.hint]).toEqual(['bac-refused', 'scan-qr-instead']);
  });

  it('a PACE card with chip and active authentication: the QR key opens it with PACE-CAN, all verified', async () => {
    const chip = new VirtualCccdChip({
      pki,
      faceBytes: 20_000,
      access: 'pace',
      chipAuthentication: 'aes',
      activeAuthentication: 'ecdsa',
    });
    const transport = new SimulatedApduTransport('sim-nfc', { card: chip, link: LINK });
    const order: string[] = [];
    const result = await readChip(
      transport,
      { key: keyFromQr().key, trustStore },
      {
        onIdentity: () => order.push('identity'),
        onFace: () => order.push('face'),
        onAuthenticity: (a) => order.push(`authenticity:${a.status}`),
      },
    );
    expect(order).toEqual(['identity', 'face', 'authenticity:verified']);
    expect(result.ok && result.value.verification).toEqual({
      pa: 'verified',
      ca: 'verified',
      aa: 'verified',
      access: 'pace-can',
      verified: true,
      unverifiedReasons: [],
    });
  });

  it('the same card cloned (data and EF.SOD copied, keys not) → cloned-chip / go-to-counter', async () => {
    const chip = new VirtualCccdChip({
      pki,
      faceBytes: 20_000,
      access: 'pace',
      chipAuthentication: 'aes',
      activeAuthentication: 'ecdsa',
      faults: { cloned: true },
    });
    const transport = new SimulatedApduTransport('sim-nfc', { card: chip, link: LINK });
    const result = await readChip(transport, { key: keyFromQr().key, trustStore });
    expect(result.ok ? null : [result.error.code, result.error.hint, result.error.identityEmitted]).toEqual([
      'cloned-chip',
      'go-to-counter',
      true,
    ]);
  });

  it('DG2 altered after signing → passive-auth-failed naming DG2', async () => {
    const chip = new VirtualCccdChip({ pki, faceBytes: 20_000, tamperDataGroup: 2 });
    const transport = new SimulatedApduTransport('sim-nfc', { card: chip, link: LINK });
    const result = await readChip(transport, { key: keyFromQr().key, trustStore });
    expect(result.ok ? null : result.error).toMatchObject({
      code: 'passive-auth-failed',
      hint: 'go-to-counter',
      passiveAuth: { step: 'dg-hash', dataGroup: 2 },
    });
  });
});
