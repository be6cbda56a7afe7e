import { describe, expect, it, vi } from 'vitest';
import type {
  CheckInOutcome,
  ClassifiedScan,
  Identity,
  Result,
  ServiceInfo,
  TicketPublicStatus,
} from '@kiosk/protocol';
import { KioskFlow, idleSettings, type FlowTimers, type KioskPort } from './kiosk-flow';

const lan: Identity = {
  source: 'cccd-qr',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
  idNumber: '079188012345',
};
const service: ServiceInfo = {
  id: 'noi',
  prefix: 'A',
  name: { vi: 'Nội tổng quát', en: 'General medicine' },
  department: { vi: 'Khoa Khám bệnh', en: 'Outpatient department' },
  room: '101',
  floor: 1,
  waiting: 3,
};
const outcome = (printed: boolean): CheckInOutcome => ({
  receipt: {
    checkInId: '0190a5b2-0000-7000-8000-000000000000',
    visitId: 'v',
    ticketId: 't',
    replayed: false,
    ticket: {
      hospitalName: 'BV',
      department: 'Khoa Khám bệnh',
      room: '101',
      floor: 1,
      number: 'A001',
      serviceType: 'fee-paying',
      priority: 'normal',
      issuedAt: '2026-12-05T01:00:00.000Z',
      lookupCode: 'ABCD23456789',
    },
  },
  print: { state: printed ? 'confirmed' : 'failed' },
});

const waiting = (ahead: number): TicketPublicStatus => ({
  code: 'ABCD23456789',
  number: 'A007',
  state: 'waiting',
  service: { vi: 'Nội tổng quát', en: 'General medicine' },
  room: '101',
  floor: 1,
  ahead,
  estimatedWaitMs: ahead * 300_000,
  calledTo: null,
  issuedAt: '2026-12-05T01:00:00.000Z',
  hospitalName: 'BV',
  notify: { placesAhead: 3, channels: [] },
  at: '2026-12-05T01:05:00.000Z',
});
const called = (to: string): TicketPublicStatus => ({
  ...waiting(0),
  state: 'called',
  ahead: null,
  estimatedWaitMs: null,
  calledTo: to,
});
const failure = (code: string): Result<TicketPublicStatus> => ({ ok: false, error: { code, message: code } });
const ticketScan = (lookupCode = 'ABCD23456789') => ({ kind: 'ticket-qr', lookupCode }) as ClassifiedScan;

/** Timers the test advances by hand. */
function manualTimers(): FlowTimers & { advance(ms: number): void } {
  let now = 0;
  let next = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  return {
    set: (fn, ms) => {
      const id = next++;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clear: (h) => void pending.delete(h as number),
    now: () => now,
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
  };
}

function setup(overrides: Partial<KioskPort> = {}) {
  const timers = manualTimers();
  const port: KioskPort = {
    listServices: () => Promise.resolve({ ok: true, value: [service] }),
    readCard: () => Promise.resolve({ ok: true, value: null }),
    checkInsurance: () => Promise.resolve({ ok: true, value: { verdict: 'eligible' } }),
    submitCheckIn: () => Promise.resolve({ ok: true, value: outcome(true) }),
    printReceipt: () => Promise.resolve({ ok: true, value: { state: 'confirmed' } }),
    ticketStatus: () => Promise.resolve({ ok: true, value: waiting(2) }),
    resetSession: vi.fn(),
    hasInsuranceCheck: () => false,
    newCheckInId: () => '0190a5b2-0000-7000-8000-000000000001',
    ...overrides,
  };
  const onWipe = vi.fn();
  const flow = new KioskFlow({ port, idleMs: 30_000, promptMs: 10_000, timers, onWipe });
  return { flow, port, timers, onWipe };
}
const scan = (identity: Identity): ClassifiedScan => ({ kind: 'cccd-qr', identity }) as ClassifiedScan;
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('KioskFlow', () => {
  it('walks a QR check-in from the scan to the ticket and the thank-you', async () => {
    const { flow, timers } = setup();
    flow.scanned(scan(lan));
    expect(flow.state.step).toBe('confirm');
    await settle();
    expect(flow.state.services).toHaveLength(1);
    flow.confirm();
    expect(flow.state.step).toBe('consent');
    flow.agree();
    await settle();
    expect(flow.state.step).toBe('service');
    flow.chooseService(service);
    flow.toggleClaim('pregnant');
    flow.submit();
    expect(flow.state.step).toBe('payment');
    flow.nothingToPay();
    await settle();
    expect(flow.state.step).toBe('ticket');
    expect(flow.state.outcome?.receipt.ticket.number).toBe('A001');
    flow.finish();
    expect(flow.state.step).toBe('thanks');
    expect(flow.state.identity).toBeNull();
    timers.advance(4_000);
    expect(flow.state.step).toBe('attract');
  });

  it('asks "still there?" after idleMs − promptMs and wipes after promptMs', () => {
    const { flow, timers, onWipe, port } = setup();
    flow.scanned(scan(lan));
    flow.setLargeText(true);
    timers.advance(19_999);
    expect(flow.state.stillThere).toBe(false);
    timers.advance(1);
    expect(flow.state.stillThere).toBe(true);
    expect(flow.state.wipeAt).toBe(30_000);
    timers.advance(9_999);
    expect(flow.state.step).toBe('confirm');
    timers.advance(1);
    expect(flow.state).toMatchObject({ step: 'attract', identity: null, stillThere: false, largeText: false });
    expect(onWipe).toHaveBeenCalled();
    expect(port.resetSession).toHaveBeenCalled();
  });

  it('a touch during the prompt keeps the session and restarts the clock', () => {
    const { flow, timers } = setup();
    flow.scanned(scan(lan));
    timers.advance(25_000);
    expect(flow.state.stillThere).toBe(true);
    flow.touch();
    expect(flow.state.stillThere).toBe(false);
    timers.advance(19_000);
    expect(flow.state.step).toBe('confirm');
    expect(flow.state.identity?.fullName).toBe('Nguyễn Thị Lan');
  });

  it('the attract screen has no idle clock', () => {
    const { flow, timers } = setup();
    flow.touch();
    timers.advance(100_000);
    expect(flow.state.stillThere).toBe(false);
  });

  it("a bad scan's problem belongs to its step: a valid scan's confirm screen shows none", () => {
    const { flow } = setup();
    flow.scanned({ kind: 'unknown' } as unknown as ClassifiedScan);
    expect(flow.problem).toBe('hint.scan-qr-instead');
    flow.scanned(scan(lan));
    expect(flow.state.step).toBe('confirm');
    expect(flow.problem).toBeNull();
  });

  it('a problem on one step is not shown on the next even if the state keeps it', () => {
    const { flow } = setup();
    flow.scanned(scan(lan));
    flow.scanned({ kind: 'vneid-qr' } as ClassifiedScan);
    expect(flow.problem).toBe('hint.go-to-counter');
    flow.confirm();
    expect(flow.problem).toBeNull();
  });

  it('a failed check-in goes back to the priority step with the counter hint', async () => {
    const failed: Result<CheckInOutcome> = {
      ok: false,
      error: { code: 'x', message: 'x', hint: 'go-to-counter' },
    };
    const { flow } = setup({ submitCheckIn: () => Promise.resolve(failed) });
    flow.identified(lan);
    flow.chooseService(service);
    flow.nothingToPay();
    await settle();
    expect(flow.state.step).toBe('priority');
    expect(flow.problem).toBe('hint.go-to-counter');
  });

  it('a chip read: consent first, progress, the identity once verified, consent not asked again', async () => {
    const { flow } = setup();
    flow.cardPresented('r1');
    expect(flow.state.step).toBe('consent');
    flow.agree();
    expect(flow.state.step).toBe('reading');
    flow.cardProgressed({ readId: 'r1', step: 'reading-identity', percent: 40 });
    flow.cardProgressed({ readId: 'r1', step: 'reading-identity', percent: 30 });
    expect(flow.state.readPercent).toBe(40);
    flow.cardIdentified({ readId: 'r1', identity: lan, authenticity: { passive: 'not-checked', signer: 'unknown' } });
    expect(flow.state.step).toBe('reading');
    flow.cardVerified({ readId: 'r1', authenticity: { passive: 'valid', signer: 'trusted' } });
    expect(flow.state.step).toBe('confirm');
    expect(flow.state.authenticity?.passive).toBe('valid');
    flow.confirm();
    await settle();
    expect(flow.state.step).toBe('service');
  });

  it('a card that fails authenticity wipes the session and says why on the start screen', () => {
    const { flow } = setup();
    flow.cardPresented('r1');
    flow.agree();
    flow.cardFailed({ readId: 'r1', code: 'not-authentic' });
    expect(flow.state.step).toBe('attract');
    expect(flow.problem).toBe('kiosk.auth.invalid');
  });

  it('back goes one step back; from the first step it starts over', () => {
    const { flow } = setup();
    flow.identified(lan);
    flow.chooseService(service);
    flow.back();
    expect(flow.state.step).toBe('service');
    flow.back();
    expect(flow.state.step).toBe('confirm');
    flow.back();
    expect(flow.state.step).toBe('attract');
    expect(flow.state.identity).toBeNull();
  });

  it('bounds idleMs and promptMs from the query', () => {
    expect(idleSettings(new URLSearchParams(''))).toEqual({ idleMs: 60_000, promptMs: 15_000 });
    expect(idleSettings(new URLSearchParams('idleMs=4000'))).toEqual({ idleMs: 4_000, promptMs: 1_000 });
    expect(idleSettings(new URLSearchParams('idleMs=30000&promptMs=26000'))).toEqual({
      idleMs: 30_000,
      promptMs: 26_000,
    });
    expect(idleSettings(new URLSearchParams('idleMs=30000&promptMs=99999'))).toEqual({
      idleMs: 30_000,
      promptMs: 29_000,
    });
    expect(idleSettings(new URLSearchParams('idleMs=junk&promptMs=-5'))).toEqual({ idleMs: 60_000, promptMs: 15_000 });
  });
});

describe('KioskFlow: the card and its QR on a reader without optics', () => {
  it("card first: the notice, then the need-QR step; the QR scanned there is the chip's key, not an identity", async () => {
    const { flow, port } = setup();
    flow.cardPresented('r1');
    expect(flow.state.step).toBe('consent');
    flow.agree();
    expect(flow.state.step).toBe('reading');
    await settle();
    flow.identificationChanged({ state: 'need-qr', readId: 'r1' });
    expect(flow.state).toMatchObject({ step: 'need-qr', qrScanned: false });
    flow.scanned(scan(lan));
    expect(flow.state).toMatchObject({ step: 'need-qr', qrScanned: true, identity: null });
    // The agent opens the chip with the QR's key: the read goes on.
    flow.cardProgressed({ readId: 'r1', step: 'dg1', percent: 40 } as never);
    expect(flow.state.step).toBe('reading');
    expect(port.resetSession).not.toHaveBeenCalled();
  });

  it('the card put back after its QR is read at once (consent was given) and the agent keeps the key', async () => {
    const readCard = vi.fn(() => Promise.resolve({ ok: true as const, value: null }));
    const { flow, port } = setup({ readCard });
    flow.setLargeText(true);
    flow.cardPresented('r1');
    flow.agree();
    await settle();
    flow.identificationChanged({ state: 'need-qr', readId: 'r1' });
    flow.cardPresented('r2');
    expect(flow.state).toMatchObject({ step: 'reading', readId: 'r2', largeText: true });
    expect(readCard).toHaveBeenLastCalledWith('r2');
    expect(port.resetSession).not.toHaveBeenCalled();
  });

  it('a QR of another person than the card starts over with its message', () => {
    const { flow, port } = setup();
    flow.cardPresented('r1');
    flow.identificationChanged({ state: 'start-over', reason: 'qr-other-person' } as never);
    expect(flow.state.step).toBe('attract');
    expect(flow.problem).toBe('id.start-over.qr-other-person');
    expect(port.resetSession).toHaveBeenCalled();
  });

  it('a need-QR for another read than the one on screen is ignored', () => {
    const { flow } = setup();
    flow.cardPresented('r1');
    flow.identificationChanged({ state: 'need-qr', readId: 'old' });
    expect(flow.state.step).toBe('consent');
  });
});

describe("KioskFlow: a ticket's QR shows its status", () => {
  it('opens the status step from the start, keeps it up to date, and wipes on the idle timeout', async () => {
    const answers = [waiting(2), waiting(1), called('Phòng 104')];
    const asked: string[] = [];
    const { flow, timers, port } = setup({
      ticketStatus: (code) => {
        asked.push(code);
        return Promise.resolve({ ok: true, value: answers.shift() ?? called('Phòng 104') });
      },
    });
    flow.scanned(ticketScan());
    expect(flow.state).toMatchObject({ step: 'ticket-status', ticketCode: 'ABCD23456789', ticketStatus: null });
    await settle();
    expect(flow.state.ticketStatus?.ahead).toBe(2);
    timers.advance(5_000);
    await settle();
    expect(flow.state.ticketStatus?.ahead).toBe(1);
    timers.advance(5_000);
    await settle();
    expect(flow.state.ticketStatus).toMatchObject({ state: 'called', calledTo: 'Phòng 104' });
    expect(asked).toEqual(['ABCD23456789', 'ABCD23456789', 'ABCD23456789']);
    // Updates are not touches: the idle clock runs on, and the wipe ends the polling.
    timers.advance(10_000);
    await settle();
    expect(flow.state).toMatchObject({ step: 'ticket-status', stillThere: true });
    timers.advance(10_000);
    expect(flow.state).toMatchObject({ step: 'attract', ticketCode: null, ticketStatus: null });
    expect(port.resetSession).toHaveBeenCalled();
    const before = asked.length;
    timers.advance(60_000);
    await settle();
    expect(asked.length).toBe(before);
  });

  it('an unknown or expired code is a full problem whose button goes back to the start', async () => {
    for (const [code, key] of [
      ['unknown-code', 'kiosk.ticket-status.unknown'],
      ['validation-failed', 'kiosk.ticket-status.unknown'],
      ['expired', 'kiosk.ticket-status.expired'],
      ['rate-limited', 'kiosk.ticket-status.limited'],
      ['server-unreachable', 'kiosk.ticket-status.unavailable'],
    ] as const) {
      const { flow, timers } = setup({ ticketStatus: () => Promise.resolve(failure(code)) });
      flow.scanned(ticketScan());
      await settle();
      expect(flow.state.step).toBe('ticket-status');
      expect(flow.problem).toBe(key);
      flow.dismissProblem();
      expect(flow.state.step).toBe('attract');
      timers.advance(60_000);
    }
  });

  it('a visit that ends while shown ends the status; a passing fault keeps it, marked old', async () => {
    const answers: Result<TicketPublicStatus>[] = [
      { ok: true, value: waiting(1) },
      failure('server-unreachable'),
      { ok: true, value: called('P.12') },
      failure('expired'),
    ];
    const { flow, timers } = setup({ ticketStatus: () => Promise.resolve(answers.shift() ?? failure('expired')) });
    flow.scanned(ticketScan());
    await settle();
    timers.advance(5_000);
    await settle();
    expect(flow.state).toMatchObject({ ticketStatusStale: true, ticketStatus: { ahead: 1 } });
    expect(flow.problem).toBeNull();
    timers.advance(5_000);
    await settle();
    expect(flow.state).toMatchObject({ ticketStatusStale: false, ticketStatus: { calledTo: 'P.12' } });
    timers.advance(5_000);
    await settle();
    expect(flow.state.ticketStatus).toBeNull();
    expect(flow.problem).toBe('kiosk.ticket-status.expired');
  });

  it('mid-session it wipes like a booking QR; never while submitting or over an unprinted ticket', async () => {
    const { flow, port } = setup();
    flow.scanned(scan(lan));
    flow.scanned(ticketScan());
    expect(flow.state).toMatchObject({ step: 'ticket-status', identity: null });
    expect(port.resetSession).toHaveBeenCalledTimes(1);
    // Another ticket over the status: its status, no new session.
    flow.scanned(ticketScan('WXYZ23456789'));
    expect(flow.state.ticketCode).toBe('WXYZ23456789');
    expect(port.resetSession).toHaveBeenCalledTimes(1);
    await settle();

    const unprinted = setup({ submitCheckIn: () => Promise.resolve({ ok: true, value: outcome(false) }) });
    unprinted.flow.identified(lan);
    unprinted.flow.chooseService(service);
    unprinted.flow.nothingToPay();
    unprinted.flow.scanned(ticketScan());
    expect(unprinted.flow.state.step).toBe('submitting');
    await settle();
    expect(unprinted.flow.state.step).toBe('ticket');
    unprinted.flow.scanned(ticketScan());
    expect(unprinted.flow.state.step).toBe('ticket');
  });

  it('an answer for an earlier ticket is dropped', async () => {
    let release: (r: Result<TicketPublicStatus>) => void = () => undefined;
    const { flow } = setup({
      ticketStatus: (code) =>
        code === 'ABCD23456789'
          ? new Promise((resolve) => (release = resolve))
          : Promise.resolve({ ok: true, value: { ...waiting(5), code } }),
    });
    flow.scanned(ticketScan());
    flow.scanned(ticketScan('WXYZ23456789'));
    await settle();
    release({ ok: true, value: waiting(2) });
    await settle();
    expect(flow.state.ticketStatus).toMatchObject({ code: 'WXYZ23456789', ahead: 5 });
  });
});
