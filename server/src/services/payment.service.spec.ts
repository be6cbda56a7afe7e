import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSignatureHeader, signBankNotification } from './payment.service';

describe('bank signature header', () => {
  it('reads what a bank signs', () => {
    const header = signBankNotification('secret-secret-secret', '{"a":1}', 1_767_225_600);
    const parsed = parseSignatureHeader(header);
    expect(parsed?.t).toBe(1_767_225_600);
    expect(parsed?.v1).toHaveLength(1);
    expect(parsed?.v1[0]).toMatch(/^[0-9a-f]{64}$/u);
    expect(parseSignatureHeader(`${header},v1=${'ab'.repeat(32)}`)?.v1).toHaveLength(2);
  });

  it('refuses headers without a time or a signature, or with anything else in them', () => {
    for (const bad of [
      undefined,
      '',
      't=1',
      'v1=ab',
      't=1;v1=ab',
      't=1,v1=zz',
      't=1,v2=ab',
      `t=1,v1=${'a'.repeat(2000)}`,
    ])
      expect(parseSignatureHeader(bad)).toBeUndefined();
  });

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1500 }), (text) => {
        const parsed = parseSignatureHeader(text);
        expect(parsed === undefined || (Number.isFinite(parsed.t) && parsed.v1.length > 0)).toBe(true);
      }),
    );
  });
});
