/**
 * Load generator for the server benchmarks, run as a separate process (child_process.fork) so
 * it does not share the server's event loop. Commands arrive over IPC; results go back the same way.
 */
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type {
  AgentToServerEvents,
  CalledTicket,
  CheckInReceipt,
  CheckInRequest,
  Result,
  ServerToAgentEvents,
  ServerToDisplayEvents,
  ServerToStaffEvents,
  StaffToServerEvents,
} from '@kiosk/protocol';
// Check-in ids as kiosks make them (time-ordered).
import { uuidV7 } from '@kiosk/protocol';

export type LoadCommand =
  | {
      type: 'checkins';
      url: string;
      credential: string;
      staffToken: string;
      clients: number;
      serviceIds: string[];
      /** Closed loop: each client keeps one request in flight until `total` are answered. */
      total?: number;
      /** Open loop: requests start at this rate for `durationMs`, whatever the answers do. */
      ratePerSec?: number;
      durationMs?: number;
      /**
       * Agents as a kiosk's link behaves: reconnect when their server goes away, and send a check-in
       * again with the same check-in id when no answer came within this time (or the link dropped).
       */
      resendAfterMs?: number;
      /** Report `{type: 'progress', ok}` over IPC after every this many answered check-ins. */
      progressEvery?: number;
      /** Return every answered check-in (check-in id → ticket). */
      collect?: boolean;
      /** After the last answer, wait (up to 60 s) until the staff client has heard every new ticket. */
      awaitStaff?: boolean;
    }
  | {
      type: 'displays';
      url: string;
      staffToken: string;
      /** A paired display's credential; every board connects with it. */
      displayCredential: string;
      displays: number;
      calls: number;
      gapMs: number;
      serviceId: string;
    };

export interface LoadResult {
  latenciesMs: number[];
  ok: number;
  failed: number;
  /** Failed check-ins by the answer's error code (a refusal is an answer too: nothing was stored). */
  failedBy?: Record<string, number>;
  elapsedMs: number;
  /** ticket:issued events a staff client heard (check-ins) or display events received (calls). */
  heard: number;
  /** Check-ins stored by this run (answers that were not replays). */
  fresh?: number;
  /** With `awaitStaff`: how long after the last answer the staff client had heard every new ticket (absent: not within 60 s). */
  heardLastMs?: number;
  /** With `collect`: every acknowledgement, in the order they arrived (a resent check-in may appear twice). */
  receipts?: { checkInId: string; ticketId: string; number: string; replayed: boolean }[];
  /** Check-ins sent again (no answer in time, or the link dropped). */
  resent?: number;
  /** Agent reconnections after a lost link. */
  reconnects?: number;
}

const connected = <S extends Socket>(s: S) =>
  new Promise<S>((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });

let seq = 0;
const identity = () => {
  seq += 1;
  return {
    source: 'cccd-qr' as const,
    idNumber: `${String(process.pid).padStart(5, '0').slice(-5)}${String(seq).padStart(7, '0')}`,
    fullName: 'Bệnh Nhân Đo Tải',
    dateOfBirth: '1980-06-15',
  };
};

async function checkins(cmd: Extract<LoadCommand, { type: 'checkins' }>): Promise<LoadResult> {
  const staff: Socket<ServerToStaffEvents, StaffToServerEvents> = await connected(
    io(`${cmd.url}/staff`, { auth: { token: cmd.staffToken }, transports: ['websocket'], forceNew: true }),
  );
  let heard = 0;
  staff.on('ticket:issued', () => (heard += 1));
  const resending = cmd.resendAfterMs !== undefined;
  let reconnects = 0;
  const agents = await Promise.all(
    Array.from({ length: cmd.clients }, () =>
      connected<Socket<ServerToAgentEvents, AgentToServerEvents>>(
        io(`${cmd.url}/agent`, {
          auth: { credential: cmd.credential },
          transports: ['websocket'],
          forceNew: true,
          // The kiosk link's own backoff (device-agent server-link.ts).
          ...(resending ? { reconnectionDelay: 500, reconnectionDelayMax: 2000, randomizationFactor: 0.5 } : {}),
        }),
      ),
    ),
  );
  for (const a of agents) a.io.on('reconnect', () => (reconnects += 1));
  const latenciesMs: number[] = [];
  const receipts: NonNullable<LoadResult['receipts']> = [];
  let ok = 0;
  /** Answers that stored their check-in now (not a replay of one stored before): each is one ticket:issued. */
  let fresh = 0;
  let failed = 0;
  const failedBy: Record<string, number> = {};
  let issued = 0;
  let resent = 0;
  const answered = (r: Result<CheckInReceipt>) => {
    if (r.ok) {
      ok += 1;
      if (!r.value.replayed) fresh += 1;
      if (cmd.collect)
        receipts.push({
          checkInId: r.value.checkInId,
          ticketId: r.value.ticketId,
          number: r.value.ticket.number,
          replayed: r.value.replayed,
        });
    } else {
      failed += 1;
      failedBy[r.error.code] = (failedBy[r.error.code] ?? 0) + 1;
    }
    if (cmd.progressEvery && (ok + failed) % cmd.progressEvery === 0) process.send?.({ type: 'progress', ok });
  };
  const submit = (sock: Socket<ServerToAgentEvents, AgentToServerEvents>) =>
    new Promise<void>((resolve) => {
      const serviceId = cmd.serviceIds[issued % cmd.serviceIds.length] ?? 'noi-tong-quat';
      issued += 1;
      const t0 = performance.now();
      const request: CheckInRequest = {
        checkInId: uuidV7(),
        identity: identity(),
        serviceId,
        priorityClaims: [],
        consent: true,
      };
      const send = () => {
        if (!resending) {
          sock.emit('checkin:submit', request, (r: Result<CheckInReceipt>) => {
            latenciesMs.push(performance.now() - t0);
            answered(r);
            resolve();
          });
          return;
        }
        // No answer in time, or the link dropped with the request in flight: the same check-in
        // again once connected (a stored one comes back as a replay of its ticket).
        const again = () => {
          resent += 1;
          if (sock.connected) send();
          else sock.once('connect', send);
        };
        sock
          .timeout(cmd.resendAfterMs ?? 2000)
          .emit('checkin:submit', request, (e: Error | null, r: Result<CheckInReceipt>) => {
            if (e) return again();
            // The server went away while storing it: not an answer about this check-in.
            if (!r.ok && r.error.code === 'check-in-failed') return again();
            latenciesMs.push(performance.now() - t0);
            answered(r);
            resolve();
          });
      };
      send();
    });
  const started = performance.now();
  if (cmd.total !== undefined) {
    const total = cmd.total;
    await Promise.all(
      agents.map(async (sock) => {
        while (issued < total) await submit(sock);
      }),
    );
  } else {
    const rate = cmd.ratePerSec ?? 1000;
    const count = Math.round((rate * (cmd.durationMs ?? 10_000)) / 1000);
    const pending: Promise<void>[] = [];
    // Schedules by the clock, not by answers: a slow server cannot slow the arrivals (no coordinated omission).
    for (let i = 0; i < count; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(submit(agents[i % agents.length] as Socket<ServerToAgentEvents, AgentToServerEvents>));
    }
    await Promise.all(pending);
  }
  const elapsedMs = performance.now() - started;
  // A staff client hears a ticket once it is published; one stored by another instance comes
  // through PostgreSQL's LISTEN/NOTIFY and trails the answers under load. Wait for every new
  // ticket (a replayed answer published nothing new) and say how long it took.
  const lastAnswer = performance.now();
  while (cmd.awaitStaff && heard < fresh && performance.now() - lastAnswer < 60_000)
    await new Promise((r) => setTimeout(r, 20));
  const heardLastMs = cmd.awaitStaff && heard >= fresh ? performance.now() - lastAnswer : undefined;
  await new Promise((r) => setTimeout(r, 200));
  for (const a of agents) a.close();
  staff.close();
  return {
    latenciesMs,
    ok,
    failed,
    failedBy,
    elapsedMs,
    heard,
    fresh,
    ...(heardLastMs !== undefined ? { heardLastMs } : {}),
    ...(cmd.collect ? { receipts } : {}),
    ...(resending ? { resent, reconnects } : {}),
  };
}

async function displays(cmd: Extract<LoadCommand, { type: 'displays' }>): Promise<LoadResult> {
  const boards: Socket<ServerToDisplayEvents>[] = [];
  for (let i = 0; i < cmd.displays; i += 50)
    boards.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, cmd.displays - i) }, () =>
          connected<Socket<ServerToDisplayEvents>>(
            io(`${cmd.url}/display`, {
              auth: { credential: cmd.displayCredential },
              transports: ['websocket'],
              forceNew: true,
            }),
          ),
        ),
      )),
    );
  const staff: Socket<ServerToStaffEvents, StaffToServerEvents> = await connected(
    io(`${cmd.url}/staff`, { auth: { token: cmd.staffToken }, transports: ['websocket'], forceNew: true }),
  );
  const latenciesMs: number[] = [];
  const sentAt = new Map<string, number>();
  let heard = 0;
  for (const b of boards)
    b.on('call:announced', (call: CalledTicket) => {
      const t0 = sentAt.get(call.counter);
      if (t0 === undefined) return;
      heard += 1;
      latenciesMs.push(performance.now() - t0);
    });
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  for (let i = 0; i < cmd.calls; i++) {
    const counter = `c${i}`;
    sentAt.set(counter, performance.now());
    const r = await new Promise<Result<CalledTicket | null>>((resolve) =>
      staff.emit('queue:call-next', { serviceId: cmd.serviceId, counter }, resolve),
    );
    if (r.ok && r.value) ok += 1;
    else failed += 1;
    await new Promise((res) => setTimeout(res, cmd.gapMs));
  }
  const elapsedMs = performance.now() - started;
  await new Promise((r) => setTimeout(r, 500));
  for (const b of boards) b.close();
  staff.close();
  return { latenciesMs, ok, failed, elapsedMs, heard };
}

process.on('message', (cmd: LoadCommand) => {
  const run = cmd.type === 'checkins' ? checkins(cmd) : displays(cmd);
  run.then(
    (result) => process.send?.({ type: 'result', result }),
    (e: unknown) => process.send?.({ type: 'error', message: String(e) }),
  );
});
