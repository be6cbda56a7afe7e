import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ColumnCipher, parseDataKeys, StoredDataError } from './column-cipher';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

describe('ColumnCipher', () => {
  it('seals with AES-256-GCM under the current key and opens any value it sealed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (plain) => {
        const c = new ColumnCipher([k1]);
        const sealed = c.seal('patients.full_name', plain);
        expect(sealed.startsWith('enc:v1:k1:')).toBe(true);
        expect(sealed).not.toContain(plain.length > 3 ? plain : '\u0000never');
        expect(c.open('patients.full_name', sealed)).toBe(Buffer.from(plain, 'utf8').toString('utf8'));
      }),
    );
  });
  it('two seals of one value differ (random IV); the hash beside it is stable', () => {
    const c = new ColumnCipher([k1]);
    expect(c.seal('patients.id_number', '079188012345')).not.toBe(c.seal('patients.id_number', '079188012345'));
    expect(c.index('079188012345')).toBe(c.index('079188012345'));
    expect(c.index('079188012345')).not.toContain('079188012345');
  });
  it('refuses a value moved to another column, tampered with, or sealed under an unknown key', () => {
    const c = new ColumnCipher([k1]);
    const sealed = c.seal('patients.full_name', 'Nguyễn Thị Lan');
    expect(() => c.open('patients.address', sealed)).toThrow(StoredDataError);
    const flipped = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    expect(() => c.open('patients.full_name', flipped)).toThrow(StoredDataError);
    expect(() => new ColumnCipher([k2]).open('patients.full_name', sealed)).toThrow(/not configured/u);
  });
  it('rotation: the new key seals, the old one still opens by key id; lookups find both hashes', () => {
    const old = new ColumnCipher([k1]);
    const both = new ColumnCipher([k1, k2], 'k2');
    const stored = old.seal('patients.full_name', 'Lan');
    expect(both.open('patients.full_name', stored)).toBe('Lan');
    expect(both.isCurrent(stored)).toBe(false);
    expect(both.keyIdOf(both.seal('patients.full_name', 'Lan'))).toBe('k2');
    expect(both.candidates('079188012345')).toEqual(
      expect.arrayContaining([old.index('079188012345'), both.index('079188012345'), '079188012345']),
    );
  });
  it('off: values and hashes are the values themselves; plain text always reads as it is', () => {
    const off = ColumnCipher.off();
    expect(off.enabled).toBe(false);
    expect(off.seal('patients.full_name', 'Lan')).toBe('Lan');
    expect(off.index('079188012345')).toBe('079188012345');
    expect(new ColumnCipher([k1]).open('patients.full_name', 'Lan')).toBe('Lan');
  });
  it('reads keys as id:base64 and names a bad one', () => {
    const spec = `k1:${k1.key.toString('base64')},k2:${k2.key.toString('base64url')}`;
    expect(parseDataKeys(spec).map((k) => k.id)).toEqual(['k1', 'k2']);
    expect(() => parseDataKeys('k1:c2hvcnQ=')).toThrow(/k1.*32 bytes/u);
    expect(() => parseDataKeys('no-colon')).toThrow(/DATA_KEYS/u);
    expect(() => new ColumnCipher([k1], 'k9')).toThrow(/DATA_KEY_ID/u);
  });
});
