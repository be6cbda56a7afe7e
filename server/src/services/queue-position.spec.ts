import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chooseNext } from './queue.service';
import { predictedOrder } from './queue-position';

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
