/**
 * The ticket's QR opens its status page on a phone: with PUBLIC_URL set, a kiosk check-in's
 * receipt carries `<PUBLIC_URL>/t/<code>`, the kiosk's real ESC/POS driver prints that URL in the
 * QR (decoded from the simulated printer's bytes), the kiosk's scanner still reads it as the
 * ticket, and GET on the URL's path serves that ticket's status page. A counter registration and a
 * reprint carry the same URL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { classifyScan, type Agent } from '@kiosk/device-agent';
import type {
  AgentToKioskUiEvents,
  CheckInReceipt,
  KioskUiToAgentEvents,
  PrintReport,
  Result,
  TicketPublicStatus,
} from '@kiosk/protocol';
import { api, login, startServer, type RunningServer } from '../support/server-harness';
import { kioskCheckIn, startPairedKiosk, type PairedKiosk } from '../support/paired-kiosk';

const PUBLIC_URL = 'https://benhvien.example.vn';
let server: RunningServer;
let kiosk: PairedKiosk | undefined;
let agent: Agent;
let ui: Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;
let reception: string;

beforeAll(async () => {
  // Written as an operator might (a trailing slash, capitals): the server keeps the origin.
  server = await startServer({ BOOTSTRAP_PAIRING_CODE: 'QRURL1234567', PUBLIC_URL: 'https://BenhVien.Example.vn/' });
  reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
  kiosk = await startPairedKiosk(server.url, { pairingCode: 'QRURL1234567' });
  ({ agent, ui } = kiosk);
});

afterAll(async () => {
  await kiosk?.close();
  await server?.stop();
});

const printedQrs = () => (agent.simulated?.printer.jobs ?? []).flatMap((j) => j.qrPayloads);

describe("the ticket's QR is its status page's URL", () => {
  let receipt: CheckInReceipt | undefined;

  it("a kiosk check-in's receipt and printed QR carry <PUBLIC_URL>/t/<code>; the scanner reads it back", async () => {
    const outcome = await kioskCheckIn(ui, { source: 'manual', fullName: 'Trần Văn Bình', dateOfBirth: '1980-05-01' });
    if (!outcome.ok) throw new Error(outcome.error.code);
    expect(outcome.value.print.state).toBe('confirmed');
    receipt = outcome.value.receipt;
    const { lookupCode, statusUrl } = receipt.ticket;
    expect(statusUrl).toBe(`${PUBLIC_URL}/t/${lookupCode}`);
    expect(printedQrs()).toEqual([statusUrl]);
    expect(classifyScan(statusUrl ?? '')).toEqual({ kind: 'ticket-qr', lookupCode });
  });

  it("GET on the URL's path serves that ticket's status page", async () => {
    const statusUrl = receipt?.ticket.statusUrl ?? '';
    const pathname = statusUrl.slice(PUBLIC_URL.length);
    expect(pathname).toBe(`/t/${receipt?.ticket.lookupCode}`);
    const page = await fetch(`${server.url}${pathname}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/u);
    const status = await fetch(`${server.url}/api${pathname}`);
    expect(status.status).toBe(200);
    const body = (await status.json()) as Result<TicketPublicStatus>;
    expect(body.ok && body.value.number).toBe(receipt?.ticket.number);
  });

  it("a check-in's retry answers the same URL (made on each answer, not stored)", async () => {
    const r = await kioskCheckIn(
      ui,
      { source: 'manual', fullName: 'Trần Văn Bình', dateOfBirth: '1980-05-01' },
      { checkInId: receipt?.checkInId ?? '' },
    );
    if (!r.ok) throw new Error(r.error.code);
    expect(r.value.receipt.replayed).toBe(true);
    expect(r.value.receipt.ticket.statusUrl).toBe(receipt?.ticket.statusUrl);
  });
  it("a counter registration's receipt and a reprint carry the URL too", async () => {
    const counter = await api<CheckInReceipt>(server.url, reception, 'POST', '/api/counter/check-ins', {
      checkInId: randomUUID(),
      identity: { source: 'manual', fullName: 'Lê Thị Cúc', dateOfBirth: '1975-02-03' },
      serviceId: 'noi-tong-quat',
      priorityClaims: [],
      consent: true,
    });
    expect(counter.status).toBe(200);
    const ticket = counter.body.value?.ticket;
    expect(ticket?.statusUrl).toBe(`${PUBLIC_URL}/t/${ticket?.lookupCode}`);

    const before = printedQrs().length;
    const reprint = await api<PrintReport>(
      server.url,
      reception,
      'POST',
      `/api/queue/tickets/${receipt?.ticketId}/reprint`,
      {},
    );
    expect(reprint.body.value).toMatchObject({ state: 'confirmed' });
    expect(printedQrs().slice(before)).toEqual([receipt?.ticket.statusUrl]);
  });
});
