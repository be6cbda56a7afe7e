import { describe, expect, it } from 'vitest';
import { codeWord, en, errorMessage, vi } from './staff-messages';

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
});
