import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { cardKeyCommandSchema, parseWith, type Identity } from '@kiosk/protocol';
import type { SessionCardEvent } from './identification-session';
import { SYNTHETIC_BAC_KEY_INFO } from '../simulator/virtual-cccd';
import { accessCandidates, bacKeyCandidates } from './chip/access-key';
import { IdentificationSession, toAccessKey } from './identification-session';

const qrIdentity: Identity = {
  source: 'cccd-qr',
  idNumber: '079188012345',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
  issueDate: '2021-05-10',
};

const newSession = (idleMs = 60_000, onWipe?: () => void) =>
  new IdentificationSession({ idleMs, cardAwaitingRead: () => false, ...(onWipe && { onWipe }) });

describe('IdentificationSession: keys', () => {
  it('a CCCD QR gives the key whose first candidate opens the synthetic card', () => {
    const s = newSession();
    expect(s.scannedCccd(qrIdentity)).toEqual({ kind: 'identity' });
    const key = s.key();
    expect(key?.source).toBe('cccd-qr');
    const c = key ? bacKeyCandidates(key.key) : undefined;
    expect(c?.ok && c.value[0]).toBe(SYNTHETIC_BAC_KEY_INFO);
    s.reset();
  });

  it('staff keys are validated, come after the QR, and everything goes on reset', () => {
    const wiped = vi.fn();
    const s = newSession(60_000, wiped);
    s.scannedCccd(qrIdentity);
    expect(
      s.setStaffKey({ kind: 'document', documentNumber: '188012345', dateOfBirth: '880312', dateOfExpiry: '280312' }),
    ).toEqual({ ok: true, value: null });
    expect(s.key()?.source).toBe('cccd-qr');
    s.reset();
    expect(
      s.setStaffKey({ kind: 'document', documentNumber: '188012345', dateOfBirth: '880312', dateOfExpiry: '280312' }),
    ).toEqual({ ok: true, value: null });
    const key = s.key();
    expect(key?.source).toBe('staff');
    const c = key ? bacKeyCandidates(key.key) : undefined;
    expect(c?.ok && c.value).toEqual([SYNTHETIC_BAC_KEY_INFO]);
    expect(s.setStaffKey({ kind: 'mrz', mrz: 'x'.repeat(40) })).toMatchObject({ ok: false });
    s.reset();
    expect(s.key()).toBeUndefined();
    expect(wiped).toHaveBeenCalledTimes(2);
  });

  it('a CCCD number and birth date alone: the milestones of a card valid today, and the CAN', () => {
    const s = newSession();
    expect(s.setStaffKey({ kind: 'cccd', idNumber: '079188012345', dateOfBirth: '1988-03-12' }, '2026-12-05')).toEqual({
      ok: true,
      value: null,
    });
    const key = s.key();
    expect(key?.key).toMatchObject({ kind: 'cccd', asOf: '2026-12-05' });
    const c = key ? accessCandidates(key.key) : undefined;
    expect(c?.ok && c.value.can).toBe('012345');
    expect(c?.ok && c.value.mrz[0]).toBe(SYNTHETIC_BAC_KEY_INFO);
    s.reset();
  });

  it('a 6-digit CAN is kept for PACE; a CCCD key without dates and without a clock is refused', () => {
    const s = newSession();
    expect(s.setStaffKey({ kind: 'can', can: '012345' })).toEqual({ ok: true, value: null });
    expect(s.key()?.key).toEqual({ kind: 'can', can: '012345' });
    s.reset();
    expect(toAccessKey({ kind: 'cccd', idNumber: '079188012345', dateOfBirth: '1988-03-12' })).toMatchObject({
      ok: false,
      error: { code: 'bad-access-key' },
    });
  });

  it('forgets the key after the idle time', () => {
    vi.useFakeTimers();
    try {
      const s = newSession(1000);
      s.scannedCccd(qrIdentity);
      vi.advanceTimersByTime(999);
      expect(s.key()).toBeDefined();
      vi.advanceTimersByTime(1);
      expect(s.key()).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('random card:set-key payloads never throw: validated, then refused or kept', () => {
    const s = newSession();
    const payload = fc.oneof(
      fc.anything(),
      fc.record({
        kind: fc.constantFrom('mrz', 'document', 'cccd', 'can', 'x'),
        can: fc.stringMatching(/^\d{5,7}$/u),
        mrz: fc.string({ maxLength: 120 }),
        documentNumber: fc.stringMatching(/^[0-9A-Z<]{0,10}$/u),
        idNumber: fc.stringMatching(/^\d{10,13}$/u),
        dateOfBirth: fc.oneof(fc.stringMatching(/^\d{6}$/u), fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/u)),
        dateOfExpiry: fc.oneof(fc.stringMatching(/^\d{6}$/u), fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/u)),
        issueDate: fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/u),
      }),
    );
    fc.assert(
      fc.property(payload, (p) => {
        const parsed = parseWith(cardKeyCommandSchema, p);
        if (!parsed.ok) return;
        const r = s.setStaffKey(parsed.value);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
    s.reset();
  });
});

/** The agent around the session: a card on the reader, what the page hears, what the reader is told. */
function kiosk() {
  const world = { cardAwaiting: false };
  const page: string[] = [];
  let retries = 0;
  const s = new IdentificationSession({ idleMs: 60_000, cardAwaitingRead: () => world.cardAwaiting });
  const card = (e: SessionCardEvent) => {
    const o = s.cardEvent(e);
    if (o.tell) page.push(`${o.tell.state}${o.tell.reason ? `:${o.tell.reason}` : ''}`);
    if (o.retry) retries++;
    if (o.forward) page.push(e.type);
    return o;
  };
  const qr = (who: Identity) => {
    const o = s.scannedCccd(who);
    page.push(
      o.kind === 'identity' ? 'qr-identity' : o.kind === 'start-over' ? `start-over:${o.state.reason}` : o.kind,
    );
    return o;
  };
  return { s, world, page, card, qr, retries: () => retries };
}
const chipIdentity = (who: Identity, readId = 'r1'): Extract<SessionCardEvent, { type: 'card:identity' }> => ({
  type: 'card:identity',
  payload: { readId, identity: { ...who, source: 'chip' } },
  keySource: 'cccd-qr',
});
const otherPerson: Identity = {
  source: 'cccd-qr',
  idNumber: '001093047064',
  fullName: 'Ứng Hoàng Hiệp',
  dateOfBirth: '1993-01-05',
  issueDate: '2021-01-05',
};

describe('IdentificationSession: QR and card in any order', () => {
  it('QR then card: the page sees the QR identity, the QR key opens the chip, the chip identity follows', () => {
    const k = kiosk();
    expect(k.qr(qrIdentity)).toEqual({ kind: 'identity' });
    k.card({ type: 'card:present', payload: { readId: 'r1' } });
    expect(k.s.key()?.source).toBe('cccd-qr');
    k.card({ type: 'card:progress', payload: { readId: 'r1' } });
    k.card(chipIdentity(qrIdentity));
    k.card({ type: 'card:authenticity', payload: { readId: 'r1' } });
    expect(k.page).toEqual(['qr-identity', 'card:present', 'card:progress', 'card:identity', 'card:authenticity']);
    // The QR scanned again once the chip is read: the same person, nothing changes.
    expect(k.qr(qrIdentity)).toEqual({ kind: 'same-as-chip' });
  });

  it('card then QR: no key → need-qr (not a failure); the QR is the card key, its identity not shown', () => {
    const k = kiosk();
    k.card({ type: 'card:present', payload: { readId: 'r1' } });
    expect(k.s.key()).toBeUndefined();
    k.card({ type: 'card:progress', payload: { readId: 'r1' } });
    k.card({ type: 'card:failed', payload: { readId: 'r1' }, access: { outcome: 'no-key' } });
    k.world.cardAwaiting = true;
    expect(k.qr(qrIdentity)).toEqual({ kind: 'key-for-card' });
    expect(k.s.key()?.source).toBe('cccd-qr');
    k.world.cardAwaiting = false;
    k.card({ type: 'card:progress', payload: { readId: 'r1' } });
    k.card(chipIdentity(qrIdentity));
    expect(k.page).toEqual([
      'card:present',
      'card:progress',
      'need-qr:no-key',
      'key-for-card',
      'card:progress',
      'card:identity',
    ]);
  });

  it('a QR scanned while the card waits for consent is its key; scanned again, it stays the key', () => {
    const k = kiosk();
    k.card({ type: 'card:present', payload: { readId: 'r1' } });
    k.world.cardAwaiting = true;
    expect(k.qr(qrIdentity)).toEqual({ kind: 'key-for-card' });
    expect(k.qr(qrIdentity)).toEqual({ kind: 'key-for-card' });
    expect(k.s.key()?.source).toBe('cccd-qr');
  });

  it('the QR key refused by the chip (every milestone and the CAN): another person → start over', () => {
    const k = kiosk();
    k.qr(otherPerson);
    k.card({ type: 'card:present', payload: { readId: 'r1' } });
    k.card({ type: 'card:failed', payload: { readId: 'r1' }, access: { outcome: 'refused', keySource: 'cccd-qr' } });
    expect(k.page).toEqual(['qr-identity', 'card:present', 'start-over:qr-other-person']);
    expect(k.s.key()).toBeUndefined();
    expect(k.s.active).toBe(false);
  });

  it('a refused QR key falls back to a staff key for the same card', () => {
    const k = kiosk();
    k.qr(qrIdentity);
    expect(
      k.s.setStaffKey({
        kind: 'cccd',
        idNumber: '079188012345',
        dateOfBirth: '1988-03-12',
        dateOfExpiry: '2028-03-12',
      }),
    ).toMatchObject({ ok: true });
    k.card({ type: 'card:present', payload: { readId: 'r1' } });
    expect(k.s.key()?.source).toBe('cccd-qr');
    const o = k.card({
      type: 'card:failed',
      payload: { readId: 'r1' },
      access: { outcome: 'refused', keySource: 'cccd-qr' },
    });
    expect(o).toEqual({ forward: false, retry: true });
    expect(k.s.key()?.source).toBe('staff');
    // The staff key refused too: staff see the failure.
    expect(
      k.card({ type: 'card:failed', payload: { readId: 'r1' }, access: { outcome: 'refused', keySource: 'staff' } }),
    ).toEqual({ forward: true });
  });

  it('a printed MRZ the chip refused, with no QR: the page asks for the QR', () => {
    const k = kiosk();
    k.card({ type: 'card:present', payload: { readId: 'r1' } });
    k.card({ type: 'card:failed', payload: { readId: 'r1' }, access: { outcome: 'refused', keySource: 'mrz-optics' } });
    expect(k.page).toEqual(['card:present', 'need-qr:no-key']);
  });

  it('a chip opened by other means (MRZ optics) that is not the QR person: start over, the read withheld', () => {
    const k = kiosk();
    k.qr(otherPerson);
    k.card({ type: 'card:present', payload: { readId: 'r1' } });
    k.card({ ...chipIdentity(qrIdentity), keySource: 'mrz-optics' });
    k.card({ type: 'card:face', payload: { readId: 'r1' } });
    k.card({ type: 'card:authenticity', payload: { readId: 'r1' } });
    expect(k.page).toEqual(['qr-identity', 'card:present', 'start-over:qr-other-person']);
  });

  it('the QR of another person after the chip was read: start over', () => {
    const k = kiosk();
    k.card({ type: 'card:present', payload: { readId: 'r1' } });
    k.card({ ...chipIdentity(qrIdentity), keySource: 'staff' });
    expect(k.qr(otherPerson)).toMatchObject({
      kind: 'start-over',
      state: { state: 'start-over', reason: 'qr-other-person' },
    });
    expect(k.s.active).toBe(false);
  });

  it('a second card: the same person reads again; another person starts over', () => {
    const k = kiosk();
    k.qr(qrIdentity);
    k.card({ type: 'card:present', payload: { readId: 'r1' } });
    k.card(chipIdentity(qrIdentity));
    k.card({ type: 'card:present', payload: { readId: 'r2' } });
    k.card(chipIdentity(qrIdentity, 'r2'));
    expect(k.page.at(-1)).toBe('card:identity');
    // The QR's key does not open another person's card.
    k.card({ type: 'card:present', payload: { readId: 'r3' } });
    k.card({ type: 'card:failed', payload: { readId: 'r3' }, access: { outcome: 'refused', keySource: 'cccd-qr' } });
    expect(k.page.at(-1)).toBe('start-over:other-card');
    // A card opened by its own optics that is another person's than the chip read before.
    const j = kiosk();
    j.card({ type: 'card:present', payload: { readId: 'r1' } });
    j.card({ ...chipIdentity(qrIdentity), keySource: 'mrz-optics' });
    j.card({ type: 'card:present', payload: { readId: 'r2' } });
    j.card({ ...chipIdentity(otherPerson, 'r2'), keySource: 'mrz-optics' });
    expect(j.page.at(-1)).toBe('start-over:other-card');
  });

  it('a failure that is not about the key reaches the page; a card removed before consent too', () => {
    const k = kiosk();
    k.qr(qrIdentity);
    k.card({ type: 'card:present', payload: { readId: 'r1' } });
    k.card({ type: 'card:failed', payload: { readId: 'r1' } });
    expect(k.page.at(-1)).toBe('card:failed');
    expect(k.s.key()?.source).toBe('cccd-qr');
    // A read that failed after its identity (not authentic) identifies no one: the next QR is shown.
    k.card({ type: 'card:present', payload: { readId: 'r2' } });
    k.card(chipIdentity(qrIdentity, 'r2'));
    k.card({ type: 'card:failed', payload: { readId: 'r2' } });
    expect(k.qr(qrIdentity)).toEqual({ kind: 'identity' });
  });

  it('a QR without an issue date gives no key: its identity is shown even with a card waiting', () => {
    const k = kiosk();
    k.world.cardAwaiting = true;
    const { issueDate: _issue, ...noIssue } = qrIdentity;
    expect(k.qr(noIssue)).toEqual({ kind: 'identity' });
    expect(k.s.key()).toBeUndefined();
  });

  it('every order of QR, card and read, at random, never throws and never shows another person', () => {
    const step = fc.constantFrom(
      'qr-same',
      'qr-other',
      'present',
      'no-key',
      'refused',
      'identity',
      'other-identity',
      'reset',
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 20 }), (steps) => {
        const k = kiosk();
        let n = 0;
        let shown: string | undefined;
        for (const st of steps) {
          const readId = `r${n}`;
          if (st === 'qr-same') k.qr(qrIdentity);
          else if (st === 'qr-other') k.qr(otherPerson);
          else if (st === 'present') k.card({ type: 'card:present', payload: { readId: `r${++n}` } });
          else if (st === 'no-key') k.card({ type: 'card:failed', payload: { readId }, access: { outcome: 'no-key' } });
          else if (st === 'refused')
            k.card({ type: 'card:failed', payload: { readId }, access: { outcome: 'refused', keySource: 'cccd-qr' } });
          else if (st === 'reset') {
            k.s.reset();
            shown = undefined;
          } else {
            const who = st === 'identity' ? qrIdentity : otherPerson;
            if (k.card({ ...chipIdentity(who, readId), keySource: 'mrz-optics' }).forward) {
              // Within one session the page never sees two different people's chips.
              if (shown) expect(who.idNumber).toBe(shown);
              shown = who.idNumber;
            }
          }
          if (!k.s.active) shown = undefined;
        }
        k.s.reset();
      }),
    );
  });
});
