import { describe, expect, it } from 'vitest';
import { chooseNext, meanGapMs } from './queue.service';

const t = (seq: number, priority = 'normal') => ({ seq, priority });
const policy = {
  priorityRatio: 2,
  priorityClasses: ['child-under-6', 'elderly-75', 'pregnant'] as const,
  ordering: 'fifo' as const,
};

describe('chooseNext', () => {
  it('interleaves priority and normal tickets by the ratio, so normal tickets never starve', () => {
    const waiting = [t(1), t(2, 'pregnant'), t(3, 'elderly-75'), t(4, 'child-under-6'), t(5)];
    const order: number[] = [];
    let streak = 0;
    let left = [...waiting];
    while (left.length > 0) {
      const c = chooseNext(left, policy, streak);
      if (!c) break;
      order.push(c.ticket.seq);
      streak = c.newStreak;
      left = left.filter((x) => x !== c.ticket);
    }
    expect(order).toEqual([2, 3, 1, 4, 5]);
  });

  it('ranks priority classes when configured', () => {
    const c = chooseNext([t(1, 'pregnant'), t(2, 'child-under-6')], { ...policy, ordering: 'ranked' }, 0);
    expect(c?.ticket.seq).toBe(2);
  });

  it('treats classes outside the configured list as normal', () => {
    const c = chooseNext([t(1), t(2, 'disability')], policy, 0);
    expect(c?.ticket.seq).toBe(1);
    expect(c?.tookPriority).toBe(false);
  });

  it('orders by issue time before seq: an offline ticket from an earlier-leased block keeps its place', () => {
    const online = { seq: 60, priority: 'normal', issued_at: '2026-01-01T02:00:00.000Z' };
    const offline = { seq: 5, priority: 'normal', issued_at: '2026-01-01T03:00:00.000Z' };
    expect(chooseNext([offline, online], policy, 0)?.ticket).toBe(online);
  });

  it('resets the streak when no normal ticket waits', () => {
    expect(chooseNext([t(1, 'pregnant')], policy, 5)?.newStreak).toBe(0);
    expect(chooseNext([], policy, 0)).toBeUndefined();
  });
});

describe('meanGapMs', () => {
  const now = new Date('2026-01-01T10:00:00Z');
  it('averages the gaps between recent calls within the window', () => {
    const times = ['2026-01-01T09:50:00Z', '2026-01-01T09:40:00Z', '2026-01-01T09:30:00Z'];
    expect(meanGapMs(times, 3_600_000, now)).toBe(600_000);
  });
  it('needs three calls inside the window', () => {
    expect(meanGapMs(['2026-01-01T09:50:00Z', '2026-01-01T08:00:00Z', '2026-01-01T07:00:00Z'], 3_600_000, now)).toBe(
      undefined,
    );
  });
});
