/**
 * Counter call → the ticket's public status page: a staff `queue:call-next` over /staff until
 * the /ticket-status socket watching that ticket receives `status:changed` with state 'called';
 * and, for the same calls, until every other watcher of the service (phones of the patients
 * still waiting) has its new position. The server runs in this process on SQLite (one instance);
 * the watchers are socket.io clients, as the status page is.
 * Run: npx tsx tests/bench/ticket-status-latency.bench.ts [calls] [otherWatchers]
 */
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type {
  CalledTicket,
  Result,
  ServerToStaffEvents,
  ServerToTicketStatusEvents,
  StaffToServerEvents,
  TicketPublicStatus,
  TicketStatusToServerEvents,
} from '@kiosk/protocol';
import { login, startServer } from '../support/server-harness';
import { percentile } from './stats';

const calls = Number(process.argv[2] ?? 100);
const others = Number(process.argv[3] ?? 100);
const serviceId = 'noi-tong-quat';
// The guess budget and socket limits are not what is measured here.
const server = await startServer({ SOCKET_RATE_BURST: '100000', SESSION_RATE_BURST: '100000' });
type Watcher = {
  socket: Socket<ServerToTicketStatusEvents, TicketStatusToServerEvents>;
  last?: TicketPublicStatus;
  seenAt?: number;
};
const watchers: Watcher[] = [];
/** Set for each call: resolves once the awaited watchers have their update (no polling). */
let check: () => void = () => undefined;
try {
  const codes: string[] = [];
  for (let i = 0; i < calls + others; i++) {
    const r = await server.app.services.checkIn.checkIn(
      {
        checkInId: randomUUID(),
        identity: { source: 'manual', fullName: 'Bệnh Nhân Thử', dateOfBirth: '1980-01-01' },
        serviceId,
        priorityClaims: [],
        consent: true,
      },
      null,
    );
    if (!r.ok) throw new Error(r.error.code);
    codes.push(r.value.ticket.lookupCode);
  }
  for (const code of codes) {
    const w: Watcher = { socket: io(`${server.url}/ticket-status`, { transports: ['websocket'], forceNew: true }) };
    w.socket.on('status:changed', (s) => {
      w.last = s;
      w.seenAt = performance.now();
      check();
    });
    const first = await new Promise<Result<TicketPublicStatus>>((resolve) =>
      w.socket.emit('status:watch', { code }, resolve),
    );
    if (!first.ok) throw new Error(first.error.code);
    watchers.push(w);
  }
  const token = await login(server.url, 'tiepdon', 'tiepdon-demo');
  const staff: Socket<ServerToStaffEvents, StaffToServerEvents> = io(`${server.url}/staff`, {
    transports: ['websocket'],
    auth: { token },
  });
  await new Promise<void>((resolve, reject) => {
    staff.once('connect', () => resolve());
    staff.once('connect_error', reject);
  });
  const calledMs: number[] = [];
  const everyoneMs: number[] = [];
  for (let i = 0; i < calls; i++) {
    for (const w of watchers) w.seenAt = undefined;
    const t0 = performance.now();
    const r = await new Promise<Result<CalledTicket | null>>((resolve) =>
      staff.emit('queue:call-next', { serviceId, counter: '1' }, resolve),
    );
    if (!r.ok || !r.value) throw new Error('nothing to call');
    const mine = watchers[i] as Watcher;
    const rest = watchers.slice(i + 1);
    // Waits for the events themselves (no fixed sleep); a lost update would hang here, not pass.
    await new Promise<void>((resolve) => {
      check = () => {
        if (mine.last?.state === 'called' && mine.seenAt !== undefined && rest.every((w) => w.seenAt !== undefined))
          resolve();
      };
      check();
    });
    calledMs.push((mine.seenAt as number) - t0);
    everyoneMs.push(Math.max(mine.seenAt as number, ...rest.map((w) => w.seenAt as number)) - t0);
  }
  staff.close();
  const fmt = (v: number[]) =>
    `p50 ${percentile(v, 50).toFixed(1)} ms, p95 ${percentile(v, 95).toFixed(1)} ms, p99 ${percentile(v, 99).toFixed(1)} ms, max ${Math.max(...v).toFixed(1)} ms`;
  console.log(`calls: ${calls}, watchers: ${watchers.length} (${others} beyond the called ones)`);
  console.log(`call → the called ticket's status page shows "called": ${fmt(calledMs)}`);
  console.log(`call → every watcher of the service has its new status: ${fmt(everyoneMs)}`);
} finally {
  for (const w of watchers) w.socket.close();
  await server.stop();
}
