import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexOf as hex } from './text-codec';

const fromHex = (h: string) => Uint8Array.from(h.match(/../gu) ?? [], (b) => parseInt(b, 16));
import { childrenOf, encodeTlv, readTlv, readTlvList } from './ber-tlv';
import { decodeOid, encodeOid } from './der';

describe('BER-TLV', () => {
  it('reads multi-byte tags and long lengths', () => {
    const r = readTlv(fromHex('5F1F0341424399'));
    expect(r.ok && { tag: r.value.tag, len: r.value.length, v: hex(r.value.value) }).toEqual({
      tag: 0x5f1f,
      len: 3,
      v: '414243',
    });
    const long = encodeTlv(0x7f61, new Uint8Array(300));
    expect(hex(long.subarray(0, 5))).toBe('7F6182012C');
    const rl = readTlv(long);
    expect(rl.ok && rl.value.length).toBe(300);
  });

  it('reads the EF.COM of Appendix D and its children', () => {
    const r = readTlv(fromHex('60145F0104303130365F36063034303030305C026175'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const kids = childrenOf(r.value);
    expect(kids.ok && kids.value.map((k) => k.tag)).toEqual([0x5f01, 0x5f36, 0x5c]);
  });

  it.each([
    ['truncated value', '5F1F05414243', 'tlv-truncated'],
    ['indefinite length', '3080', 'tlv-bad-length'],
    ['5 length bytes', '04850000000001', 'tlv-bad-length'],
    ['tag longer than 4 bytes', '5F8181818101', 'tlv-bad-tag'],
    ['no length', '5F', 'tlv-truncated'],
  ])('rejects %s', (_l, h, code) => {
    const r = readTlv(fromHex(h));
    expect(r.ok ? '' : r.error.code).toBe(code);
  });

  it('round-trips OIDs', () => {
    for (const oid of ['2.23.136.1.1.1', '1.2.840.113549.1.7.2', '2.16.840.1.101.3.4.2.1', '0.4.0.127.0.7.1.1.4.1.3'])
      expect(decodeOid(encodeOid(oid).subarray(2))).toBe(oid);
    expect(decodeOid(fromHex('2A86'))).toBeUndefined();
  });

  it('round-trips encode → read (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0x1e }), fc.uint8Array({ maxLength: 70000 }), (tag, value) => {
        const r = readTlv(encodeTlv(tag, value));
        expect(r.ok && r.value.length).toBe(value.length);
      }),
      { numRuns: 50 },
    );
  });

  it('never throws on random or truncated input (fuzz)', () => {
    const valid = encodeTlv(0x30, encodeTlv(0x02, Uint8Array.of(1)), encodeTlv(0x5f1f, new Uint8Array(200)));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.nat(valid.length).map((n) => valid.subarray(0, n)),
        ),
        (b) => {
          const list = readTlvList(b);
          if (list.ok) for (const t of list.value) if (t.constructed) childrenOf(t);
          decodeOid(b);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
