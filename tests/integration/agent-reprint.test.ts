/**
 * Reprint at the counter: a kiosk's printer runs out of paper during a check-in (the ticket is
 * flagged 'failed', never counted as printed); after the paper is changed, reception asks the
 * server to reprint, the issuing kiosk's real ESC/POS driver prints it, and the ticket becomes
 * 'printed'. A viewer may not reprint; an unknown ticket and an offline kiosk get clear answers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { Agent } from '@kiosk/device-agent';
import type {
  AgentToKioskUiEvents,
  AgentToSimEvents,
  KioskUiToAgentEvents,
  PrintReport,
  QueueEntry,
  Result,
  SimToAgentEvents,
} from '@kiosk/protocol';
import { api, login, startServer, type RunningServer } from '../support/server-harness';
import { kioskCheckIn, startPairedKiosk, type PairedKiosk } from '../support/paired-kiosk';
import { until } from '../support/until';

let server: RunningServer;
let kiosk: PairedKiosk | undefined;
let agent: Agent;
let ui: Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;
let sim: Socket<AgentToSimEvents, SimToAgentEvents>;
let reception: string;
const send = <T>(fn: (ack: (r: Result<T>) => void) => void) => new Promise<Result<T>>((resolve) => fn(resolve));

beforeAll(async () => {
  server = await startServer({ BOOTSTRAP_PAIRING_CODE: 'REPRINT12345' });
  reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
  kiosk = await startPairedKiosk(server.url, { pairingCode: 'REPRINT12345', withSimulator: true });
  ({ agent, ui } = kiosk);
  sim = kiosk.sim!;
});

afterAll(async () => {
  await kiosk?.close();
  await server?.stop();
});

const printStatusOf = async (ticketId: string) => {
  const q = await api<QueueEntry[]>(server.url, reception, 'GET', '/api/queue');
  return q.body.value?.find((e) => e.ticketId === ticketId)?.printStatus;
};

describe('reprint at the counter', () => {
  let ticketId = '';
  let number = '';

  it('a check-in whose print fails is flagged, not counted as printed', async () => {
    await send<null>((ack) => sim.emit('sim:set-printer-fault', { fault: 'paper-out' }, ack));
    const outcome = await kioskCheckIn(ui, { source: 'manual', fullName: 'Trần Văn Bình', dateOfBirth: '1980-05-01' });
    if (!outcome.ok) throw new Error(outcome.error.code);
    expect(outcome.value.print).toMatchObject({ state: 'failed', reason: 'paper-out' });
    ticketId = outcome.value.receipt.ticketId;
    number = outcome.value.receipt.ticket.number;
    await until(async () => expect(await printStatusOf(ticketId)).toBe('failed'));
  });

  it('reception reprints on the issuing kiosk once the paper is back: the ticket becomes printed', async () => {
    await send<null>((ack) => sim.emit('sim:set-printer-fault', { fault: 'none' }, ack));
    const before = agent.simulated?.printer.jobs.length ?? 0;
    const r = await api<PrintReport>(server.url, reception, 'POST', `/api/queue/tickets/${ticketId}/reprint`, {});
    expect(r.status).toBe(200);
    expect(r.body.value).toMatchObject({ ticketId, state: 'confirmed' });
    expect(await printStatusOf(ticketId)).toBe('printed');
    const jobs = agent.simulated?.printer.jobs ?? [];
    expect(jobs.length).toBe(before + 1);
    expect(jobs.at(-1)?.lines.join('\n')).toContain(number);
  });

  it('refuses a viewer, answers an unknown ticket and an offline kiosk clearly', async () => {
    const viewer = await login(server.url, 'xem', 'xem-demo');
    expect((await api(server.url, viewer, 'POST', `/api/queue/tickets/${ticketId}/reprint`, {})).status).toBe(403);
    expect((await api(server.url, reception, 'POST', '/api/queue/tickets/nope/reprint', {})).status).toBe(404);
    const offline = await api(server.url, reception, 'POST', `/api/queue/tickets/${ticketId}/reprint`, {
      agentId: randomUUID(),
    });
    expect(offline.status).toBe(503);
    expect(offline.body.error?.code).toBe('kiosk-offline');
  });
});
