import { describe, expect, it } from 'vitest';
import { maskId, maskName } from './mask';

describe('mask', () => {
  it('masks a 12-digit ID as the data-protection rules show', () => {
    expect(maskId('079188012345')).toBe('0791****2345');
  });
  it('masks short values down to their last two characters', () => {
    expect(maskId('1234')).toBe('**34');
    expect(maskId('12')).toBe('**');
  });
  it('reduces family and middle names to initials', () => {
    expect(maskName('Nguyễn Thị Lan')).toBe('N. T. Lan');
    expect(maskName('Điệp')).toBe('Đ.');
  });
});
