import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

describe('createLogger', () => {
  it('masks personal data and secrets by key at any depth', () => {
    const lines: string[] = [];
    const log = createLogger('info', 'test', { write: (s: string) => lines.push(s) });
    log.info(
      {
        idNumber: '079188012345',
        request: { identity: { fullName: 'Nguyễn Thị Lan' }, password: 'x' },
        a: { b: { c: { address: 'Phường Ninh Kiều' } } },
        route: '/api/patients/:id',
      },
      'event',
    );
    const line = lines.join('');
    expect(line).not.toMatch(/079188012345|Nguyễn|Ninh Kiều|"x"/u);
    expect(line).toContain('[masked]');
    expect(line).toContain('/api/patients/:id');
  });
});
