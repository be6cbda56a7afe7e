import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../icao/bytes';
import { encodeBerTlv, encodeInt, encodeOid, seq, set } from '@kiosk/protocol';
import { parseCardAccess, parseDg14, parseDg15, type SecurityInfo } from './security-infos.parser';

/** Random bytes, truncations and single-byte mutations of a valid encoding. */
function fuzzInputs(valid: Uint8Array) {
  return fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.nat(valid.length).map((n) => valid.subarray(0, n)),
    fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
      const c = Uint8Array.from(valid);
      c[i] = b;
      return c;
    }),
  );
}

const ecSpki = (namedCurve: string) =>
  new Uint8Array(generateKeyPairSync('ec', { namedCurve }).publicKey.export({ type: 'spki', format: 'der' }));
const explicitSpki = () =>
  new Uint8Array(
    generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1', paramEncoding: 'explicit' }).publicKey.export({
      type: 'spki',
      format: 'der',
    }),
  );

const dg14 = (spki: Uint8Array) =>
  encodeBerTlv(
    0x6e,
    set(
      seq(encodeOid('0.4.0.127.0.7.2.2.1.2'), spki, encodeInt(1)),
      seq(encodeOid('0.4.0.127.0.7.2.2.3.2.2'), encodeInt(1), encodeInt(1)),
      seq(encodeOid('2.23.136.1.1.5'), encodeInt(1), encodeOid('0.4.0.127.0.7.1.1.4.1.3')),
      seq(encodeOid('0.4.0.127.0.7.2.2.2'), encodeInt(1)),
    ),
  );

describe('EF.CardAccess', () => {
  it('reads the PACEInfo of ICAO 9303-11 Appendix G (ECDH-GM-AES-128, brainpoolP256r1)', () => {
    expect(parseCardAccess(fromHex('31143012060A04007F0007020204020202010202010D'))).toEqual({
      ok: true,
      value: [{ kind: 'pace', protocol: '0.4.0.127.0.7.2.2.4.2.2', version: 2, parameterId: 13 }],
    });
  });

  it('reads several PACEInfos, a PACEInfo without parameter id and leaves unknown infos as other', () => {
    const r = parseCardAccess(
      fromHex(
        '314D' +
          '3012060A04007F0007020204020202010202010D' +
          '3012060A04007F00070202040204020102020110' +
          '3012060A04007F00070202040101020102020100' +
          '300F060A04007F00070202040202020102',
      ),
    );
    expect(r.ok && r.value.map((i: SecurityInfo) => (i.kind === 'pace' ? (i.parameterId ?? 'none') : i.kind))).toEqual([
      13,
      16,
      0,
      'none',
    ]);
    expect(parseCardAccess(fromHex('3100'))).toEqual({ ok: true, value: [] });
  });

  it('rejects what is not a SET of SecurityInfo', () => {
    expect(parseCardAccess(fromHex('3012060A04007F0007020204020202010202010D')).ok).toBe(false);
    expect(parseCardAccess(fromHex('31053003020101')).ok).toBe(false);
  });

  it('never throws on random, truncated or mutated input (fuzz)', () => {
    const valid = fromHex(
      '3126 3012060A04007F0007020204020202010202010D 3010060A04007F0007020204020202010202'.replace(/ /gu, ''),
    );
    fc.assert(
      fc.property(fuzzInputs(valid), (b) => void parseCardAccess(b)),
      { numRuns: 3000 },
    );
  });
});

describe('DG14', () => {
  it('reads the chip authentication key (named P-256), its CA info and the AA signature algorithm', () => {
    const spki = ecSpki('prime256v1');
    const r = parseDg14(dg14(spki));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [pk, ca, aa, other] = r.value;
    expect(
      pk?.kind === 'ca-public-key' && { curve: pk.curve?.name, point: hex(pk.publicPoint), keyId: pk.keyId },
    ).toEqual({
      curve: 'P-256',
      point: hex(spki.subarray(spki.length - 65)),
      keyId: 1,
    });
    expect(ca).toEqual({ kind: 'ca', protocol: '0.4.0.127.0.7.2.2.3.2.2', version: 1, keyId: 1 });
    expect(aa).toEqual({ kind: 'aa', version: 1, signatureAlgorithm: '0.4.0.127.0.7.1.1.4.1.3' });
    expect(other).toEqual({ kind: 'other', protocol: '0.4.0.127.0.7.2.2.2' });
  });

  it('recognises brainpool keys given by explicit parameters', () => {
    const r = parseDg14(dg14(explicitSpki()));
    expect(r.ok && r.value[0]?.kind === 'ca-public-key' && r.value[0].curve?.name).toBe('brainpoolP256r1');
  });

  it('never throws on random, truncated or mutated input (fuzz)', () => {
    const valid = dg14(explicitSpki());
    fc.assert(
      fc.property(fuzzInputs(valid), (b) => void parseDg14(b)),
      { numRuns: 3000 },
    );
  });
});

describe('DG15', () => {
  it('reads an RSA and an EC SubjectPublicKeyInfo', () => {
    const rsa = new Uint8Array(
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' }),
    );
    expect(parseDg15(encodeBerTlv(0x6f, rsa))).toEqual({
      ok: true,
      value: { spki: rsa, algorithm: '1.2.840.113549.1.1.1' },
    });
    const ec = ecSpki('prime256v1');
    const r = parseDg15(encodeBerTlv(0x6f, ec));
    expect(r.ok && r.value.algorithm).toBe('1.2.840.10045.2.1');
  });

  it('never throws on random, truncated or mutated input (fuzz)', () => {
    fc.assert(
      fc.property(fuzzInputs(encodeBerTlv(0x6f, ecSpki('prime256v1'))), (b) => void parseDg15(b)),
      { numRuns: 3000 },
    );
  });
});
