import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  backoffMs,
  decodeEngineFrame,
  decodeSocketPacket,
  encodeSocketPacket,
  type SocketPacket,
} from './small-socket';

// The socket's run against a real socket.io server is tests/integration/small-socket.test.ts.

describe('decodeSocketPacket', () => {
  it('reads the packets socket.io 4 sends', () => {
    expect(decodeSocketPacket('0{"sid":"abc"}')).toEqual({
      ok: true,
      value: { type: 0, nsp: '/', data: { sid: 'abc' } },
    });
    expect(decodeSocketPacket('0/sim,{"sid":"x"}')).toEqual({
      ok: true,
      value: { type: 0, nsp: '/sim', data: { sid: 'x' } },
    });
    expect(decodeSocketPacket('1')).toEqual({ ok: true, value: { type: 1, nsp: '/' } });
    expect(decodeSocketPacket('1/sim,')).toEqual({ ok: true, value: { type: 1, nsp: '/sim' } });
    expect(decodeSocketPacket('2["devices:changed",[]]')).toEqual({
      ok: true,
      value: { type: 2, nsp: '/', data: ['devices:changed', []] },
    });
    expect(decodeSocketPacket('212["ask",{"a":1}]')).toEqual({
      ok: true,
      value: { type: 2, nsp: '/', id: 12, data: ['ask', { a: 1 }] },
    });
    expect(decodeSocketPacket('37[{"ok":true,"value":null}]')).toEqual({
      ok: true,
      value: { type: 3, nsp: '/', id: 7, data: [{ ok: true, value: null }] },
    });
    expect(decodeSocketPacket('4/sim,{"message":"Invalid namespace"}')).toEqual({
      ok: true,
      value: { type: 4, nsp: '/sim', data: { message: 'Invalid namespace' } },
    });
  });

  it('refuses binary packets and malformed ones without throwing', () => {
    expect(decodeSocketPacket('51-["x",{"_placeholder":true,"num":0}]')).toEqual({ ok: false, reason: 'binary' });
    expect(decodeSocketPacket('61-0[{"_placeholder":true,"num":0}]')).toEqual({ ok: false, reason: 'binary' });
    for (const bad of [
      '',
      '9',
      'x',
      '2',
      '2{}',
      '2[1]',
      '2["a"',
      '3["a"]',
      '0[]',
      '012{}',
      '1"x"',
      '4',
      `2${'9'.repeat(16)}["a"]`,
    ])
      expect(decodeSocketPacket(bad)).toEqual({ ok: false, reason: 'malformed' });
    expect(decodeSocketPacket(42)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('never throws on random text, nor on a truncated packet', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        decodeSocketPacket(text);
        decodeSocketPacket(`2${text}`);
        decodeEngineFrame(text);
        decodeEngineFrame(`0${text}`);
      }),
      { numRuns: 2000 },
    );
    const full = encodeSocketPacket({ type: 2, nsp: '/sim', id: 3, data: ['a:b', { x: [1, 'é'] }] });
    for (let n = 0; n <= full.length; n++) decodeSocketPacket(full.slice(0, n));
  });

  it('reads back what it encodes: events with JSON arguments and ack ids, and acks', () => {
    const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    const nsp = fc.constantFrom('/', '/sim', '/a-b');
    const id = fc.option(fc.nat(), { nil: undefined });
    const event = fc
      .record({ nsp, id, name: fc.string(), args: fc.array(json, { maxLength: 4 }) })
      .map(({ nsp, id, name, args }): SocketPacket =>
        id === undefined ? { type: 2, nsp, data: [name, ...args] } : { type: 2, nsp, id, data: [name, ...args] },
      );
    const ack = fc
      .record({ nsp, id: fc.nat(), args: fc.array(json, { maxLength: 4 }) })
      .map(({ nsp, id, args }): SocketPacket => ({ type: 3, nsp, id, data: args }));
    fc.assert(
      fc.property(fc.oneof(event, ack), (packet) => {
        expect(decodeSocketPacket(encodeSocketPacket(packet))).toEqual({ ok: true, value: packet });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('decodeEngineFrame', () => {
  it('reads the open packet, pings and messages; refuses binary frames', () => {
    expect(decodeEngineFrame('0{"sid":"s","upgrades":[],"pingInterval":25000,"pingTimeout":20000}')).toEqual({
      ok: true,
      value: { kind: 'open', open: { sid: 's', pingIntervalMs: 25000, pingTimeoutMs: 20000 } },
    });
    expect(decodeEngineFrame('0{"sid":"s","pingInterval":-1,"pingTimeout":20000}')).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(decodeEngineFrame('2')).toEqual({ ok: true, value: { kind: 'ping', data: '' } });
    expect(decodeEngineFrame('40')).toEqual({ ok: true, value: { kind: 'message', data: '0' } });
    expect(decodeEngineFrame(new ArrayBuffer(4))).toEqual({ ok: false, reason: 'binary' });
    expect(decodeEngineFrame('')).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('backoffMs', () => {
  it('doubles from the first delay, moves by the jitter, and never passes the cap', () => {
    const options = { baseMs: 1000, maxMs: 2000, randomizationFactor: 0.5 };
    expect(backoffMs(0, options, () => 0.5)).toBe(1000);
    expect(backoffMs(0, options, () => 0)).toBe(500);
    expect(backoffMs(1, options, () => 0.5)).toBe(2000);
    fc.assert(
      fc.property(fc.nat(100), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const ms = backoffMs(attempt, options, () => r);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(2000);
      }),
    );
  });
});
