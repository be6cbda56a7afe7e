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
});
