/**
 * AES primitives against RFC 4493 (AES-CMAC) and AES secure messaging (ICAO 9303-11 §9.8.6) with
 * the session keys of the Appendix G PACE example. ICAO publishes no AES secure-messaging trace:
 * the expected cryptograms and MACs below are computed here with OpenSSL (`openssl enc`,
 * `openssl mac … CMAC`) from those keys, so the test pins the construction (IV = E(KSenc, SSC),
 * padded MAC input, DO'87' with its 01 indicator, DO'85' for odd INS), not just a round trip.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aesCbcDecrypt, aesCbcEncrypt, aesCmac, aesEcbEncrypt } from './aes';
import { concat, fromHex, hex } from './bytes';
import { AesSecureMessaging, padTo, SecureMessaging } from './secure-messaging';

const RFC4493_KEY = fromHex('2B7E151628AED2A6ABF7158809CF4F3C');
const RFC4493_M =
  '6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411E5FBC1191A0A52EFF69F2445DF4F9B17AD2B417BE66C3710';

describe('AES-CMAC (RFC 4493 §4 test vectors)', () => {
  it.each([
    ['empty', 0, 'BB1D6929E95937287FA37D129B756746'],
    ['16 bytes', 16, '070A16B46B4D4144F79BDD9DD04A287C'],
    ['40 bytes', 40, 'DFA66747DE9AE63030CA32611497C827'],
    ['64 bytes', 64, '51F0BEBF7E3B9D92FC49741779363CFE'],
  ])('%s', (_l, n, tag) => {
    expect(hex(aesCmac(RFC4493_KEY, fromHex(RFC4493_M).subarray(0, n)))).toBe(tag);
  });

  it('AES-192 and AES-256 keys (NIST SP 800-38B examples, 16-byte message)', () => {
    const m = fromHex(RFC4493_M).subarray(0, 16);
    expect(hex(aesCmac(fromHex('8E73B0F7DA0E6452C810F32B809079E562F8EAD2522C6B7B'), m))).toBe(
      '9E99A7BF31E710900662F65E617C5184',
    );
    expect(hex(aesCmac(fromHex('603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4'), m))).toBe(
      '28A7023F452E8F82BD4BF28D8C37C35C',
    );
  });

  it('CBC round-trips and ECB encrypts a block', () => {
    const key = fromHex('000102030405060708090A0B0C0D0E0F');
    // FIPS-197 Appendix C.1
    expect(hex(aesEcbEncrypt(key, fromHex('00112233445566778899AABBCCDDEEFF')))).toBe(
      '69C4E0D86A7B0430D8CDB78070B4C55A',
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(4), (iv, blocks) => {
        const data = new Uint8Array(16 * blocks).map((_, i) => i);
        expect(hex(aesCbcDecrypt(key, aesCbcEncrypt(key, data, iv), iv))).toBe(hex(data));
      }),
      { numRuns: 50 },
    );
  });
});

// Session keys of ICAO 9303-11 Appendix G.1 (PACE ECDH-GM, AES-128).
const KS_ENC = fromHex('F5F0E35C0D7161EE6724EE513A0D9A7F');
const KS_MAC = fromHex('FE251C7858B356B24514B3BD5F4297D1');

/** OpenSSL as the independent reference for AES-CBC and AES-CMAC. */
function openssl(args: string[], input: Uint8Array): string {
  return execFileSync('openssl', args, { input: Buffer.from(input) })
    .toString('hex')
    .toUpperCase()
    .trim();
}
const opensslCmac = (key: Uint8Array, message: Uint8Array) =>
  execFileSync('openssl', ['mac', '-cipher', 'AES-128-CBC', '-macopt', `hexkey:${hex(key)}`, 'CMAC'], {
    input: Buffer.from(message),
  })
    .toString()
    .trim();
const opensslCbc = (key: Uint8Array, iv: Uint8Array, data: Uint8Array) =>
  openssl(['enc', '-aes-128-cbc', '-nopad', '-K', hex(key), '-iv', hex(iv)], data);
const opensslEcb = (key: Uint8Array, data: Uint8Array) =>
  openssl(['enc', '-aes-128-ecb', '-nopad', '-K', hex(key)], data);
const ssc = (n: number) => fromHex(n.toString(16).padStart(32, '0'));

describe('AES secure messaging (PACE session keys of Appendix G.1)', () => {
  it('protects SELECT EF.COM: IV = E(KSenc, SSC=1), DO87 with 01, padded MAC input, CMAC cut to 8', () => {
    const sm = new AesSecureMessaging({ ksEnc: KS_ENC, ksMac: KS_MAC });
    const wrapped = sm.wrapCommand({ cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: fromHex('011E') });
    const iv = fromHex(opensslEcb(KS_ENC, ssc(1)));
    const cryptogram = opensslCbc(KS_ENC, iv, padTo(fromHex('011E'), 16));
    const do87 = fromHex(`871101${cryptogram}`);
    const macInput = padTo(concat(ssc(1), padTo(fromHex('0CA4020C'), 16), do87), 16);
    const mac = opensslCmac(KS_MAC, macInput).slice(0, 16);
    expect(hex(wrapped)).toBe(`0CA4020C1D${hex(do87)}8E08${mac}00`);
    // A third party's independent computation of the same APDU agrees.
    expect(cryptogram).toBe('EE0E4724F4465C1BE9C2F73ABDD73A3D');
    expect(mac).toBe('835D1B54575C955F');
    expect(hex(sm.ssc)).toBe('00000000000000000000000000000001');
  });

  it('verifies and decrypts the chip answer (SSC 2) and a READ BINARY response (SSC 4)', () => {
    const sm = new AesSecureMessaging({ ksEnc: KS_ENC, ksMac: KS_MAC });
    sm.wrapCommand({ cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: fromHex('011E') });
    const do99 = fromHex('99029000');
    const mac2 = opensslCmac(KS_MAC, padTo(concat(ssc(2), do99), 16)).slice(0, 16);
    expect(mac2).toBe('BEA7B381C494A079');
    const sel = sm.unwrapResponse(fromHex(`99029000 8E08${mac2} 9000`));
    expect(sel.ok && sel.value).toEqual({ data: new Uint8Array(0), sw: 0x9000 });

    const read = sm.wrapCommand({ cla: 0x00, ins: 0xb0, p1: 0x00, p2: 0x00, le: 4 });
    expect(hex(read)).toBe(`0CB000000D970104 8E08AA6BA54F44DF8364 00`.replace(/ /gu, ''));
    const iv4 = fromHex(opensslEcb(KS_ENC, ssc(4)));
    const c = opensslCbc(KS_ENC, iv4, padTo(fromHex('60145F01'), 16));
    expect(c).toBe('645C0B1F998A088278D07942BBE94B60');
    const body = fromHex(`871101${c}99029000`);
    const mac4 = opensslCmac(KS_MAC, padTo(concat(ssc(4), body), 16)).slice(0, 16);
    const r = sm.unwrapResponse(concat(body, fromHex(`8E08${mac4}9000`)));
    expect(r.ok && { data: hex(r.value.data), sw: r.value.sw }).toEqual({ data: '60145F01', sw: 0x9000 });
  });

  it('chip side and terminal side agree, with DO85 for odd INS and extended APDUs past 255 bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 65536 }),
        (data, odd, le) => {
          const terminal = new AesSecureMessaging({ ksEnc: KS_ENC, ksMac: KS_MAC });
          const chip = new AesSecureMessaging({ ksEnc: KS_ENC, ksMac: KS_MAC });
          const ins = odd ? 0xb1 : 0xb0;
          const raw = terminal.wrapCommand({ cla: 0, ins, p1: 0, p2: 0, ...(data.length ? { data } : {}), le });
          const got = chip.unwrapCommand(raw);
          expect(
            got.ok && { ins: got.value.ins, data: hex(got.value.data ?? new Uint8Array(0)), le: got.value.le },
          ).toEqual({
            ins,
            data: hex(data),
            le,
          });
          if (data.length) expect(raw[odd ? (raw[4] === 0 ? 7 : 5) : raw[4] === 0 ? 7 : 5]).toBe(odd ? 0x85 : 0x87);
          const back = terminal.unwrapResponse(chip.wrapResponse(data, 0x9000, { oddIns: odd }));
          expect(back.ok && hex(back.value.data)).toBe(hex(data));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a flipped MAC is refused; a plain warning is a status whose data is dropped', () => {
    const terminal = new AesSecureMessaging({ ksEnc: KS_ENC, ksMac: KS_MAC });
    const chip = new AesSecureMessaging({ ksEnc: KS_ENC, ksMac: KS_MAC });
    chip.unwrapCommand(terminal.wrapCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 8 }));
    const resp = chip.wrapResponse(fromHex('0102030405060708'), 0x9000);
    resp[resp.length - 3] = (resp[resp.length - 3] ?? 0) ^ 1;
    expect(terminal.unwrapResponse(resp)).toMatchObject({ ok: false, error: { code: 'sm-bad-mac' } });
    const plain = terminal.unwrapResponse(fromHex('6014 5F01 6282'));
    expect(plain).toMatchObject({ ok: false, error: { code: 'sm-unprotected-status', sw: 0x6282 } });
    const unprotectedOk = terminal.unwrapResponse(fromHex('6014 5F01 9000'));
    expect(unprotectedOk).toMatchObject({ ok: false, error: { code: 'sm-malformed' } });
  });

  it('3DES sessions keep their Appendix D behaviour through the shared structure', () => {
    const sm = new SecureMessaging({
      ksEnc: fromHex('979EC13B1CBFE9DCD01AB0FED307EAE5'),
      ksMac: fromHex('F1CB1F1FB5ADF208806B89DC579DC1F8'),
      ssc: fromHex('887022120C06C226'),
    });
    expect(hex(sm.wrapCommand({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('011E') }))).toBe(
      '0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800',
    );
  });
});
