import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mrzCheckDigit } from './check-digit';
import { parseMrz } from './mrz.parser';

const VN_SAMPLE = [
  'IDVNM0930470641001093047064<<2',
  '9301054M3301052VNM<<<<<<<<<<<8',
  'UNG<<HOANG<HIEP<<<<<<<<<<<<<<<',
];
const VN_SYNTHETIC = [
  'IDVNM1880123452079188012345<<2',
  '8803126F2803124VNM<<<<<<<<<<<2',
  'NGUYEN<<THI<LAN<<<<<<<<<<<<<<<',
];
const ICAO_TD1 = ['I<UTOD231458907<<<<<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'];
const ICAO_TD3 = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];

describe('mrzCheckDigit', () => {
  it('follows 7-3-1 with < as 0 and letters as 10–35', () => {
    expect(mrzCheckDigit('L898902C<')).toBe(3);
    expect(mrzCheckDigit('690806')).toBe(1);
    expect(mrzCheckDigit('940623')).toBe(6);
    expect(mrzCheckDigit('079188012345')).toBe(2);
    expect(mrzCheckDigit('ab')).toBeUndefined();
  });
});

describe('parseMrz', () => {
  it('parses the published CCCD sample and yields its 12-digit ID', () => {
    const r = parseMrz(VN_SAMPLE.join('\n'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      format: 'TD1',
      documentCode: 'ID',
      issuingState: 'VNM',
      documentNumber: '093047064',
      dateOfBirth: '930105',
      sex: 'male',
      dateOfExpiry: '330105',
      idNumber: '001093047064',
      primaryIdentifier: 'UNG',
      secondaryIdentifier: 'HOANG HIEP',
      bacKeyInfo: '093047064193010543301052',
    });
  });

  it('gives the synthetic card of vietnam.md its BAC key info', () => {
    const r = parseMrz(VN_SYNTHETIC.join('\r\n'));
    expect(r.ok && r.value.bacKeyInfo).toBe('188012345288031262803124');
    expect(r.ok && r.value.idNumber).toBe('079188012345');
    expect(r.ok && r.value.sex).toBe('female');
  });

  it('accepts the 90 characters as one run', () => {
    expect(parseMrz(VN_SYNTHETIC.join('')).ok).toBe(true);
  });

  it('parses the ICAO TD1 and TD3 specimens', () => {
    const td1 = parseMrz(ICAO_TD1.join('\n'));
    expect(td1.ok && td1.value.documentNumber).toBe('D23145890');
    const td3 = parseMrz(ICAO_TD3.join('\n'));
    expect(td3.ok).toBe(true);
    if (td3.ok) {
      expect(td3.value.format).toBe('TD3');
      expect(td3.value.documentNumber).toBe('L898902C3');
      expect(td3.value.bacKeyInfo).toBe('L898902C3674081221204159');
      expect(td3.value.primaryIdentifier).toBe('ERIKSSON');
    }
  });

  it.each([
    ['document number', 0, 14, '3', 'document-number'],
    ['date of birth', 1, 6, '7', 'date-of-birth'],
    ['date of expiry', 1, 14, '5', 'date-of-expiry'],
    ['composite', 1, 29, '3', 'composite'],
  ])('rejects a wrong %s check digit', (_label, line, pos, ch, field) => {
    const lines = [...VN_SYNTHETIC];
    const l = lines[line] ?? '';
    lines[line] = l.slice(0, pos) + ch + l.slice(pos + 1);
    const r = parseMrz(lines.join('\n'));
    expect(r.ok ? null : { code: r.error.code, field: r.error.field }).toEqual({ code: 'mrz-bad-check-digit', field });
  });

  it('rejects wrong sizes and characters', () => {
    expect(parseMrz('abc').ok ? '' : (parseMrz('abc') as { error: { code: string } }).error.code).toBe(
      'mrz-bad-length',
    );
    const bad = parseMrz(VN_SYNTHETIC.join('\n').replace('VNM1', 'VNM#'));
    expect(bad.ok ? '' : bad.error.code).toBe('mrz-bad-charset');
  });

  it('does not expose an ID whose check digit fails', () => {
    const lines = [...VN_SYNTHETIC];
    // Change the ID's own check digit and keep the composite valid by recomputing it.
    const l1 = 'IDVNM1880123452079188012345<<3';
    const composite = l1.slice(5, 30) + (lines[1] ?? '').slice(0, 7) + (lines[1] ?? '').slice(8, 15) + '<'.repeat(11);
    lines[0] = l1;
    lines[1] = `8803126F2803124VNM<<<<<<<<<<<${mrzCheckDigit(composite)}`;
    const r = parseMrz(lines.join('\n'));
    expect(r.ok).toBe(true);
    expect(r.ok && r.value.idNumber).toBeUndefined();
  });

  it('never throws (fuzz: random text, truncations and mutations)', () => {
    const valid = VN_SYNTHETIC.join('\n');
    const mutated = fc
      .tuple(fc.nat(valid.length), fc.constantFrom(...'0123456789ABCXYZ<\n#'))
      .map(([i, c]) => valid.slice(0, i) + c + valid.slice(i + 1));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 120 }),
          mutated,
          fc.nat(valid.length).map((n) => valid.slice(0, n)),
        ),
        (t) => {
          parseMrz(t);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
