/** Every way a name reaches the agent (CCCD QR, BHYT QR, chip) stores it one way: cleaned and NFC. */
import { describe, expect, it } from 'vitest';
import { parseCccdQr } from './qr/cccd-qr.parser';
import { parseBhytQr } from './qr/bhyt-qr.parser';
import { dg13ToIdentity, type Dg13 } from './lds/dg13.parser';

// "Nguyễn Thị Lan" decomposed (NFD), with a NUL, a right-to-left override and a zero-width space.
const DIRTY_NAME = 'Nguye\u0302\u0303n\u0000 Thi\u0323\u200b \u202eLan';
const DIRTY_ADDRESS = 'Phu\u031bo\u031b\u0300ng Ninh Kie\u0302\u0300u,\u2066 TP. Ca\u0302\u0300n Tho\u031b\ufeff';
const CLEAN_NAME = 'Nguyễn Thị Lan';
const CLEAN_ADDRESS = 'Phường Ninh Kiều, TP. Cần Thơ';
const dg13 = (fields: Partial<Dg13>): Dg13 => ({ fields: new Map(), anomalies: [], ...fields });
const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

describe('names and addresses from identity documents', () => {
  it('CCCD QR: cleaned and NFC', () => {
    const r = parseCccdQr(`079188012345||${DIRTY_NAME}|12031988|Nữ|${DIRTY_ADDRESS}|10052021`);
    expect(r.ok && r.value.fullName).toBe(CLEAN_NAME);
    expect(r.ok && r.value.address).toBe(CLEAN_ADDRESS);
  });
  it('BHYT QR (hex UTF-8 fields): cleaned and NFC', () => {
    const r = parseBhytQr(
      `GD4797912345678|${hex(DIRTY_NAME)}|12/03/1988|2|${hex(DIRTY_ADDRESS)}|92 - 012|01/01/2026|31/12/2026|15/12/2025|7912345678|-|4|01/01/2023|0a1b2c3d4e5f6071-8233|$`,
    );
    expect(r.ok && r.value.identity.fullName).toBe(CLEAN_NAME);
    expect(r.ok && r.value.identity.address).toBe(CLEAN_ADDRESS);
  });
  it('chip (DG13): cleaned and NFC; a name of invisible characters only is no name', () => {
    const id = dg13ToIdentity(
      dg13({ fullName: DIRTY_NAME, dateOfBirth: '12/03/1988', placeOfResidence: DIRTY_ADDRESS }),
    );
    expect(id?.fullName).toBe(CLEAN_NAME);
    expect(id?.address).toBe(CLEAN_ADDRESS);
    expect(dg13ToIdentity(dg13({ fullName: '\u200b\u202e\u0000', dateOfBirth: '12/03/1988' }))).toBeUndefined();
  });
});
