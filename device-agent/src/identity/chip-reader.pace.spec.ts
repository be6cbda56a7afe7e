/**
 * PACE, chip authentication and active authentication through readChip on the virtual CCCD over
 * the simulated APDU transport: which protocol opens the card, what the read result says was
 * verified, and a cloned chip (data and EF.SOD copied, keys not) refused as `cloned-chip`.
 */
import { describe, expect, it } from 'vitest';
import { createTestPki } from '../simulator/virtual-cccd/pki';
import { SimulatedApduTransport } from '../simulator/virtual-cccd/simulated-apdu.transport';
import { VirtualCccdChip, type VirtualCccdOptions } from '../simulator/virtual-cccd/virtual-cccd.chip';
import type { ChipAccessKey } from './chip/access-key';
import { cardAuthenticityOf, cardFailureCodeOf, type ChipVerification } from './chip/card-events';
import { readChip, type ChipReadOptions } from './chip-reader';
import { fromHex } from './icao/bytes';
import { createTrustStore, type TrustStore } from './pa/trust-store';

const pki = createTestPki();
const trust = createTrustStore([pki.csca.pem]);
if (!trust.ok) throw new Error(trust.error.message);
const trustStore: TrustStore = trust.value;

const CCCD_KEY: ChipAccessKey = {
  kind: 'cccd',
  idNumber: '079188012345',
  dateOfBirth: '1988-03-12',
  dateOfExpiry: '2028-03-12',
};

async function read(chipOptions: VirtualCccdOptions, options: Partial<ChipReadOptions> = {}) {
  const chip = new VirtualCccdChip({ pki, faceBytes: 4000, ...chipOptions });
  const transport = new SimulatedApduTransport('sim', { card: chip });
  const summaries: ChipVerification[] = [];
  const result = await readChip(
    transport,
    { key: CCCD_KEY, trustStore, ...options },
    { onAuthenticity: (_pa, v) => summaries.push(v) },
  );
  return { chip, result, summaries };
}

describe('access: PACE first, BAC when it must', () => {
  it('a PACE card opens with the CAN (last 6 digits of the ID) and reads everything under AES SM', async () => {
    const { chip, result } = await read({ access: 'pace' });
    expect(chip.can).toBe('012345');
    expect(chip.lastAccess).toBe('pace');
    expect(result.ok && result.value.verification).toEqual({
      pa: 'verified',
      ca: 'not-supported',
      aa: 'not-supported',
      access: 'pace-can',
      verified: true,
      unverifiedReasons: [],
    });
    expect(result.ok && result.value.stats).toMatchObject({ paceAttempts: 1, bacAttempts: 0, bacKeyIndex: -1 });
  });

  it('a card that refuses the CAN opens with the MRZ password', async () => {
    const { result } = await read({ access: 'pace', can: '999999' });
    expect(result.ok && result.value.verification.access).toBe('pace-mrz');
    expect(result.ok && result.value.stats).toMatchObject({ paceAttempts: 2, bacKeyIndex: 0 });
  });

  it('an MRZ key alone (no ID number) uses PACE with the MRZ password', async () => {
    const { result } = await read(
      { access: 'pace' },
      { key: { kind: 'bac-key-info', value: '188012345288031262803124' } },
    );
    expect(result.ok && result.value.verification.access).toBe('pace-mrz');
  });

  it('a CAN key opens a PACE card; on a BAC-only card it cannot', async () => {
    const pace = await read({ access: 'pace-only' }, { key: { kind: 'can', can: '012345' } });
    expect(pace.result.ok && pace.result.value.verification.access).toBe('pace-can');
    const bac = await read({}, { key: { kind: 'can', can: '012345' } });
    expect(bac.result.ok ? '' : bac.result.error.code).toBe('bad-access-key');
  });

  it('a BAC-only card (no EF.CardAccess) opens with BAC', async () => {
    const { chip, result } = await read({});
    expect(chip.lastAccess).toBe('bac');
    expect(result.ok && result.value.verification.access).toBe('bac');
  });

  it('PACE the reader does not run (DH generic mapping, 2048-bit MODP) → BAC', async () => {
    // SET { PACEInfo { id-PACE-DH-GM-AES-CBC-CMAC-128, 2, 2 } }
    const cardAccess = fromHex('3114 3012 060A04007F00070202040102 020102 020102'.replace(/ /gu, ''));
    const { chip, result } = await read({ access: 'pace', cardAccess });
    expect(result.ok && result.value.verification.access).toBe('bac');
    expect(result.ok && result.value.anomalies).toContain('pace-parameters-not-supported');
    expect(chip.lastAccess).toBe('bac');
  });

  it('a chip that refuses the MSE:Set AT its EF.CardAccess announced → BAC', async () => {
    // Announces AES-256 on brainpoolP256r1; the chip runs AES-128 and answers 6A80.
    const cardAccess = fromHex('3114 3012 060A04007F00070202040204 020102 02010D'.replace(/ /gu, ''));
    const { result } = await read({ access: 'pace', cardAccess });
    expect(result.ok && result.value.verification.access).toBe('bac');
    expect(result.ok && result.value.anomalies).toContain('pace-not-supported:1:6A80');
  });

  it('`pace: false` skips PACE on a PACE-capable card', async () => {
    const { chip, result } = await read({ access: 'pace' }, { pace: false });
    expect(result.ok && result.value.verification.access).toBe('bac');
    expect(chip.lastAccess).toBe('bac');
  });

  it('PACE refused for every password → pace-refused / access-denied (no BAC behind a wrong key)', async () => {
    const { result } = await read(
      { access: 'pace-only' },
      { key: { ...CCCD_KEY, idNumber: '079188099999', dateOfBirth: '1988-03-13' } as ChipAccessKey },
    );
    expect(result.ok ? null : [result.error.code, result.error.hint, result.error.stage]).toEqual([
      'pace-refused',
      'scan-qr-instead',
      'pace',
    ]);
    if (!result.ok) expect(cardFailureCodeOf(result.error.code)).toBe('access-denied');
  });

  it.each([
    ['NIST P-256, AES-128', 12, 16],
    ['brainpoolP320r1, AES-128', 14, 16],
    ['NIST P-384, AES-192', 15, 24],
    ['brainpoolP384r1, AES-192', 16, 24],
    ['brainpoolP512r1, AES-256', 17, 32],
  ] as const)('PACE on %s', async (_l, paceParameterId, paceKeyBytes) => {
    const { result } = await read({ access: 'pace', paceParameterId, paceKeyBytes });
    expect(result.ok && result.value.verification).toMatchObject({ access: 'pace-can', pa: 'verified' });
  });
});

describe('chip and active authentication', () => {
  it.each([
    [
      'CA v2 (AES) after PACE, AA with RSA ISO 9796-2',
      { access: 'pace', chipAuthentication: 'aes', activeAuthentication: 'rsa' },
    ],
    [
      'CA v1 (3DES, MSE:Set KAT) after BAC, AA with ECDSA',
      { chipAuthentication: '3des', activeAuthentication: 'ecdsa' },
    ],
    ['CA on brainpoolP256r1 after BAC', { chipAuthentication: 'aes', chipAuthenticationCurve: 'brainpoolP256r1' }],
  ] as const)('%s: verified, and DG14/DG15 are checked against EF.SOD', async (_l, chipOptions) => {
    const { result, summaries } = await read(chipOptions);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.verification.ca).toBe('verified');
    if ('activeAuthentication' in chipOptions) expect(result.value.verification.aa).toBe('verified');
    expect(result.value.authenticity.status === 'verified' && result.value.authenticity.dataGroups).toEqual(
      'activeAuthentication' in chipOptions ? [1, 2, 13, 14, 15] : [1, 2, 13, 14],
    );
    expect(summaries).toHaveLength(1);
    expect(cardAuthenticityOf(result.value.authenticity, result.value.verification)).toMatchObject({
      passive: 'valid',
      ca: 'verified',
      verified: true,
    });
  });

  it('a cloned chip (valid EF.SOD, wrong CA key) → cloned-chip after the identity, reported as such', async () => {
    const { result } = await read({ access: 'pace', chipAuthentication: 'aes', faults: { cloned: true } });
    expect(
      result.ok ? null : { code: result.error.code, stage: result.error.stage, emitted: result.error.identityEmitted },
    ).toEqual({
      code: 'cloned-chip',
      stage: 'chip-auth',
      emitted: true,
    });
    if (!result.ok) {
      expect(cardFailureCodeOf(result.error.code)).toBe('cloned-chip');
      expect(result.error.hint).toBe('go-to-counter');
    }
  });

  it('a cloned chip with AA only (wrong RSA key) → cloned-chip at active authentication', async () => {
    const { result } = await read({ activeAuthentication: 'rsa', faults: { cloned: true } });
    expect(result.ok ? null : [result.error.code, result.error.stage]).toEqual(['cloned-chip', 'active-auth']);
  });

  it('a copy that hides DG14 and DG15 (EF.COM no longer lists them, EF.SOD still signs them) → cloned-chip', async () => {
    const { result } = await read({
      access: 'pace',
      chipAuthentication: 'aes',
      activeAuthentication: 'rsa',
      faults: { strippedDataGroups: [14, 15] },
    });
    expect(result.ok ? null : [result.error.code, result.error.stage]).toEqual(['cloned-chip', 'chip-auth']);
    const aaOnly = await read({ activeAuthentication: 'ecdsa', faults: { strippedDataGroups: [15] } });
    expect(aaOnly.result.ok ? null : [aaOnly.result.error.code, aaOnly.result.error.stage]).toEqual([
      'cloned-chip',
      'active-auth',
    ]);
  });

  it('the same cloned chip passes passive authentication: only CA/AA catch it', async () => {
    const { result } = await read(
      { chipAuthentication: 'aes', activeAuthentication: 'ecdsa', faults: { cloned: true } },
      { chipAuthentication: false, activeAuthentication: false },
    );
    expect(result.ok && result.value.verification).toMatchObject({
      pa: 'verified',
      ca: 'not-supported',
      aa: 'not-supported',
    });
  });
});
