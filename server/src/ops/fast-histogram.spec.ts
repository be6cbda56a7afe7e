import client from 'prom-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FastHistogram } from './fast-histogram';
import { queryKindOf } from './metrics';

const BUCKETS = [0.0001, 0.001, 0.01, 0.1, 1];

describe('FastHistogram', () => {
  it('renders exactly what prom-client renders for the same observations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('select', 'insert'), fc.double({ min: 0, max: 2, noNaN: true }))),
        async (observations) => {
          const ours = new client.Registry();
          const theirs = new client.Registry();
          const fast = new FastHistogram('q_seconds', 'Latency', BUCKETS, ours);
          const reference = new client.Histogram({
            name: 'q_seconds',
            help: 'Latency',
            labelNames: ['kind'],
            buckets: BUCKETS,
            registers: [theirs],
          });
          const children = { select: fast.child({ kind: 'select' }), insert: fast.child({ kind: 'insert' }) };
          // prom-client only shows label sets it has seen: show both on both sides.
          reference.labels({ kind: 'select' });
          reference.labels({ kind: 'insert' });
          reference.observe({ kind: 'select' }, 0);
          reference.observe({ kind: 'insert' }, 0);
          children.select(0);
          children.insert(0);
          for (const [kind, v] of observations) {
            children[kind](v);
            reference.observe({ kind }, v);
          }
          const sort = (t: string) => t.split('\n').sort().join('\n');
          expect(sort(await ours.metrics())).toBe(sort(await theirs.metrics()));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('starts again from zero on reset', async () => {
    const r = new client.Registry();
    const h = new FastHistogram('r_seconds', 'x', BUCKETS, r);
    const observe = h.child({ kind: 'select' });
    observe(0.5);
    h.reset();
    expect(await r.metrics()).toContain('r_seconds_count{kind="select"} 0');
  });
});

describe('queryKindOf', () => {
  it('names the statement kinds Kysely writes, in any case and after blanks', () => {
    expect(queryKindOf('insert into "t" values (?)')).toBe('insert');
    expect(queryKindOf('select 1')).toBe('select');
    expect(queryKindOf('  UPDATE t set x = 1')).toBe('update');
    expect(queryKindOf('delete from t')).toBe('delete');
    expect(queryKindOf('begin immediate')).toBe('transaction');
    expect(queryKindOf('savepoint unit')).toBe('transaction');
    expect(queryKindOf('commit')).toBe('transaction');
    expect(queryKindOf('pragma wal_checkpoint')).toBe('other');
  });
});
