import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckInRequest, OfflineLease } from '@kiosk/protocol';
import { OfflineJournal } from './offline-journal';
import { offlineTicket } from './offline-ticket';

const dirs: string[] = [];
const journals: OfflineJournal[] = [];
const open = (dir?: string) => {
  const d = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'offline-journal-'));
  if (!dir) dirs.push(d);
  const j = new OfflineJournal(path.join(d, 'data', 'offline-journal.sqlite'));
  journals.push(j);
  return j;
};
afterEach(() => {
  for (const j of journals.splice(0)) j.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const now = new Date('2026-03-02T02:00:00.000Z');
const lease = (over: Partial<OfflineLease> = {}): OfflineLease => ({
  leaseId: randomUUID(),
  serviceId: 'noi',
  day: '2026-03-02',
  prefix: 'A',
  firstSeq: 11,
  lastSeq: 13,
  expiresAt: '2026-03-02T17:00:00.000Z',
  hospitalName: 'BV',
  department: 'Khoa Nội',
  room: '101',
  floor: 1,
  ...over,
});
const request = (over: Partial<CheckInRequest> = {}): CheckInRequest => ({
  checkInId: randomUUID(),
  identity: { source: 'cccd-qr', idNumber: '079100000001', fullName: 'Nguyễn Văn An', dateOfBirth: '1940-01-01' },
  serviceId: 'noi',
  priorityClaims: [],
  consent: true,
  ...over,
});
const issue = (j: OfflineJournal, r = request(), at = now) => j.issue(r, at, (l, seq) => offlineTicket(r, l, seq, at));

describe('OfflineJournal', () => {
  it('is a 0600 file and issues each leased number once, in order, then none', () => {
    const j = open();
    expect(fs.statSync(j.file).mode & 0o777).toBe(0o600);
    j.saveLeases([lease()], now);
    const numbers = [issue(j), issue(j), issue(j)].map((e) => e?.ticket.number);
    expect(numbers).toEqual(['A011', 'A012', 'A013']);
    expect(issue(j)).toBeUndefined();
    expect(j.remaining(now)).toEqual([]);
  });

  it('builds the ticket as online: masked name, priority by age, service type, offline mark', () => {
    const j = open();
    j.saveLeases([lease()], now);
    const e = issue(j, request({ identity: { ...request().identity, insuranceNumber: 'GD4797912345678' } }));
    expect(e?.ticket).toMatchObject({
      maskedName: 'N. V. An',
      priority: 'elderly-75',
      serviceType: 'insurance',
      offline: true,
    });
    expect(e?.ticket.lookupCode).toMatch(/^[A-Z2-9]{12}$/u);
  });

  it('keeps a lease already held at its next number when the server sends it again', () => {
    const j = open();
    const l = lease();
    j.saveLeases([l], now);
    issue(j);
    expect(j.saveLeases([l, lease({ firstSeq: 41, lastSeq: 42 })], now)).toBe(1);
    expect(j.remaining(now)).toEqual([{ serviceId: 'noi', day: '2026-03-02', count: 4 }]);
    expect([issue(j), issue(j), issue(j)].map((e) => e?.ticket.number)).toEqual(['A012', 'A013', 'A041']);
  });

  it('never issues from an expired lease', () => {
    const j = open();
    j.saveLeases([lease({ expiresAt: '2099-01-01T00:00:00.000Z' })], now);
    expect(issue(j, request(), new Date('2100-01-01T00:00:00.000Z'))).toBeUndefined();
  });

  it('survives a reopen; settled entries leave the backlog and lose their personal data', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-journal-'));
    dirs.push(dir);
    const j = open(dir);
    j.saveLeases([lease()], now);
    const a = issue(j);
    const b = issue(j);
    if (!a || !b) throw new Error('not issued');
    j.markPrinted(a.request.checkInId, 'confirmed');
    j.close();
    const again = open(dir);
    expect(again.backlog()).toEqual({ backlog: 2, oldestAt: now.toISOString() });
    expect(again.pending(10).map((e) => [e.ticket.number, e.print])).toEqual([
      ['A011', 'confirmed'],
      ['A012', 'pending'],
    ]);
    again.settle([{ checkInId: a.request.checkInId, state: 'stored', number: 'A011' }]);
    expect(again.backlog().backlog).toBe(1);
    expect(again.pending(10).map((e) => e.ticket.number)).toEqual(['A012']);
    // Settling twice (a replay answered again after a restart) changes nothing.
    again.settle([{ checkInId: a.request.checkInId, state: 'already', number: 'A011' }]);
    expect(again.entries().map((e) => [e.number, e.synced])).toEqual([
      ['A011', true],
      ['A012', false],
    ]);
    const raw = fs.readFileSync(again.file);
    expect(raw.includes(Buffer.from('079100000001'))).toBe(true); // the unsettled entry only
  });
});
