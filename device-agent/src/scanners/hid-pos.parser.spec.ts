import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HidPosAssembler, parseHidPosReport, type HidPosEvent } from './hid-pos.parser';

const REPORT_BYTES = 64;
const DATA_PER_REPORT = REPORT_BYTES - 4 - 1;

/** Builds reports in the hardware.md layout: [len][AIM×3][data…][pad…][more-data flag]. */
function reportsFor(payload: Uint8Array, aim = ']Q1', reportBytes = REPORT_BYTES): Uint8Array[] {
  const per = reportBytes - 5;
  const reports: Uint8Array[] = [];
  for (let offset = 0; offset === 0 || offset < payload.length; offset += per) {
    const part = payload.subarray(offset, offset + per);
    const r = new Uint8Array(reportBytes);
    r[0] = part.length;
    r.set(new TextEncoder().encode(aim).subarray(0, 3), 1);
    r.set(part, 4);
    r[reportBytes - 1] = offset + per < payload.length ? 0x01 : 0x00;
    reports.push(r);
  }
  return reports;
}

const payloads = (events: HidPosEvent[]) => events.filter((e) => e.kind === 'payload');

describe('parseHidPosReport', () => {
  it('reads length, AIM id, data and the more-data flag', () => {
    const [r] = reportsFor(new TextEncoder().encode('ABC'));
    expect(parseHidPosReport(r!)).toEqual({
      kind: 'report',
      data: Uint8Array.from([65, 66, 67]),
      aimId: ']Q1',
      moreData: false,
    });
  });

  it('omits an absent AIM id (zero bytes)', () => {
    const [r] = reportsFor(new TextEncoder().encode('X'), '\0\0\0');
    const parsed = parseHidPosReport(r!);
    expect(parsed.kind).toBe('report');
    expect(parsed).not.toHaveProperty('aimId');
  });

  it('rejects short reports and lengths that run into the flag byte', () => {
    expect(parseHidPosReport(Uint8Array.of(1, 2))).toEqual({ kind: 'rejected', code: 'short-report' });
    const r = reportsFor(new TextEncoder().encode('A'))[0]!;
    r[0] = DATA_PER_REPORT + 1;
    expect(parseHidPosReport(r)).toEqual({ kind: 'rejected', code: 'bad-length' });
  });

  it('with a report id: strips it, ignores other report ids', () => {
    const body = reportsFor(new TextEncoder().encode('OK'))[0]!;
    const withId = Uint8Array.from([0x02, ...body]);
    expect(parseHidPosReport(withId, { ...defaults(), reportId: 0x02 })).toMatchObject({
      kind: 'report',
      aimId: ']Q1',
    });
    expect(parseHidPosReport(Uint8Array.from([0x04, ...body]), { ...defaults(), reportId: 0x02 })).toEqual({
      kind: 'ignored',
    });
  });
});

function defaults() {
  return {
    lengthOffset: 0,
    symbologyOffset: 1,
    symbologyLength: 3,
    dataOffset: 4,
    moreDataOffset: -1,
    moreDataMask: 1,
  };
}

describe('HidPosAssembler', () => {
  it('joins a multi-report Vietnamese payload, UTF-8 split across reports intact', () => {
    const text =
      '079188012345|012345678|Nguyễn Thị Lan|01011990|Nữ|Số 1 Đường Lê Lợi, Phường Bến Thành, Quận 1, TP Hồ Chí Minh|01012021';
    const bytes = new TextEncoder().encode(text);
    const reports = reportsFor(bytes);
    expect(reports.length).toBeGreaterThan(2);
    const a = new HidPosAssembler();
    const events = reports.flatMap((r, i) => a.push(r, i));
    expect(events).toHaveLength(1);
    const [event] = payloads(events);
    expect(new TextDecoder().decode(event?.kind === 'payload' ? event.bytes : undefined)).toBe(text);
    expect(event).toMatchObject({ aimId: ']Q1' });
    expect(a.pending).toBe(false);
  });

  it('drops a stale partial as incomplete and starts afresh', () => {
    const a = new HidPosAssembler({ stalePartialMs: 100 });
    const first = reportsFor(new Uint8Array(DATA_PER_REPORT * 2).fill(0x41));
    a.push(first[0]!, 0);
    const events = a.push(reportsFor(new TextEncoder().encode('NEW'))[0]!, 500);
    expect(events[0]).toEqual({ kind: 'rejected', code: 'incomplete' });
    expect(payloads(events)).toHaveLength(1);
  });

  it('rejects a payload over the limit once, then recovers', () => {
    const a = new HidPosAssembler({ maxPayloadBytes: 100 });
    const events = reportsFor(new Uint8Array(300).fill(0x42)).flatMap((r) => a.push(r, 0));
    expect(events).toEqual([{ kind: 'rejected', code: 'too-long' }]);
    expect(payloads(a.push(reportsFor(new TextEncoder().encode('OK'))[0]!, 1))).toHaveLength(1);
  });

  it('fuzz: random reports never throw and never produce more payload bytes than they carried', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 50 }), (reports) => {
        const a = new HidPosAssembler();
        let carried = 0;
        let produced = 0;
        reports.forEach((r, i) => {
          carried += r.length;
          for (const e of a.push(r, i)) if (e.kind === 'payload') produced += e.bytes.length;
        });
        expect(produced).toBeLessThanOrEqual(carried);
      }),
    );
  });

  it('fuzz: truncated real reports never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.nat(REPORT_BYTES), (text, keep) => {
        const a = new HidPosAssembler();
        for (const r of reportsFor(new TextEncoder().encode(text))) a.push(r.subarray(0, keep), 0);
      }),
    );
  });

  it('property: any payload split into reports comes back byte-identical', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 1000 }),
        fc.integer({ min: 8, max: 64 }),
        (payload, size) => {
          const a = new HidPosAssembler();
          const events = reportsFor(payload, ']C0', size).flatMap((r) => a.push(r, 0));
          expect(events).toHaveLength(1);
          expect(events[0]).toEqual({ kind: 'payload', bytes: payload, aimId: ']C0' });
        },
      ),
    );
  });
});
