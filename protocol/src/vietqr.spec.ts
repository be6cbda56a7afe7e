import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildVietQr, crc16CcittFalse, hasValidVietQrCrc, parseTlv, parseVietQr, type VietQrPayment } from './vietqr';

/**
 * Payloads published by others, CRCs as issued: the subiz/vietqr README (VietinBank, "ung ho lu
 * lut"), a payOS-issued dynamic QR kept in a public project's SQL dump (MB, "TL89 100", `%20`
 * decoded), and a public PHP unit test of a VietQR to a card (QRIBFTTC).
 */
const published: { payload: string; expected: VietQrPayment }[] = [
  {
    payload:
      '00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C',
    expected: {
      dynamic: true,
      bankBin: '970415',
      accountNumber: '0011001932418',
      service: 'QRIBFTTA',
      amountVnd: 120000,
      reference: 'ung ho lu lut',
    },
  },
  {
    payload:
      '00020101021238570010A000000727012700069704220113VQRQADAIJ55120208QRIBFTTA5303704540470005802VN62120808TL89 1006304E346',
    expected: {
      dynamic: true,
      bankBin: '970422',
      accountNumber: 'VQRQADAIJ5512',
      service: 'QRIBFTTA',
      amountVnd: 7000,
      reference: 'TL89 100',
    },
  },
  {
    payload:
      '00020101021238600010A00000072701300006970403011697040311012345670208QRIBFTTC530370454061800005802VN62340107NPS68690819thanh toan don hang6304A203',
    expected: {
      dynamic: true,
      bankBin: '970403',
      accountNumber: '9704031101234567',
      service: 'QRIBFTTC',
      amountVnd: 180000,
      reference: 'thanh toan don hang',
    },
  },
];

describe('CRC-16/CCITT-FALSE', () => {
  it('matches the catalogue check value', () => {
    expect(crc16CcittFalse('123456789')).toBe(0x29b1);
  });
});

describe('parseVietQr on published payloads', () => {
  for (const { payload, expected } of published) {
    it(`reads ${expected.bankBin} ${expected.amountVnd ?? ''} back with a valid CRC`, () => {
      expect(hasValidVietQrCrc(payload)).toBe(true);
      expect(parseVietQr(payload)).toEqual({ ok: true, value: expected });
    });
  }

  it('the builder writes the published subiz payload byte for byte', () => {
    const { payload, expected } = published[0]!;
    expect(buildVietQr(expected)).toEqual({ ok: true, value: payload });
  });

  it('a changed amount with the old CRC is vietqr-bad-crc', () => {
    const forged = published[0]!.payload.replace('5406120000', '5406920000');
    const parsed = parseVietQr(forged);
    expect(parsed.ok || parsed.error.code).toBe('vietqr-bad-crc');
  });

  it('an EMVCo payload of another scheme is vietqr-not-vietqr', () => {
    const body = '000201010211261600120123456789015303704' + '5802VN6304';
    const payload = body + crc16CcittFalse(body).toString(16).toUpperCase().padStart(4, '0');
    const parsed = parseVietQr(payload);
    expect(parsed.ok || parsed.error.code).toBe('vietqr-not-vietqr');
  });
});

const paymentArb: fc.Arbitrary<VietQrPayment> = fc
  .record({
    bankBin: fc.stringMatching(/^\d{6}$/u),
    accountNumber: fc.stringMatching(/^[0-9A-Za-z]{1,19}$/u),
    service: fc.constantFrom('QRIBFTTA' as const, 'QRIBFTTC' as const),
    amountVnd: fc.option(fc.integer({ min: 1, max: 9_999_999_999_999 }), { nil: undefined }),
    reference: fc.option(fc.stringMatching(/^[0-9A-Za-z .\-/]{1,25}$/u), { nil: undefined }),
  })
  .map(({ amountVnd, reference, ...rest }) => ({
    ...rest,
    dynamic: amountVnd !== undefined,
    ...(amountVnd === undefined ? {} : { amountVnd }),
    ...(reference === undefined ? {} : { reference }),
  }));

describe('VietQR builder and parser, property-based', () => {
  it('every built payload parses back to the same fields with a valid CRC', () => {
    fc.assert(
      fc.property(paymentArb, (payment) => {
        const built = buildVietQr(payment);
        expect(built.ok).toBe(true);
        if (!built.ok) return;
        expect(hasValidVietQrCrc(built.value)).toBe(true);
        expect(parseVietQr(built.value)).toEqual({ ok: true, value: payment });
      }),
    );
  });

  it('changing any one character of a built payload is caught (CRC or structure)', () => {
    fc.assert(
      fc.property(paymentArb, fc.nat(), fc.integer({ min: 0x21, max: 0x7e }), (payment, pos, code) => {
        const built = buildVietQr(payment);
        if (!built.ok) return;
        const at = pos % built.value.length;
        const replacement = String.fromCharCode(code);
        fc.pre(built.value[at]?.toUpperCase() !== replacement.toUpperCase());
        const corrupted = built.value.slice(0, at) + replacement + built.value.slice(at + 1);
        expect(parseVietQr(corrupted).ok).toBe(false);
      }),
    );
  });

  it('random and truncated input never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 600 }), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        const parsed = parseVietQr(text);
        expect(typeof parsed.ok).toBe('boolean');
        expect(typeof parseTlv(text).ok).toBe('boolean');
      }),
    );
    fc.assert(
      fc.property(paymentArb, fc.nat(), (payment, cut) => {
        const built = buildVietQr(payment);
        if (!built.ok) return;
        const truncated = built.value.slice(0, cut % built.value.length);
        expect(parseVietQr(truncated).ok).toBe(false);
      }),
    );
  });

  it('the builder refuses what a bank app would misread', () => {
    const base = { bankBin: '970436', accountNumber: '1023456789', service: 'QRIBFTTA' as const, dynamic: true };
    for (const bad of [
      { ...base, amountVnd: 0 },
      { ...base, amountVnd: 1.5 },
      { ...base, amountVnd: 1000, reference: 'Khám bệnh' },
      { ...base, amountVnd: 1000, reference: 'x'.repeat(26) },
      { ...base, bankBin: '97043' },
      { ...base },
    ]) {
      const built = buildVietQr(bad);
      expect(built.ok || built.error.code).toBe('vietqr-invalid-field');
    }
  });
});

const { TextEncoder: Encoder } = globalThis as unknown as {
  TextEncoder: new () => { encode(text: string): Uint8Array };
};

describe('CRC over UTF-8', () => {
  it('agrees with a byte-wise CRC of the UTF-8 encoding for any text', () => {
    const reference = (bytes: Uint8Array): number => {
      let crc = 0xffff;
      for (const byte of bytes) {
        crc ^= byte << 8;
        for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
      }
      return crc;
    };
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), (text) => {
        expect(crc16CcittFalse(text)).toBe(reference(new Encoder().encode(text)));
      }),
    );
  });
});
