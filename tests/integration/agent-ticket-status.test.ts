/**
 * A ticket's QR scanned at a kiosk: the page asks its agent `ticket:status`, the agent asks the
 * server over its link, and the server answers from the ticket-status service — the same answer
 * as the phone's page (no name, no ID number), live (people ahead, then the call and its room),
 * 'expired' once the visit is over, unknown codes counted against a guess budget of the kiosk's
 * own, and a clear error when the server cannot be reached.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { Agent } from '@kiosk/device-agent';
import type {
  AgentToKioskUiEvents,
  CalledTicket,
  Identity,
  KioskUiToAgentEvents,
  Result,
  TicketPublicStatus,
} from '@kiosk/protocol';
import { api, login, startServer, type RunningServer } from '../support/server-harness';
import { startPairedKiosk, type PairedKiosk } from '../support/paired-kiosk';
import { until } from '../support/until';

type Ui = Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;

const hoa = (n: number): Identity => ({
  source: 'cccd-qr',
  idNumber: `0791990${String(10000 + n).slice(-5)}`,
  fullName: 'Nguyễn Thị Hoa',
  dateOfBirth: '1985-03-04',
});
const guess = () =>
  Array.from({ length: 12 }, () => 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'[randomBytes(1)[0]! % 32]).join('');

let server: RunningServer;
let kiosk: PairedKiosk | undefined;
let agent: Agent;
let ui: Ui;
let reception: string;
const send = <T>(fn: (ack: (r: Result<T>) => void) => void) => new Promise<Result<T>>((resolve) => fn(resolve));
const statusOf = (code: string) =>
  send<TicketPublicStatus>((ack) => ui.emit('ticket:status', { code }, ack)).then((r) => r);

let n = 0;
const issue = async (serviceId: string) => {
  n += 1;
  const r = await server.app.services.checkIn.checkIn(
    { checkInId: randomUUID(), identity: hoa(n), serviceId, priorityClaims: [], consent: true },
    null,
  );
  if (!r.ok) throw new Error(r.error.code);
  return { ticketId: r.value.ticketId, code: r.value.ticket.lookupCode, number: r.value.ticket.number };
};

beforeAll(async () => {
  server = await startServer({
    BOOTSTRAP_PAIRING_CODE: 'STATUSCODE12',
    STATUS_GUESS_BURST: '3',
    STATUS_GUESS_PER_MINUTE: '0.001',
  });
  reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
  kiosk = await startPairedKiosk(server.url, { pairingCode: 'STATUSCODE12' });
  ({ agent, ui } = kiosk);
});

afterAll(async () => {
  await kiosk?.close();
  await server?.stop();
});

describe("a ticket's status asked at a kiosk", () => {
  it("answers the phone page's status, follows the call, and expires with the visit", async () => {
    await issue('san-phu-khoa');
    const mine = await issue('san-phu-khoa');
    const first = await statusOf(mine.code);
    expect(first).toMatchObject({
      ok: true,
      value: { code: mine.code, number: mine.number, state: 'waiting', ahead: 1, calledTo: null },
    });
    // The same answer as the phone's, and nothing of the patient.
    const phone = (await (await fetch(`${server.url}/api/t/${mine.code}`)).json()) as Result<TicketPublicStatus>;
    expect(first.ok && phone.ok && { ...first.value, at: '' }).toEqual(phone.ok && { ...phone.value, at: '' });
    expect(JSON.stringify(first)).not.toMatch(/Nguyễn|Hoa|079199|1985|ticketId|serviceId/u);

    // The counter calls until this ticket comes up: the kiosk's next answer says where to go.
    for (let i = 0; i < 5; i++) {
      const called = await api<CalledTicket | null>(server.url, reception, 'POST', '/api/queue/call-next', {
        serviceId: 'san-phu-khoa',
        counter: 'Phòng 104',
      });
      if (called.body.value?.ticketId === mine.ticketId) break;
    }
    const now = await statusOf(mine.code);
    expect(now).toMatchObject({ ok: true, value: { state: 'called', calledTo: 'Phòng 104', ahead: null } });

    await api(server.url, reception, 'POST', `/api/queue/tickets/${mine.ticketId}/complete`, {});
    const over = await statusOf(mine.code);
    expect(over.ok ? 'ok' : over.error.code).toBe('expired');
  });

  it("counts the kiosk's unknown codes against its own budget and refuses malformed ones", async () => {
    const real = await issue('noi-tong-quat');
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await statusOf(guess());
      answers.push(r.ok ? 'ok' : r.error.code);
    }
    expect(answers).toEqual(['unknown-code', 'unknown-code', 'unknown-code', 'rate-limited', 'rate-limited']);
    const limited = await statusOf(real.code);
    expect(limited.ok ? 'ok' : limited.error.code).toBe('rate-limited');
    // The kiosk's budget is its own: the phones at the same address still get their answer.
    expect((await fetch(`${server.url}/api/t/${real.code}`)).status).toBe(200);
    const malformed = await statusOf('TK:not-a-code');
    expect(malformed.ok ? 'ok' : malformed.error.code).toBe('validation-failed');
  });

  it('answers a clear error when the server cannot be reached', async () => {
    const real = await issue('noi-tong-quat');
    await server.stop();
    await until(() => !agent.link.connected, { what: 'the agent saw the server go' });
    const r = await statusOf(real.code);
    expect(r).toMatchObject({ ok: false, error: { code: 'server-unreachable', hint: 'go-to-counter' } });
  });
});
