/**
 * ICAO 9303-11 Appendix G.1 worked example (the same as BSI TR-03110 / TR-SAC's ECDH generic
 * mapping example): PACE-ECDH-GM-AES-CBC-CMAC-128 on brainpoolP256r1 with the MRZ password of
 * document T22000129, born 640812, expiring 101031. Every value and every APDU byte for byte, on
 * both sides: the terminal against the scripted chip, and the virtual chip's PACE against the
 * terminal's script.
 */
import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PaceChipSession } from '../../simulator/virtual-cccd/pace-chip';
import type { ApduTransport } from '../../transports/transport';
import { ApduChannel } from '../chip/apdu-channel';
import { concat, fromHex, hex } from '../icao/bytes';
import { bacKeyInfo } from '../mrz/bac-key';
import { bigintFromBytes, bytesFromBigint, curveByName, curveByParameterId, decodePoint, encodePoint } from './ec';
import {
  authenticationToken,
  decryptNonce,
  mapGenerator,
  paceKdf,
  PACE_ALGORITHMS,
  passwordKey,
  passwordSeed,
  publicKeyObject,
  sessionKeysFrom,
  sharedSecret,
} from './pace-crypto';
import { runPace } from './pace';

const V = {
  mrz: 'T22000129364081251010318',
  k: '7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD',
  kPi: '89DED1B26624EC1E634C1989302849DD',
  z: '95A3A016522EE98D01E76CB6B98B42C3',
  s: '3F00C4D39D153F2B2A214A078D899B22',
  skMapPcd: '7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99',
  pkMapPcd:
    '047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D',
  skMapPicc: '498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560',
  pkMapPicc:
    '04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54',
  h: '0460332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD50840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181',
  mapped:
    '048CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E28C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522',
  skPcd: 'A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595',
  pkPcd:
    '042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462',
  skPicc: '107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A',
  pkPicc:
    '049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094',
  sharedK: '28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925',
  ksEnc: 'F5F0E35C0D7161EE6724EE513A0D9A7F',
  ksMac: 'FE251C7858B356B24514B3BD5F4297D1',
  tPcd: 'C2B0BD78D94BA866',
  tPicc: '3ABB9674BCE93C08',
};
const OID = '0.4.0.127.0.7.2.2.4.2.2';
const ALG = PACE_ALGORITHMS[OID];
if (!ALG) throw new Error('algorithm');
const curve = curveByParameterId(13);
if (!curve) throw new Error('curve');
const password = { kind: 'mrz' as const, mrzInformation: V.mrz };

/** The APDUs of Appendix G.1, terminal → chip and back. */
const SCRIPT: [string, string][] = [
  ['0022C1A40F800A04007F00070202040202830101', '9000'],
  ['10860000027C0000', `7C128010${V.z}9000`],
  [`10860000457C438141${V.pkMapPcd}00`, `7C438241${V.pkMapPicc}9000`],
  [`10860000457C438341${V.pkPcd}00`, `7C438441${V.pkPicc}9000`],
  [`008600000C7C0A8508${V.tPcd}00`, `7C0A8608${V.tPicc}9000`],
];

/** Feeds fixed bytes as "randomness", one value per call. */
function fixed(...values: string[]): (n: number) => Uint8Array {
  const queue = values.map(fromHex);
  return (n) => {
    const v = queue.shift();
    if (!v || v.length !== n) throw new Error(`unexpected random(${n})`);
    return v;
  };
}

class ScriptedCard implements ApduTransport {
  readonly id = 'scripted';
  readonly cardPresent = true;
  readonly seen: string[] = [];
  constructor(private readonly script: [string, string][]) {}
  onCardChange() {
    return () => {};
  }
  transmit(command: Uint8Array): Promise<Uint8Array> {
    const step = this.script[this.seen.length];
    this.seen.push(hex(command));
    if (!step || step[0] !== hex(command)) return Promise.resolve(fromHex('6F00'));
    return Promise.resolve(fromHex(step[1]));
  }
  async close() {}
}

describe('ICAO 9303-11 Appendix G.1: PACE ECDH generic mapping, brainpoolP256r1, AES-128', () => {
  it('MRZ password: K = SHA-1(MRZ information), Kπ = KDF(K, 3)', () => {
    expect(bacKeyInfo('T22000129', '640812', '101031')).toEqual({ ok: true, value: V.mrz });
    expect(hex(passwordSeed(password))).toBe(V.k);
    expect(hex(passwordKey(password, 16))).toBe(V.kPi);
  });

  it('nonce decryption: s = D(Kπ, z)', () => {
    const s = decryptNonce(fromHex(V.kPi), fromHex(V.z));
    expect(s.ok && hex(s.value)).toBe(V.s);
  });

  it('mapping: PK.map.PCD, H = SK.map.PCD · PK.map.PICC, G~ = s·G + H', () => {
    const pkMap = curve.Point.BASE.multiply(bigintFromBytes(fromHex(V.skMapPcd)));
    expect(hex(encodePoint(pkMap))).toBe(V.pkMapPcd);
    expect(hex(encodePoint(curve.Point.BASE.multiply(bigintFromBytes(fromHex(V.skMapPicc)))))).toBe(V.pkMapPicc);
    const chipMap = decodePoint(curve, fromHex(V.pkMapPicc));
    if (!chipMap.ok) throw new Error('point');
    expect(hex(encodePoint(chipMap.value.multiply(bigintFromBytes(fromHex(V.skMapPcd)))))).toBe(V.h);
    const g = mapGenerator(curve, fromHex(V.s), bigintFromBytes(fromHex(V.skMapPcd)), chipMap.value);
    expect(g.ok && hex(encodePoint(g.value))).toBe(V.mapped);
  });

  it('key agreement: PK.PCD and PK.PICC on G~, K = x(SK.PCD · PK.PICC), KSenc and KSmac', () => {
    const g = decodePoint(curve, fromHex(V.mapped));
    if (!g.ok) throw new Error('point');
    expect(hex(encodePoint(g.value.multiply(bigintFromBytes(fromHex(V.skPcd)))))).toBe(V.pkPcd);
    expect(hex(encodePoint(g.value.multiply(bigintFromBytes(fromHex(V.skPicc)))))).toBe(V.pkPicc);
    const chip = decodePoint(curve, fromHex(V.pkPicc));
    if (!chip.ok) throw new Error('point');
    const k = sharedSecret(curve, bigintFromBytes(fromHex(V.skPcd)), chip.value);
    expect(k.ok && hex(k.value)).toBe(V.sharedK);
    const keys = sessionKeysFrom(fromHex(V.sharedK), 16);
    expect([hex(keys.ksEnc), hex(keys.ksMac)]).toEqual([V.ksEnc, V.ksMac]);
  });

  it('tokens: T.PCD over the chip key, T.PICC over the terminal key (7F49 objects)', () => {
    const pcd = decodePoint(curve, fromHex(V.pkPcd));
    const picc = decodePoint(curve, fromHex(V.pkPicc));
    if (!pcd.ok || !picc.ok) throw new Error('point');
    expect(hex(publicKeyObject(OID, pcd.value))).toBe(`7F494F060A04007F000702020402028641${V.pkPcd}`);
    expect(hex(authenticationToken(fromHex(V.ksMac), OID, picc.value))).toBe(V.tPcd);
    expect(hex(authenticationToken(fromHex(V.ksMac), OID, pcd.value))).toBe(V.tPicc);
  });

  it('the terminal sends exactly the APDUs of the example and ends with AES secure messaging', async () => {
    const card = new ScriptedCard(SCRIPT);
    const channel = new ApduChannel(card, 1000);
    const r = await runPace(channel, {
      algorithm: ALG,
      curve,
      parameterId: 13,
      password,
      random: fixed(V.skMapPcd, V.skPcd),
    });
    expect(card.seen).toEqual(SCRIPT.map(([c]) => c));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([hex(r.value.sm.ksEnc), hex(r.value.sm.ksMac), hex(r.value.sm.ssc)]).toEqual([
      V.ksEnc,
      V.ksMac,
      '00000000000000000000000000000000',
    ]);
  });

  it('the virtual chip answers the example byte for byte', () => {
    const chip = new PaceChipSession({
      algorithm: ALG,
      curve,
      parameterId: 13,
      passwords: { 1: password },
      random: fixed(V.s, V.skMapPicc, V.skPicc),
    });
    const answers = [
      chip.setAt(fromHex('800A04007F00070202040202830101')),
      chip.generalAuthenticate(fromHex('7C00'), true),
      chip.generalAuthenticate(fromHex(`7C438141${V.pkMapPcd}`), true),
      chip.generalAuthenticate(fromHex(`7C438341${V.pkPcd}`), true),
      chip.generalAuthenticate(fromHex(`7C0A8508${V.tPcd}`), false),
    ];
    expect(answers.map((a) => hex(concat(a.data, Uint8Array.of(a.sw >> 8, a.sw & 0xff))))).toEqual(
      SCRIPT.map(([, r]) => r),
    );
    expect(answers[4]?.sm && hex(answers[4].sm.ksEnc)).toBe(V.ksEnc);
  });

  it('a wrong password: the chip refuses the terminal token with 6300 → pace-refused', async () => {
    const chip = new PaceChipSession({
      algorithm: ALG,
      curve,
      parameterId: 13,
      passwords: { 1: password },
      random: fixed(V.s, V.skMapPicc, V.skPicc),
    });
    const card: ApduTransport = {
      id: 'chip',
      cardPresent: true,
      onCardChange: () => () => {},
      close: async () => {},
      transmit: (cmd) => {
        const a =
          cmd[1] === 0x22
            ? chip.setAt(cmd.subarray(5, 5 + (cmd[4] ?? 0)))
            : chip.generalAuthenticate(cmd.subarray(5, 5 + (cmd[4] ?? 0)), ((cmd[0] ?? 0) & 0x10) !== 0);
        return Promise.resolve(concat(a.data, Uint8Array.of(a.sw >> 8, a.sw & 0xff)));
      },
    };
    const r = await runPace(new ApduChannel(card, 1000), {
      algorithm: ALG,
      curve,
      parameterId: 13,
      password: { kind: 'mrz', mrzInformation: 'T22000129364081251010319' },
      random: fixed(V.skMapPcd, V.skPcd),
    });
    expect(r.ok ? null : { code: r.error.code, step: r.error.step, sw: r.error.sw }).toEqual({
      code: 'pace-refused',
      step: 5,
      sw: '6300',
    });
  });

  it('KDF for AES-192/256 uses SHA-256 (the CAN "123456" of the same suite)', () => {
    expect(hex(paceKdf(fromHex(V.k), 3, 16))).toBe(V.kPi);
    expect(hex(paceKdf(fromHex(V.k), 1, 24))).toBe('11504483F04A10A66A8FCD6D348C75A961809C54EDAA2117');
    expect(hex(paceKdf(fromHex(V.k), 1, 32))).toBe('11504483F04A10A66A8FCD6D348C75A961809C54EDAA21174726A97FB37DEF52');
    expect(hex(passwordKey({ kind: 'can', can: '123456' }, 16))).toBe('591468CDA83D65219CCCB8560233600F');
  });

  it('brainpool constants agree with OpenSSL (node:crypto ECDH on the same scalar)', () => {
    for (const [name, openssl] of [
      ['brainpoolP256r1', 'brainpoolP256r1'],
      ['brainpoolP320r1', 'brainpoolP320r1'],
      ['brainpoolP384r1', 'brainpoolP384r1'],
      ['brainpoolP512r1', 'brainpoolP512r1'],
      ['P-256', 'prime256v1'],
      ['P-384', 'secp384r1'],
      ['P-521', 'secp521r1'],
    ] as const) {
      const c = curveByName(name);
      if (!c) throw new Error(name);
      const ecdh = createECDH(openssl);
      ecdh.generateKeys();
      const sk = bigintFromBytes(ecdh.getPrivateKey());
      expect(hex(encodePoint(c.Point.BASE.multiply(sk)))).toBe(hex(ecdh.getPublicKey()));
      expect(bytesFromBigint(sk, c.fieldBytes).length).toBe(c.fieldBytes);
    }
  });
});
