import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { classifiedScanSchema, publicBaseUrlOf, ticketQrPayload, ticketStatusUrl } from '@kiosk/protocol';
import { classifyScan } from './scan-classifier';
import { CPU_BOUND_SPEC_TIMEOUT_MS } from '../spec-helpers/timeouts';

vi.setConfig({ testTimeout: CPU_BOUND_SPEC_TIMEOUT_MS });

const CCCD = '079188012345||Nguyễn Thị Lan|12031988|Nữ|Phường Ninh Kiều, TP. Cần Thơ|10052021';
const CCCD_MALFORMED = '079188012345|||NGUYỄN THỊ LAN|12031988|Nữ|Phường Ninh Kiều, TP. Cần Thơ|10052021';
const BHYT =
  'GD4797912345678|4e677579e1bb856e205468e1bb8b204c616e|12/03/1988|2|5068c6b0e1bb9d6e67204e696e68204b69e1bb81752c2054502e2043e1baa76e205468c6a1|92 - 012|01/01/2026|31/12/2026|15/12/2025|7912345678|-|4|01/01/2023|0a1b2c3d4e5f6071-8233|$';

describe('classifyScan', () => {
  it('classifies a CCCD QR', () => {
    const s = classifyScan(CCCD);
    expect(s.kind).toBe('cccd-qr');
    if (s.kind === 'cccd-qr') expect(s.identity.idNumber).toBe('079188012345');
  });

  it('rejects the malformed CCCD example as a CCCD with wrong-field-count', () => {
    expect(classifyScan(CCCD_MALFORMED)).toEqual({ kind: 'rejected', claimed: 'cccd-qr', reason: 'wrong-field-count' });
  });

  it('classifies a BHYT QR', () => {
    const s = classifyScan(BHYT);
    expect(s.kind).toBe('bhyt-qr');
    if (s.kind === 'bhyt-qr') expect(s.identity.fullName).toBe('Nguyễn Thị Lan');
  });

  it('rejects a BHYT QR with bad hex as a BHYT', () => {
    expect(classifyScan(BHYT.replace('4e677579', '4g677579'))).toEqual({
      kind: 'rejected',
      claimed: 'bhyt-qr',
      reason: 'bad-hex',
    });
  });

  it('reads ticket QRs', () => {
    expect(classifyScan('TK:A1B2C3')).toEqual({ kind: 'ticket-qr', lookupCode: 'A1B2C3' });
    expect(classifyScan('TK:A1B2C3\r\n')).toEqual({ kind: 'ticket-qr', lookupCode: 'A1B2C3' });
    expect(classifyScan('TK:abc')).toEqual({ kind: 'rejected', claimed: 'ticket-qr', reason: 'unknown-format' });
    expect(classifyScan(`TK:${'A'.repeat(33)}`).kind).toBe('rejected');
  });

  it('reads a ticket QR that is its status page URL, on any host; a bad code there is a rejected ticket', () => {
    expect(classifyScan('https://benhvien.example.vn/t/Q7RM2XABCD23')).toEqual({
      kind: 'ticket-qr',
      lookupCode: 'Q7RM2XABCD23',
    });
    expect(classifyScan('http://127.0.0.1:8080/t/A1B2C3\r\n')).toEqual({ kind: 'ticket-qr', lookupCode: 'A1B2C3' });
    expect(classifyScan('HTTPS://BV.EXAMPLE.VN/t/A1B2C3')).toEqual({ kind: 'ticket-qr', lookupCode: 'A1B2C3' });
    expect(classifyScan('http://[::1]:8080/t/A1B2C3')).toEqual({ kind: 'ticket-qr', lookupCode: 'A1B2C3' });
    expect(classifyScan('https://bv.example.vn/t/abc')).toEqual({
      kind: 'rejected',
      claimed: 'ticket-qr',
      reason: 'unknown-format',
    });
    // Not a ticket's status page: another path, a query, a deeper path, another scheme.
    expect(classifyScan('https://bv.example.vn/x/t/A1B2C3').kind).toBe('rejected');
    expect(classifyScan('https://bv.example.vn/t/A1B2C3/x').kind).toBe('rejected');
    expect(classifyScan('ftp://bv.example.vn/t/A1B2C3').kind).toBe('rejected');
    expect(classifyScan('https://user@bv.example.vn/t/A1B2C3').kind).toBe('rejected');
  });

  it('reads back the lookup code of every ticket QR the server and the agent make (property)', () => {
    const code = fc.stringMatching(/^[A-HJ-NP-Z2-9]{12}$/u);
    const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/u);
    const origin = fc
      .tuple(
        fc.constantFrom('http', 'https'),
        fc.array(label, { minLength: 1, maxLength: 4 }),
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      )
      .map(([scheme, labels, port]) => `${scheme}://${labels.join('.')}${port === undefined ? '' : `:${port}`}`);
    fc.assert(
      fc.property(code, fc.option(origin, { nil: undefined }), (c, o) => {
        const base = o === undefined ? undefined : publicBaseUrlOf(o);
        const payload = ticketQrPayload({ lookupCode: c, ...(base ? { statusUrl: ticketStatusUrl(base, c) } : {}) });
        expect(classifyScan(payload)).toEqual({ kind: 'ticket-qr', lookupCode: c });
      }),
    );
  });

  it('rejects anything else as unknown', () => {
    expect(classifyScan('https://example.vn/xyz')).toEqual({
      kind: 'rejected',
      claimed: 'unknown',
      reason: 'unknown-format',
    });
    expect(classifyScan('')).toEqual({ kind: 'rejected', claimed: 'unknown', reason: 'empty' });
    expect(classifyScan('x'.repeat(5000))).toEqual({ kind: 'rejected', claimed: 'unknown', reason: 'too-long' });
  });

  it('never throws and always returns a schema-valid ClassifiedScan (fuzz)', () => {
    const seeds = [CCCD, CCCD_MALFORMED, BHYT, 'TK:ABC123', 'https://benhvien.example.vn:8443/t/Q7RM2XABCD23'];
    const mutated = fc
      .tuple(fc.constantFrom(...seeds), fc.nat(400), fc.nat(400), fc.string({ maxLength: 6 }))
      .map(([v, a, b, s]) => v.slice(0, Math.min(a, b)) + s + v.slice(Math.max(a, b)));
    const truncated = fc.tuple(fc.constantFrom(...seeds), fc.nat(400)).map(([v, n]) => v.slice(0, n));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'grapheme' }),
          fc.string({ unit: 'binary', maxLength: 300 }),
          mutated,
          truncated,
        ),
        (p) => {
          expect(classifiedScanSchema.safeParse(classifyScan(p)).success).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('booking QR', () => {
  it('a bare booking code or the app link gives the code, never the link', () => {
    expect(classifyScan('BK7H2Q9X')).toEqual({ kind: 'booking-qr', bookingCode: 'BK7H2Q9X' });
    expect(classifyScan('https://benhvien.example.vn/lich-hen?code=bk7h2q9x')).toEqual({
      kind: 'booking-qr',
      bookingCode: 'BK7H2Q9X',
    });
    expect(classifyScan('https://benhvien.example.vn/tin-tuc').kind).toBe('rejected');
  });
});

describe('VNeID and 2024 căn cước QRs', () => {
  const id = fc.stringMatching(/^\d{12}$/u);
  // A payload ending in '$' is a BHYT QR's: not a field's last character here.
  const field = fc.string({ maxLength: 40 }).map((s) => s.replace(/[|\r\n$]/gu, ''));

  it('recognises a VNeID link or prefix and sends the patient to the counter, reading nothing', () => {
    expect(classifyScan('https://vneid.gov.vn/xac-thuc?t=abc123')).toEqual({ kind: 'vneid-qr', hint: 'go-to-counter' });
    expect(classifyScan('VNEID:0a1b2c3d')).toEqual({ kind: 'vneid-qr', hint: 'go-to-counter' });
    expect(classifyScan('https://example.vn/vneid.gov.vn').kind).toBe('rejected');
    fc.assert(
      fc.property(
        fc.constantFrom('https://', 'http://', ''),
        fc.constantFrom('', 'app.', 'api.'),
        field,
        (s, sub, rest) => {
          expect(classifyScan(`${s}${sub}vneid.gov.vn/${encodeURIComponent(rest)}`)).toEqual({
            kind: 'vneid-qr',
            hint: 'go-to-counter',
          });
        },
      ),
    );
  });

  it('recognises the 2024 card’s household QR (9+ fields after a 12-digit ID); the 2021 forms keep their meaning', () => {
    fc.assert(
      fc.property(id, fc.array(field, { minLength: 8, maxLength: 30 }), (n, rest) => {
        expect(classifyScan([n, ...rest].join('|'))).toEqual({ kind: 'cccd-2024-qr', hint: 'place-card' });
      }),
    );
    expect(classifyScan(CCCD).kind).toBe('cccd-qr');
    expect(classifyScan(CCCD_MALFORMED)).toMatchObject({ kind: 'rejected', reason: 'wrong-field-count' });
  });

  it('random, truncated and mutated document QRs never throw and always give a valid classification', () => {
    const seeds = [
      'https://vneid.gov.vn/xac-thuc?t=abc123',
      '079188012345|Nguyễn Thị Lan|12031988|Nữ|Chủ hộ|Nguyễn Văn Minh|079160000001|Cha|Phường Ninh Kiều|01072024',
    ];
    const truncated = fc.tuple(fc.constantFrom(...seeds), fc.nat(200)).map(([v, n]) => v.slice(0, n));
    const spliced = fc
      .tuple(fc.constantFrom(...seeds), fc.nat(200), fc.string({ maxLength: 20 }))
      .map(([v, at, s]) => v.slice(0, at) + s + v.slice(at));
    fc.assert(
      fc.property(fc.oneof(truncated, spliced, fc.string({ maxLength: 400 })), (p) => {
        expect(classifiedScanSchema.safeParse(classifyScan(p)).success).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
