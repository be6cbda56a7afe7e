import { describe, expect, it } from 'vitest';
import { encodeCommandApdu } from '../../identity/icao/apdu';
import { buildMutualAuthData, completeMutualAuth, deriveBacKeys } from '../../identity/icao/bac';
import { fromHex, hex, statusWord } from '../../identity/icao/bytes';
import { SecureMessaging } from '../../identity/icao/secure-messaging';
import { parseDg13 } from '../../identity/lds/dg13.parser';
import { generateFaceJpeg } from './jpeg';
import { buildCccdMrz } from './mrz-builder';
import { createTestPki } from './pki';
import { apduLinkTimeMs, SimulatedApduTransport } from './simulated-apdu.transport';
import { SYNTHETIC_BAC_KEY_INFO, SYNTHETIC_MRZ } from './synthetic-card';
import { VirtualCccdChip, type VirtualCccdFaults } from './virtual-cccd.chip';

const pki = createTestPki();
const SELECT_AID = fromHex('00A4040C07A0000002471001');

function open(chip: VirtualCccdChip): SecureMessaging {
  expect(hex(chip.process(SELECT_AID))).toBe('9000');
  const challenge = chip.process(fromHex('0084000008'));
  const rndIc = challenge.subarray(0, 8);
  const keys = deriveBacKeys(SYNTHETIC_BAC_KEY_INFO);
  const rndIfd = fromHex('0102030405060708');
  const kIfd = fromHex('00112233445566778899AABBCCDDEEFF');
  const auth = buildMutualAuthData(keys, rndIc, rndIfd, kIfd);
  const resp = chip.process(encodeCommandApdu({ cla: 0, ins: 0x82, p1: 0, p2: 0, data: auth.data, le: 40 }));
  expect(statusWord(resp)).toBe(0x9000);
  const s = completeMutualAuth(keys, resp.subarray(0, 40), rndIc, rndIfd, kIfd);
  if (!s.ok) throw new Error(s.error.code);
  return new SecureMessaging(s.value);
}

describe('VirtualCccdChip', () => {
  it('answers BAC and protected SELECT / READ BINARY, 6282 past the end, 6B00 beyond it', () => {
    const chip = new VirtualCccdChip({ pki, faceBytes: 3000 });
    const sm = open(chip);
    const sel = sm.unwrapResponse(
      chip.process(sm.wrapCommand({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('011E') })),
    );
    expect(sel.ok && sel.value.sw).toBe(0x9000);
    const com = chip.files.get(0x011e) ?? new Uint8Array(0);
    const all = sm.unwrapResponse(chip.process(sm.wrapCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 223 })));
    expect(all.ok && { sw: all.value.sw, data: hex(all.value.data) }).toEqual({ sw: 0x6282, data: hex(com) });
    const beyond = sm.unwrapResponse(chip.process(sm.wrapCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 200, le: 4 })));
    expect(beyond.ok && beyond.value.sw).toBe(0x6b00);
    const missing = sm.unwrapResponse(
      chip.process(sm.wrapCommand({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('010F') })),
    );
    expect(missing.ok && missing.value.sw).toBe(0x6a82);
  });

  it('refuses files before BAC, a wrong BAC key, and ends SM on a bad MAC', () => {
    const chip = new VirtualCccdChip({ pki, faceBytes: 3000 });
    chip.process(SELECT_AID);
    expect(hex(chip.process(fromHex('00A4020C02011E')))).toBe('6982');
    const challenge = chip.process(fromHex('0084000008'));
    const wrong = deriveBacKeys('188012345288031262803125');
    const auth = buildMutualAuthData(wrong, challenge.subarray(0, 8), new Uint8Array(8), new Uint8Array(16));
    expect(hex(chip.process(encodeCommandApdu({ cla: 0, ins: 0x82, p1: 0, p2: 0, data: auth.data, le: 40 })))).toBe(
      '6300',
    );
    const sm = open(chip);
    const cmd = sm.wrapCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 });
    cmd[cmd.length - 3] = (cmd[cmd.length - 3] ?? 0) ^ 1;
    expect(hex(chip.process(cmd))).toBe('6988');
    expect(hex(chip.process(sm.wrapCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 })))).toBe('6988');
  });

  it('stores DG13 with all 16 Vietnamese fields and a TD1 DG1', () => {
    const chip = new VirtualCccdChip({ pki, faceBytes: 3000 });
    const dg13 = parseDg13(chip.dataGroups.get(13) ?? new Uint8Array(0));
    expect(dg13.ok && dg13.value.fields.size).toBe(16);
    expect(new TextDecoder().decode(chip.dataGroups.get(1)?.subarray(5))).toBe(SYNTHETIC_MRZ.join(''));
  });

  it('builds MRZs whose check digits verify', () => {
    expect(
      buildCccdMrz({
        idNumber: '079188012345',
        dateOfBirth: '880312',
        sex: 'F',
        dateOfExpiry: '280312',
        surname: 'NGUYEN',
        givenNames: 'THI LAN',
      }),
    ).toEqual(SYNTHETIC_MRZ);
  });

  it('generates a JFIF of the requested size', () => {
    const jpeg = generateFaceJpeg({ targetBytes: 20_000 });
    expect(jpeg.length).toBe(20_000);
    expect(hex(jpeg.subarray(0, 4))).toBe('FFD8FFE0');
    expect(hex(jpeg.subarray(-2))).toBe('FFD9');
  });
});

describe('VirtualCccdChip: PACE-capable cards, security files and faults', () => {
  it('a PACE card serves EF.CardAccess in plain before the application; a BAC-only card has none', () => {
    const pace = new VirtualCccdChip({ pki, faceBytes: 3000, access: 'pace' });
    expect(hex(pace.process(fromHex('00A4020C02011C')))).toBe('9000');
    const ca = pace.process(fromHex('00B0000008'));
    expect(hex(ca.subarray(ca.length - 2))).toBe('9000');
    // By short EF identifier 1C, Le 256: the whole file and 6282 (end of file before Le bytes).
    expect(hex(pace.process(fromHex('00B09C0000')))).toBe(`${hex(pace.files.get(0x011c) ?? new Uint8Array(0))}6282`);
    const bac = new VirtualCccdChip({ pki, faceBytes: 3000 });
    expect(hex(bac.process(fromHex('00A4020C02011C')))).toBe('6A82');
  });

  it('a PACE-only card refuses BAC; CAN is the last 6 digits of the ID unless given', () => {
    const chip = new VirtualCccdChip({ pki, faceBytes: 3000, access: 'pace-only' });
    chip.process(SELECT_AID);
    expect(hex(chip.process(fromHex('0084000008')))).toBe('6D00');
    expect(chip.can).toBe('012345');
    expect(new VirtualCccdChip({ pki, faceBytes: 3000, access: 'pace', can: '777777' }).can).toBe('777777');
  });

  it('DG14 and DG15 hold the advertised keys, listed in EF.COM and hashed in EF.SOD', () => {
    const chip = new VirtualCccdChip({
      pki,
      faceBytes: 3000,
      chipAuthentication: 'aes',
      activeAuthentication: 'ecdsa',
    });
    expect([...chip.dataGroups.keys()]).toEqual([1, 2, 13, 14, 15]);
    expect(hex(chip.files.get(0x011e) ?? new Uint8Array(0))).toContain('5C056175 6D6E6F'.replace(/ /gu, ''));
    expect(chip.files.get(0x010e)?.[0]).toBe(0x6e);
    expect(chip.files.get(0x010f)?.[0]).toBe(0x6f);
  });

  it('faults shape the file system: no SOD, no DG2 (still listed), EF.COM missing or malformed, DG2 without 75', () => {
    const f = (faults: VirtualCccdFaults) => new VirtualCccdChip({ pki, faceBytes: 3000, faults }).files;
    expect(f({ noSod: true }).has(0x011d)).toBe(false);
    const noDg2 = new VirtualCccdChip({ pki, faceBytes: 3000, faults: { noDg2: true } });
    expect(noDg2.files.has(0x0102)).toBe(false);
    expect(noDg2.dataGroups.has(2)).toBe(true);
    expect(f({ missingEfCom: true }).has(0x011e)).toBe(false);
    expect(hex(f({ malformedEfCom: true }).get(0x011e) ?? new Uint8Array(0))).toBe('60075F010430313037');
    expect(hex(f({ dg2WithoutOuterTag: true }).get(0x0102)?.subarray(0, 2) ?? new Uint8Array(0))).toBe('7F61');
  });

  it('READ BINARY B1 reads past 32 767 with a 54 offset and answers a 53 object; plain 6282 when faulted', () => {
    const chip = new VirtualCccdChip({ pki, faceBytes: 40_000 });
    const sm = open(chip);
    sm.unwrapResponse(chip.process(sm.wrapCommand({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('0102') })));
    const r = sm.unwrapResponse(
      chip.process(sm.wrapCommand({ cla: 0, ins: 0xb1, p1: 0, p2: 0, data: fromHex('54028000'), le: 18 })),
    );
    const dg2 = chip.files.get(0x0102) ?? new Uint8Array(0);
    expect(r.ok && hex(r.value.data)).toBe(`5310${hex(dg2.subarray(0x8000, 0x8010))}`);

    const faulty = new VirtualCccdChip({ pki, faceBytes: 3000, faults: { unprotected6282: true } });
    const fsm = open(faulty);
    fsm.unwrapResponse(faulty.process(fsm.wrapCommand({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('011E') })));
    const over = faulty.process(fsm.wrapCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 223 }));
    expect(hex(over)).toBe('6282');
    expect(fsm.unwrapResponse(over)).toMatchObject({ ok: false, error: { code: 'sm-unprotected-status', sw: 0x6282 } });
    // The session goes on: the chip moved its counter as if it had answered under SM.
    const next = fsm.unwrapResponse(faulty.process(fsm.wrapCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 })));
    expect(next.ok && next.value.sw).toBe(0x9000);
  });
});

describe('SimulatedApduTransport', () => {
  it('models link time as bytes × 9 bits / rate + latency per APDU', () => {
    expect(apduLinkTimeMs(20, 244, { bitRateKbps: 424, perApduLatencyMs: 3 })).toBeCloseTo((264 * 9) / 424 + 3, 6);
    expect(apduLinkTimeMs(20, 244, {})).toBe(0);
  });

  it('removes the card after N APDUs and tells listeners', async () => {
    const chip = new VirtualCccdChip({ pki, faceBytes: 3000 });
    const t = new SimulatedApduTransport('r', { card: chip, faults: { removeCardAfterApdus: 1 } });
    const seen: boolean[] = [];
    t.onCardChange((p) => seen.push(p));
    expect(hex(await t.transmit(SELECT_AID))).toBe('9000');
    await expect(t.transmit(SELECT_AID)).rejects.toMatchObject({ code: 'disconnected' });
    expect(seen).toEqual([false]);
    expect(t.cardPresent).toBe(false);
    t.insertCard(chip);
    expect(t.cardPresent).toBe(true);
    expect(hex(await t.transmit(SELECT_AID))).toBe('9000');
  });

  it('injects a status word and truncation at a given APDU', async () => {
    const chip = new VirtualCccdChip({ pki, faceBytes: 3000 });
    const t = new SimulatedApduTransport('r', {
      card: chip,
      faults: { statusAtApdu: { apdu: 2, sw: 0x6982 }, truncateResponseAtApdu: 3 },
    });
    await t.transmit(SELECT_AID);
    expect(hex(await t.transmit(SELECT_AID))).toBe('6982');
    expect((await t.transmit(fromHex('0084000008'))).length).toBe(5);
  });
});
