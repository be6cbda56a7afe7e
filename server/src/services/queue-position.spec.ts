import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chooseNext } from './queue.service';
import { placeInOrder, predictedOrder, type PriorityCount } from './queue-position';

const classes = ['elderly-75', 'pregnant', 'disability'] as const;
const priorities = ['normal', ...classes] as const;

describe('predictedOrder', () => {
  it('is the order repeated chooseNext calls take, for any line, policy and streak', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ seq: fc.integer({ min: 1, max: 500 }), priority: fc.constantFrom(...priorities) }), {
          selector: (t) => t.seq,
          maxLength: 40,
        }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('fifo' as const, 'ranked' as const),
        fc.integer({ min: 0, max: 5 }),
        (line, ratio, ordering, streak) => {
          const policy = { priorityRatio: ratio, priorityClasses: classes, ordering };
          const expected: number[] = [];
          let rest = [...line];
          let s = streak;
          for (;;) {
            const c = chooseNext(rest, policy, s);
            if (!c) break;
            expected.push(c.ticket.seq);
            s = c.newStreak;
            rest = rest.filter((t) => t !== c.ticket);
          }
          expect(predictedOrder(line, policy, streak).map((t) => t.seq)).toEqual(expected);
        },
      ),
    );
  });
});

describe('placeInOrder', () => {
  it('answers each ticket its index in predictedOrder from the counts alone, for any line, policy and streak', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ seq: fc.integer({ min: 1, max: 500 }), priority: fc.constantFrom(...priorities) }), {
          selector: (t) => t.seq,
          maxLength: 40,
        }),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom('fifo' as const, 'ranked' as const),
        fc.integer({ min: 0, max: 5 }),
        (line, ratio, ordering, streak) => {
          const policy = { priorityRatio: ratio, priorityClasses: classes, ordering };
          predictedOrder(line, policy, streak).forEach((ticket, index) => {
            const counts: PriorityCount[] = priorities.map((priority) => ({
              priority,
              total: line.filter((t) => t.priority === priority).length,
              before: line.filter((t) => t.priority === priority && t.seq < ticket.seq).length,
            }));
            expect(placeInOrder(ticket, counts, policy, streak)).toBe(index);
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a priority ticket waits for one normal ticket after each run of the ratio, and a normal one for the runs before it', () => {
    const policy = { priorityRatio: 2, priorityClasses: classes, ordering: 'fifo' as const };
    const counts: PriorityCount[] = [
      { priority: 'normal', total: 5, before: 5 },
      { priority: 'pregnant', total: 4, before: 3 },
    ];
    // P P N P → the fourth priority ticket has 3 priority and 1 normal ahead.
    expect(placeInOrder({ priority: 'pregnant' }, counts, policy, 0)).toBe(3 + 1);
    // After a streak of 2, a normal ticket goes first: N P P N P → 3 + 2.
    expect(placeInOrder({ priority: 'pregnant' }, counts, policy, 2)).toBe(3 + 2);
    // The sixth normal ticket (5 before it): P P N P P N N N N → all 4 priority and 5 normal.
    expect(placeInOrder({ priority: 'normal' }, counts, policy, 0)).toBe(5 + 4);
  });
});
