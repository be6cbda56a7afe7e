import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alertKindSchema, deviceClassSchema, deviceReasonCodes, deviceStateSchema, staffRoles } from '@kiosk/protocol';
import { codeWord, deviceErrorWords, en, errorMessage, isStaffKey, vi } from './staff-messages';

describe('staff catalogue', () => {
  it('a known refusal reads as its message in either language', () => {
    expect(errorMessage(vi, 'forbidden')).toBe('Vai trò của bạn không được làm thao tác này.');
    expect(errorMessage(en, 'forbidden')).toBe('Your role may not do this.');
  });
  it('an unknown code gets the generic message naming it, never the raw server text', () => {
    expect(errorMessage(vi, 'queue-frozen')).toBe('Không thực hiện được (mã lỗi: queue-frozen).');
    expect(errorMessage(en, 'queue-frozen')).toBe('That did not work (error code: queue-frozen).');
  });
  it('device words fall back to the code itself', () => {
    expect(codeWord(vi, 'reason', 'paper-out')).toBe('hết giấy');
    expect(codeWord(en, 'device.state', 'error')).toBe('error');
    expect(codeWord(en, 'reason', 'jammed-cutter')).toBe('jammed-cutter');
  });
  it('every message has an English text with the same placeholders', () => {
    for (const [key, text] of Object.entries(vi)) {
      const english = en[key as keyof typeof en];
      expect(english, key).toBeTruthy();
      expect(english.match(/\{\w+\}/gu) ?? [], key).toEqual(text.match(/\{\w+\}/gu) ?? []);
    }
  });
  it('has words for every device class, state and reason, alert kind and role the protocol names', () => {
    const keys = [
      ...deviceClassSchema.options.map((c) => `device.${c}`),
      ...deviceStateSchema.options.map((s) => `device.state.${s}`),
      ...deviceReasonCodes.map((r) => `reason.${r}`),
      ...alertKindSchema.options.map((k) => `alert.${k}`),
      ...staffRoles.map((r) => `role.${r}`),
    ];
    expect(keys.filter((k) => !isStaffKey(k))).toEqual([]);
  });
  it("a device's last error reads as words, its code translated, a driver's message kept apart", () => {
    expect(deviceErrorWords(vi, 'print failed: paper-out')).toEqual({ words: 'In thất bại: hết giấy' });
    expect(deviceErrorWords(en, 'print failed: paper-out')).toEqual({ words: 'Printing failed: out of paper' });
    expect(deviceErrorWords(vi, 'frame rejected: too-long')).toEqual({ words: 'Bỏ một lần quét: quá dài' });
    expect(deviceErrorWords(vi, 'cutter-error')).toEqual({ words: 'dao cắt giấy bị kẹt' });
    expect(deviceErrorWords(vi, 'print failed: jammed-roller')).toEqual({ words: 'In thất bại: mã jammed-roller' });
    expect(deviceErrorWords(vi, 'Error: the printer link did not open')).toEqual({
      words: 'Lỗi kỹ thuật (xem chi tiết)',
      detail: 'Error: the printer link did not open',
    });
    // Whatever a device sends, there are words and nothing throws.
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `print failed: ${s}`),
        ),
        (s) => {
          expect(deviceErrorWords(en, s).words.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
