import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

describe('agent logger', () => {
  it('masks personal data at any depth and honours the level', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    log.debug('hidden');
    log.info({ scan: { identity: { fullName: 'Nguyễn Thị Lan', idNumber: '079188012345' } }, kind: 'cccd-qr' }, 'scan');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/Lan|079188012345/u);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 'info',
      kind: 'cccd-qr',
      msg: 'scan',
      scan: { identity: '[masked]' },
    });
  });
});
