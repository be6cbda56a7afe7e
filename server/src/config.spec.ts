import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('parses priority classes in rank order and defaults the queue policy', () => {
    const c = loadConfig({ PRIORITY_CLASSES: 'elderly-75, pregnant' });
    expect(c.PRIORITY_CLASSES).toEqual(['elderly-75', 'pregnant']);
    expect(c.PRIORITY_ORDERING).toBe('fifo');
    expect(c.NO_SHOW_AFTER_SKIPS).toBe(3);
    expect(c.GROUP_COMMIT).toBe('auto');
    expect(loadConfig({ PRIORITY_CLASSES: '' }).PRIORITY_CLASSES).toEqual([]);
  });

  it('names the offending variable', () => {
    expect(() => loadConfig({ PRIORITY_CLASSES: 'normal' })).toThrow(/PRIORITY_CLASSES/u);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/u);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/u);
  });

  it('reads PUBLIC_URL as a canonical origin, and refuses one with a path or query', () => {
    expect(loadConfig({}).PUBLIC_URL).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: '' }).PUBLIC_URL).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: 'https://BenhVien.Example.vn/' }).PUBLIC_URL).toBe('https://benhvien.example.vn');
    expect(() => loadConfig({ PUBLIC_URL: 'https://benhvien.example.vn/kiosk' })).toThrow(/PUBLIC_URL/u);
    expect(() => loadConfig({ PUBLIC_URL: 'https://benhvien.example.vn?x=1' })).toThrow(/PUBLIC_URL/u);
    expect(() => loadConfig({ PUBLIC_URL: 'benhvien.example.vn' })).toThrow(/PUBLIC_URL/u);
  });
});
