import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { answers, commandListener, serveCommands, type CommandHandler } from './socket-command';
import { KeyedBuckets, TokenBucket } from './rate-limit';
import { err, ok, type Result } from './result';

const table = {
  'thing:count': answers<number>()(z.object({ items: z.array(z.string()).max(5) })),
  'thing:reset': answers<null>()(z.object({}).strict()),
} as const;

/** Lets a handler's promise and its continuations settle (microtasks only: nothing here waits on time). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await null;
};

/** Runs one listener call to the end: the acks it got, the errors it reported, whether it threw. */
async function run(payload: unknown, handler: CommandHandler<(typeof table)['thing:count']>, withAck = true) {
  const acks: unknown[] = [];
  const reported: unknown[] = [];
  const listener = commandListener(table, 'thing:count', handler, {
    onError: (e, event) => reported.push([event, e]),
    failure: { message: 'could not count', hint: 'try-again' },
  });
  let threw = false;
  try {
    if (withAck) listener(payload, (r: unknown) => acks.push(r));
    else listener(payload);
  } catch {
    threw = true;
  }
  await settle();
  return { acks, reported, threw };
}

const isResult = (r: unknown): r is Result<unknown> =>
  typeof r === 'object' &&
  r !== null &&
  ((r as { ok: unknown }).ok === true ||
    ((r as { ok: unknown }).ok === false && typeof (r as { error: { code: unknown } }).error.code === 'string'));

describe('commandListener', () => {
  it('validates the payload and answers the handler Result', async () => {
    expect((await run({ items: ['a', 'b'] }, (p) => ok(p.items.length))).acks).toEqual([ok(2)]);
    expect((await run({ items: ['a'] }, async (p) => ok(p.items.length))).acks).toEqual([ok(1)]);
    expect((await run({ items: [] }, async () => err('nothing', 'no items'))).acks).toEqual([
      err('nothing', 'no items'),
    ]);
  });

  it('answers validation-failed without calling the handler', async () => {
    let called = false;
    const r = await run({ items: 'nope' }, () => ((called = true), ok(0)));
    expect(called).toBe(false);
    expect(r.acks).toEqual([
      { ok: false, error: { code: 'validation-failed', message: expect.stringContaining('items') } },
    ]);
    expect(r.reported).toEqual([]);
  });

  it('turns a throw or a rejection into internal-error and reports it', async () => {
    const boom = new Error('db down');
    for (const handler of [
      () => {
        throw boom;
      },
      () => Promise.reject(boom),
    ]) {
      const r = await run({ items: [] }, handler);
      expect(r.acks).toEqual([err('internal-error', 'could not count', 'try-again')]);
      expect(r.reported).toEqual([['thing:count', boom]]);
    }
  });

  it('tolerates a missing ack, and reports an ack that throws', async () => {
    expect(await run({ items: [] }, () => ok(0), false)).toEqual({ acks: [], reported: [], threw: false });
    const reported: unknown[] = [];
    const listener = commandListener(table, 'thing:count', () => ok(0), { onError: (e) => reported.push(e) });
    expect(() =>
      listener({ items: [] }, () => {
        throw new Error('socket gone');
      }),
    ).not.toThrow();
    await settle();
    expect(reported).toHaveLength(1);
  });

  it('answers a command emitted without a payload (the ack comes first)', async () => {
    const acks: unknown[] = [];
    commandListener(table, 'thing:reset', () => ok(null), { onError: () => undefined })((r: unknown) => acks.push(r));
    await settle();
    expect(acks).toEqual([ok(null)]);
  });

  it('answers internal-error for a handler that answers no Result', async () => {
    const r = await run({ items: [] }, (() => 42) as never);
    expect(r.acks).toEqual([err('internal-error', 'could not count', 'try-again')]);
    expect(r.reported).toHaveLength(1);
  });

  it('property: any payload, any handler outcome, any thrown value → exactly one Result ack, never a throw', async () => {
    const outcome = fc.oneof(
      fc.record({ kind: fc.constant('ok' as const), value: fc.integer() }),
      fc.record({ kind: fc.constant('err' as const), code: fc.string({ minLength: 1, maxLength: 20 }) }),
      fc.record({ kind: fc.constant('throw' as const), thrown: fc.anything() }),
      fc.record({ kind: fc.constant('reject' as const), thrown: fc.anything() }),
    );
    const payload = fc.oneof(
      fc.anything(),
      fc.record({ items: fc.array(fc.string(), { maxLength: 7 }) }),
      fc.constant(undefined),
    );
    await fc.assert(
      fc.asyncProperty(payload, outcome, fc.boolean(), async (p, o, reporterThrows) => {
        const acks: unknown[] = [];
        const listener = commandListener(
          table,
          'thing:count',
          () => {
            if (o.kind === 'ok') return ok(o.value);
            if (o.kind === 'err') return err(o.code, 'refused');
            if (o.kind === 'throw') throw o.thrown;
            return Promise.reject(o.thrown as Error);
          },
          {
            onError: () => {
              if (reporterThrows) throw new Error('logger down');
            },
          },
        );
        expect(() => listener(p, (r: unknown) => acks.push(r))).not.toThrow();
        for (let i = 0; i < 3; i++) await settle();
        expect(acks).toHaveLength(1);
        expect(isResult(acks[0])).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('serveCommands', () => {
  it('registers one listener per command of the table', async () => {
    const listeners = new Map<string, (...args: unknown[]) => void>();
    const socket = { on: (event: string, listener: (...args: unknown[]) => void) => listeners.set(event, listener) };
    serveCommands(
      socket,
      table,
      { 'thing:count': (p) => ok(p.items.length), 'thing:reset': () => ok(null) },
      {
        onError: () => undefined,
      },
    );
    expect([...listeners.keys()].sort()).toEqual(['thing:count', 'thing:reset']);
    const got = await new Promise((resolve) => listeners.get('thing:reset')?.({}, resolve));
    expect(got).toEqual(ok(null));
  });
});

describe('serveCommands with limits', () => {
  const serve = (limits: Parameters<typeof serveCommands>[3]['limits'], handler: () => Promise<Result<null>>) => {
    const listeners = new Map<string, (...args: unknown[]) => void>();
    const socket = { on: (event: string, listener: (...args: unknown[]) => void) => listeners.set(event, listener) };
    const limited: string[] = [];
    serveCommands(
      socket,
      table,
      { 'thing:count': (p) => ok(p.items.length), 'thing:reset': handler },
      { onError: () => undefined, limits: { ...limits, onLimited: (e) => limited.push(e) } },
    );
    const send = (event: string, payload: unknown = {}) =>
      new Promise<Result<unknown>>((resolve) => listeners.get(event)?.(payload, resolve));
    return { send, limited };
  };

  it("answers 'rate-limited' once the socket's bucket is empty, across every command of the table", async () => {
    let t = 0;
    const bucket = new TokenBucket({ burst: 3, perSecond: 1 }, () => t);
    const { send, limited } = serve({ buckets: [bucket] }, async () => ok(null));
    const answers = await Promise.all([
      send('thing:reset'),
      send('thing:count', { items: [] }),
      send('thing:reset'),
      send('thing:reset'),
      send('thing:count', { items: 'not validated when refused' }),
    ]);
    expect(answers.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual([
      'ok',
      'ok',
      'ok',
      'rate-limited',
      'rate-limited',
    ]);
    expect(limited).toEqual(['thing:reset', 'thing:count']);
    t += 1000;
    expect((await send('thing:reset')).ok).toBe(true);
  });

  it('refuses past maxInFlight until a running command settles', async () => {
    const gates: (() => void)[] = [];
    const { send } = serve({ maxInFlight: 2 }, () => new Promise((resolve) => gates.push(() => resolve(ok(null)))));
    const first = [send('thing:reset'), send('thing:reset')];
    expect(await send('thing:reset')).toMatchObject({ ok: false, error: { code: 'rate-limited' } });
    await settle();
    gates.shift()?.();
    await first[0];
    const again = send('thing:reset');
    await settle();
    gates.shift()?.();
    gates.shift()?.();
    expect(await again).toEqual(ok(null));
  });

  it('a keyed bucket is shared by every socket of one key, and idle keys are forgotten', () => {
    let t = 0;
    const keyed = new KeyedBuckets({ burst: 2, perSecond: 1 }, 3, () => t);
    const a1 = keyed.of('session-a');
    const a2 = keyed.of('session-a');
    expect([a1.take(), a2.take(), a1.take()]).toEqual([true, true, false]);
    for (let i = 0; i < 100; i++) keyed.take(`other-${i}`);
    expect(keyed.keys).toBeLessThanOrEqual(3);
    t += 10_000;
    expect(keyed.take('session-a')).toBe(true);
  });
});

describe('serveCommands against a client that ignores rate-limited', () => {
  it('calls onFlood once after floodAfter refusals in a row; an admitted command resets the count', async () => {
    const listeners = new Map<string, (...args: unknown[]) => void>();
    const socket = { on: (event: string, listener: (...args: unknown[]) => void) => listeners.set(event, listener) };
    let t = 0;
    let floods = 0;
    serveCommands(
      socket,
      table,
      { 'thing:count': (p) => ok(p.items.length), 'thing:reset': () => ok(null) },
      {
        onError: () => undefined,
        limits: {
          buckets: [new TokenBucket({ burst: 1, perSecond: 1 }, () => t)],
          floodAfter: 3,
          onFlood: () => floods++,
        },
      },
    );
    const send = () => new Promise<Result<unknown>>((resolve) => listeners.get('thing:reset')?.({}, resolve));
    await send();
    await send();
    await send();
    t += 1000;
    expect((await send()).ok).toBe(true);
    for (let i = 0; i < 10; i++) await send();
    expect(floods).toBe(1);
  });
});
