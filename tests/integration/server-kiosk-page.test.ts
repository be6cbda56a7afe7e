import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kioskConfigSchema, type Identity } from '@kiosk/protocol';
import { databaseKinds, databaseUrl, startServer, type RunningServer } from '../support/server-harness';

const patient = (n: number): Identity => ({
  source: 'cccd-qr',
  idNumber: `0791880${String(20000 + n).slice(-5)}`,
  fullName: 'Trần Văn Bình',
  dateOfBirth: '1980-01-01',
});

describe('the kiosk page from the server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ KIOSK_AGENT_PORT: '20051', HOSPITAL_ACCENT_COLOR: '#1565c0' });
  });
  afterAll(() => server?.stop());

  it('GET /api/kiosk/config is public and names the facility look and the agent port', async () => {
    const r = await fetch(`${server.url}/api/kiosk/config`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { ok: boolean; value: unknown };
    const config = kioskConfigSchema.parse(body.value);
    expect(config).toMatchObject({ agentPort: 20051, accentColor: '#1565c0' });
    expect(config.hospitalName.length).toBeGreaterThan(0);
  });

  it("a ticket names the clinic in both languages, the people ahead and the server's estimated wait", async () => {
    const issue = async (n: number) => {
      const r = await server.app.services.checkIn.checkIn(
        {
          checkInId: randomUUID(),
          identity: patient(n),
          serviceId: 'noi-tong-quat',
          priorityClaims: [],
          consent: true,
        },
        null,
      );
      if (!r.ok) throw new Error(r.error.code);
      return r.value.ticket;
    };
    const first = await issue(1);
    const second = await issue(2);
    expect(first.serviceName).toMatchObject({ vi: 'Khám Nội tổng quát', en: 'General internal medicine' });
    expect(first.departmentName?.en).toBe('Outpatient Department');
    expect(second.peopleAhead).toBe((first.peopleAhead ?? 0) + 1);
    // No calls yet: the configured default pace (5 min) per person ahead.
    expect(second.estimatedWaitMinutes).toBe((second.peopleAhead ?? 0) * 5);
  });
});

describe.each(databaseKinds)('the people ahead printed on a new ticket (%s)', (kind) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(await databaseUrl(kind));
  });
  afterAll(() => server?.stop());

  it('each new ticket counts the people ahead as the line is called: priority tickets interleaved, a call between', async () => {
    const serviceId = 'tai-mui-hong';
    const issue = async (n: number, elderly: boolean) => {
      const r = await server.app.services.checkIn.checkIn(
        {
          checkInId: randomUUID(),
          identity: { ...patient(100 + n), dateOfBirth: elderly ? '1940-01-01' : '1985-01-01' },
          serviceId,
          priorityClaims: [],
          consent: true,
        },
        null,
      );
      if (!r.ok) throw new Error(r.error.code);
      return { ...r.value.ticket, ticketId: r.value.ticketId };
    };
    const pattern = [false, false, true, false, true, true, false, true, false, true, true, true, false];
    for (const [i, elderly] of pattern.entries()) {
      if (i === 7) await server.app.services.queue.callNext(serviceId, 'Quầy 1', 'staff-test');
      const ticket = await issue(i, elderly);
      // The line as the status page reads it, ordered by the queue policy.
      const line = await server.app.services.ticketStatus.lineOf(serviceId);
      expect(ticket.peopleAhead, `ticket ${i}`).toBe(line.ahead.get(ticket.ticketId));
    }
  });
});
