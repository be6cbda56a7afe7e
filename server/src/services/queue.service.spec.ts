import { describe, expect, it } from 'vitest';
import { bookedStanding, chooseNext, meanGapMs } from './queue.service';

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

describe('chooseNext with booked patients', () => {
  const now = new Date('2026-12-05T03:00:00.000Z'); // 10:00 in Vietnam
  const at = (min: number) => new Date(now.getTime() + min * 60_000).toISOString();
  const window = { earlyMin: 30, lateMin: 15 };
  const booked = { ...policy, appointmentWindow: window };
  /** A ticket issued `arrivedMin` from now, booked for `slotMin` from now (or a walk-in). */
  const b = (seq: number, arrivedMin: number, slotMin?: number, priority = 'normal') => ({
    seq,
    priority,
    issued_at: at(arrivedMin),
    bookedAt: slotMin === undefined ? null : at(slotMin),
  });
  const order = (waiting: ReturnType<typeof b>[], p: Parameters<typeof chooseNext>[1] = booked, streak0 = 0) => {
    const out: number[] = [];
    let streak = streak0;
    let left = [...waiting];
    for (;;) {
      const c = chooseNext(left, p, streak, now);
      if (!c) break;
      out.push(c.ticket.seq);
      streak = c.newStreak;
      left = left.filter((x) => x !== c.ticket);
    }
    return { out, left: left.map((x) => x.seq) };
  };

  it('calls on-time bookings by booked time, ahead of walk-ins who arrived before them', () => {
    const r = order([b(1, -40), b(2, -30), b(3, -10, 5), b(4, -20, 0)]);
    expect(r.out).toEqual([4, 3, 1, 2]);
  });

  it('holds a patient who came before the window opens, and lets walk-ins go meanwhile', () => {
    const r = order([b(1, -50, 45), b(2, -20)]);
    expect(r.out).toEqual([2]);
    expect(r.left).toEqual([1]);
    // Once the window opens (30 min before the slot) the booking goes first.
    expect(chooseNext([b(1, -50, 25), b(2, -20)], booked, 0, now)?.ticket.seq).toBe(1);
  });

  it('puts a patient who came later than the window in the normal queue by arrival', () => {
    const r = order([b(1, -30), b(2, -5, -25), b(3, 0)]);
    expect(r.out).toEqual([1, 2, 3]);
  });

  it('keeps the priority interleave and the priority lane: a booking only moves up within its lane', () => {
    const r = order([b(1, -60, undefined, 'pregnant'), b(2, -50, undefined, 'elderly-75'), b(3, -45), b(4, -5, 0)]);
    // Two priority calls, then the normal lane — where the booking goes before the walk-in.
    expect(r.out).toEqual([1, 2, 4, 3]);
    const ranked = order(
      [b(1, -60, undefined, 'pregnant'), b(2, -10, 0, 'pregnant'), b(3, -5, undefined, 'child-under-6')],
      {
        ...booked,
        ordering: 'ranked',
      },
    );
    expect(ranked.out).toEqual([3, 2, 1]);
  });

  it('leaves walk-ins in arrival order, and bookings as walk-ins without a window', () => {
    expect(order([b(2, -10), b(1, -20)]).out).toEqual([1, 2]);
    expect(order([b(1, -30), b(2, -10, 0)], policy).out).toEqual([1, 2]);
    expect(bookedStanding({ bookedAt: at(60), issued_at: at(0) }, now, undefined)).toBe('walk-in');
    expect(bookedStanding({ bookedAt: at(60), issued_at: at(0) }, now, window)).toBe('held');
    expect(bookedStanding({ bookedAt: at(10), issued_at: at(0) }, now, window)).toBe('booked');
    expect(bookedStanding({ bookedAt: at(-20), issued_at: at(0) }, now, window)).toBe('walk-in');
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
