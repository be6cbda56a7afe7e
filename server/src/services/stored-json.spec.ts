import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentHeartbeatSchema, checkInReceiptSchema, type CheckInReceipt } from '@kiosk/protocol';
import { z } from 'zod';
import { readStoredJson, readStoredList } from './stored-json';

const receipt: CheckInReceipt = {
  checkInId: '0190f2a4-7b1c-7d3e-8f00-1234567890ab',
  visitId: 'v1',
  ticketId: 't1',
  replayed: false,
  ticket: {
    hospitalName: 'Bệnh viện Đa khoa',
    department: 'Khoa Nhi',
    room: '205',
    floor: 2,
    number: 'B001',
    serviceType: 'insurance',
    priority: 'normal',
    issuedAt: '2026-11-22T01:00:00.000Z',
    lookupCode: 'AAAAAAAAAAAA',
    maskedName: 'N*** T** L**',
  },
};

describe('readStoredJson', () => {
  it('reads back a receipt as it was stored', () => {
    const read = readStoredJson(checkInReceiptSchema, JSON.stringify(receipt));
    expect(read).toEqual({ ok: true, value: receipt });
  });

  it('refuses text that is not JSON or not a receipt, naming where', () => {
    expect(readStoredJson(checkInReceiptSchema, '{"ticket":')).toMatchObject({
      ok: false,
      error: { code: 'stored-data-invalid' },
    });
    const wrong = readStoredJson(checkInReceiptSchema, JSON.stringify({ ...receipt, ticket: { number: 1 } }));
    expect(wrong.ok ? '' : wrong.error.message).toContain('ticket.');
  });

  it('never throws on random or truncated text', () => {
    const whole = JSON.stringify(receipt);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.nat({ max: whole.length }).map((n) => whole.slice(0, n)),
        ),
        (s) => {
          const read = readStoredJson(checkInReceiptSchema, s);
          expect(read.ok).toBe(s === whole);
          expect(readStoredJson(agentHeartbeatSchema.shape.devices, s).ok).toBeTypeOf('boolean');
        },
      ),
    );
  });
});

describe('readStoredList', () => {
  const kind = z.enum(['name', 'address']);
  it('keeps the items that fit, in order, and none of a text that is not a JSON list', () => {
    expect(readStoredList(kind, '["address","phone","name"]')).toEqual(['address', 'name']);
    expect(readStoredList(kind, '{"0":"name"}')).toEqual([]);
    expect(readStoredList(kind, 'name')).toEqual([]);
    expect(readStoredList(kind, '')).toEqual([]);
  });
  it('never throws, whatever the column holds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const read = readStoredList(kind, text);
        expect(read.every((k) => k === 'name' || k === 'address')).toBe(true);
      }),
    );
  });
});
