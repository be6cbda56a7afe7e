/**
 * The ticket's public status page (`/t/<code>`) and the patient's phone: the status API and its
 * live updates over /ticket-status, expiry with the visit, the guess budget per address, no
 * personal data in any answer; Web Push to a push-service simulator that checks the VAPID JWT and
 * decrypts the payload; Zalo ZNS and SMS adapters against their contract simulators (tokens,
 * errors, retries); opt-ins and phone numbers erased when the visit ends.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import {
  ticketLookupCodeSchema,
  type CalledTicket,
  type Identity,
  type Result,
  type ServerToTicketStatusEvents,
  type TicketNotification,
  type TicketPublicStatus,
  type TicketStatusToServerEvents,
} from '@kiosk/protocol';
import {
  generateVapidKeys,
  HttpClient,
  lookupCode,
  SmsNotifier,
  WebPushNotifier,
  ZaloZnsNotifier,
} from '@kiosk/server';
import { api, login, startServer, type RunningServer } from '../support/server-harness';
import { until } from '../support/until';
import { PushServiceSimulator } from '../support/push-service';
import { ZnsSimulator } from '../support/zns-simulator';
import { SmsSimulator } from '../support/sms-simulator';

type StatusSocket = Socket<ServerToTicketStatusEvents, TicketStatusToServerEvents>;

const person = (n: number): Identity => ({
  source: 'cccd-qr',
  idNumber: `0791990${String(10000 + n).slice(-5)}`,
  fullName: 'Nguyễn Thị Hoa',
  dateOfBirth: '1985-03-04',
});

const noSleep = { attempts: 3, baseDelayMs: 1, sleep: () => Promise.resolve() };

function harness(getServer: () => RunningServer) {
  let n = 0;
  const issue = async (serviceId: string) => {
    n += 1;
    const r = await getServer().app.services.checkIn.checkIn(
      {
        checkInId: randomUUID(),
        identity: person(n + Math.floor(Math.random() * 50_000)),
        serviceId,
        priorityClaims: [],
        consent: true,
      },
      null,
    );
    if (!r.ok) throw new Error(r.error.code);
    return { ticketId: r.value.ticketId, code: r.value.ticket.lookupCode, number: r.value.ticket.number };
  };
  const watch = async (code: string) => {
    const socket: StatusSocket = io(`${getServer().url}/ticket-status`, { transports: ['websocket'], forceNew: true });
    const updates: TicketPublicStatus[] = [];
    const expired: string[] = [];
    socket.on('status:changed', (s) => updates.push(s));
    socket.on('status:expired', (e) => expired.push(e.code));
    const first = await new Promise<Result<TicketPublicStatus>>((resolve) =>
      socket.emit('status:watch', { code }, resolve),
    );
    return { socket, first, updates, expired, latest: () => updates.at(-1) };
  };
  return { issue, watch };
}

describe('ticket status by lookup code', () => {
  let server: RunningServer;
  let reception: string;
  const { issue, watch } = harness(() => server);
  const callNext = async (serviceId: string, counter = 'Phòng 104') =>
    (await api<CalledTicket | null>(server.url, reception, 'POST', '/api/queue/call-next', { serviceId, counter })).body
      .value;

  beforeAll(async () => {
    server = await startServer({ STATUS_DIRECTIONS_URL: 'https://benhvien.example/chi-duong' });
    reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
  });
  afterAll(() => server?.stop());

  it('answers the number, room, people ahead and the wait, and nothing of the patient', async () => {
    await issue('san-phu-khoa');
    await issue('san-phu-khoa');
    const mine = await issue('san-phu-khoa');
    const res = await fetch(`${server.url}/api/t/${mine.code}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    const status = (JSON.parse(text) as { value: TicketPublicStatus }).value;
    expect(status).toMatchObject({
      code: mine.code,
      number: mine.number,
      state: 'waiting',
      ahead: 2,
      calledTo: null,
      directionsUrl: 'https://benhvien.example/chi-duong',
      notify: { placesAhead: 3, channels: [] },
    });
    expect(status.estimatedWaitMs).toBe(2 * 5 * 60_000);
    for (const personal of [
      'Nguyễn',
      'Hoa',
      '0791990',
      '1985',
      'maskedName',
      'idNumber',
      'fullName',
      'ticketId',
      'visit',
    ])
      expect(text).not.toContain(personal);
    const page = await fetch(`${server.url}/t/${mine.code}`);
    expect([200, 404]).toContain(page.status); // 404 only when the pages are not built here
  });

  it('follows the ticket live: people ahead after each call, then "called to room N"', async () => {
    const first = await issue('nhi-khoa');
    const mine = await issue('nhi-khoa');
    const w = await watch(mine.code);
    expect(w.first.ok && w.first.value.ahead).toBe(1);
    expect((await callNext('nhi-khoa'))?.ticketId).toBe(first.ticketId);
    await until(() => w.latest()?.ahead === 0);
    expect((await callNext('nhi-khoa', 'Phòng 215'))?.ticketId).toBe(mine.ticketId);
    await until(() => w.latest()?.state === 'called');
    expect(w.latest()).toMatchObject({ state: 'called', calledTo: 'Phòng 215', ahead: null });
    // The visit ends: the page is told, and the code answers 'expired' from now on.
    await api(server.url, reception, 'POST', `/api/queue/tickets/${mine.ticketId}/complete`, {});
    await until(() => w.expired.length === 1);
    const after = await fetch(`${server.url}/api/t/${mine.code}`);
    expect([after.status, ((await after.json()) as { error: { code: string } }).error.code]).toEqual([404, 'expired']);
    w.socket.close();
  });

  it('a code of another day has expired (the visit ended with its day)', async () => {
    const t = await issue('tai-mui-hong');
    await server.app.services.db.kysely
      .updateTable('tickets')
      .set({ day: '2001-01-01' })
      .where('id', '=', t.ticketId)
      .execute();
    const r = await fetch(`${server.url}/api/t/${t.code}`);
    expect(r.status).toBe(404);
    const w = await watch(t.code);
    expect(w.first.ok ? 'ok' : w.first.error.code).toBe('expired');
    w.socket.close();
  });

  it('codes carry 40 random bits: unique, of the alphabet, every character equally likely', () => {
    const codes = Array.from({ length: 4000 }, () => lookupCode());
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(ticketLookupCodeSchema.safeParse(c).success).toBe(true);
    const counts = new Map<string, number>();
    for (const c of codes) for (const ch of c.slice(4)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(32);
    // 32 000 random characters: 1000 of each expected; ±200 is more than 6 standard deviations.
    for (const v of counts.values()) expect(Math.abs(v - 1000)).toBeLessThan(200);
  });
});

describe('guessing codes', () => {
  let server: RunningServer;
  const { issue, watch } = harness(() => server);
  beforeAll(async () => {
    server = await startServer({ STATUS_GUESS_BURST: '3', STATUS_GUESS_PER_MINUTE: '0.001' });
  });
  afterAll(() => server?.stop());

  it('is refused per address after a few unknown codes, over HTTP and over the socket', async () => {
    const real = await issue('noi-tong-quat');
    expect((await fetch(`${server.url}/api/t/${real.code}`)).status).toBe(200);
    const guess = () =>
      Array.from({ length: 12 }, () => 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'[randomBytes(1)[0]! % 32]).join('');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${server.url}/api/t/${guess()}`)).status);
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    const limited = await fetch(`${server.url}/api/t/${real.code}`);
    expect([limited.status, ((await limited.json()) as { error: { code: string } }).error.code]).toEqual([
      429,
      'rate-limited',
    ]);
    expect((await fetch(`${server.url}/t/${guess()}`)).status).toBe(429);
    // A known code never costs a token: it is the misses that are counted. The socket's address
    // has its own budget here ('::ffff:127.0.0.1' beside '127.0.0.1').
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const w = await watch(guess());
      answers.push(w.first.ok ? 'ok' : w.first.error.code);
      w.socket.close();
    }
    expect(answers.slice(-2)).toEqual(['rate-limited', 'rate-limited']);
    expect(answers.filter((a) => a === 'unknown-code').length).toBeLessThanOrEqual(3);
    // Malformed codes are refused by the schema before any look-up.
    expect((await fetch(`${server.url}/api/t/not-a-code`)).status).toBe(400);
  });
});

describe('Web Push through a push service that checks VAPID and decrypts', () => {
  let server: RunningServer;
  let reception: string;
  const push = new PushServiceSimulator();
  const vapid = generateVapidKeys();
  const { issue, watch } = harness(() => server);

  beforeAll(async () => {
    await push.start();
    server = await startServer({
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: 'mailto:cntt@benhvien.example',
      WEB_PUSH_CA_FILE: push.caFile,
      STATUS_NOTIFY_PLACES_AHEAD: '1',
      NOTIFY_RETRY_BASE_MS: '1',
      // A delivery that times out is sent again (at least once): on a loaded machine a slow answer
      // would then count twice. The bound here is a hang guard, so "once each" is what is tested.
      NOTIFY_TIMEOUT_MS: '60000',
    });
    reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
  });
  afterAll(async () => {
    await server?.stop();
    await push.stop();
  });

  it('tells the phone when one place from the front and when called, once each', async () => {
    const a = await issue('noi-tong-quat');
    await issue('noi-tong-quat');
    const mine = await issue('noi-tong-quat');
    const w = await watch(mine.code);
    expect(w.first.ok && w.first.value.notify).toEqual({
      placesAhead: 1,
      channels: ['web-push'],
      vapidPublicKey: vapid.publicKey,
    });
    const sub = push.subscribe();
    push.failNext(sub.id, 1); // the first delivery meets a push-service error and is retried
    const ack = await new Promise<Result<unknown>>((resolve) =>
      w.socket.emit('notify:subscribe', { code: mine.code, channel: 'web-push', subscription: sub.json }, resolve),
    );
    expect(ack.ok).toBe(true);
    const call = () =>
      api(server.url, reception, 'POST', '/api/queue/call-next', { serviceId: 'noi-tong-quat', counter: 'Phòng 12' });
    await call(); // a is called: one ahead now
    await until(() => push.messages.length === 1);
    const near = push.messages[0]!;
    expect(near.payload).toMatchObject({ kind: 'near', code: mine.code, number: mine.number, ahead: 1 });
    expect(near.claims.sub).toBe('mailto:cntt@benhvien.example');
    expect(push.rejected.map((r) => r.status)).toEqual([500]);
    await call();
    await call(); // mine
    await until(() => push.messages.length === 2);
    expect(push.messages[1]!.payload).toMatchObject({ kind: 'called', calledTo: 'Phòng 12' });
    const called = push.messages[1]!.payload as TicketNotification;
    expect(called.body.vi).toBe(`Mời số ${mine.number} đến Phòng 12.`);
    // Recalled: told again; nothing else.
    await api(server.url, reception, 'POST', `/api/queue/tickets/${mine.ticketId}/recall`, {});
    await until(() => push.messages.length === 3);
    await server.app.services.ticketStatus.settled();
    expect(push.messages.length).toBe(3);
    expect(a.code).not.toBe(mine.code);
    w.socket.close();
  });

  /**
   * Two waiting patients of a service, the second subscribed (told 'near' already), both called
   * straight in the database (their events handled by the test): `aheadMs` puts each call's time
   * that far ahead of this instance's clock.
   */
  async function twoCalledUnhandled(serviceId: string, room: string, aheadMs: readonly [number, number]) {
    const first = await issue(serviceId);
    const mine = await issue(serviceId);
    const sub = push.subscribe();
    const status = server.app.services.ticketStatus;
    expect((await status.subscribe({ code: mine.code, channel: 'web-push', subscription: sub.json }, 'test')).ok).toBe(
      true,
    );
    await status.settled();
    const told = () =>
      push.messages.filter((m) => m.subscriptionId === sub.id).map((m) => (m.payload as TicketNotification).kind);
    expect(told()).toEqual(['near']);
    const calls: CalledTicket[] = [];
    for (const [t, ahead] of [
      [first, aheadMs[0]],
      [mine, aheadMs[1]],
    ] as const) {
      const calledAt = new Date(Date.now() + ahead).toISOString();
      const marked = await server.app.committer.run((trx) =>
        server.app.repositories.tickets.markCalled(trx, t.ticketId, calledAt, room),
      );
      expect(marked).toBe(true);
      calls.push({ ticketId: t.ticketId, number: t.number, serviceId, room, counter: room, calledAt });
    }
    return { status, told, calls };
  }

  it('a call is told once when its event is handled after the next call was made (two calls in quick succession)', async () => {
    // Both patients are called before the server handles the first call's event: handling the
    // first call already finds mine called and tells it; handling mine must not tell it again.
    const { status, told, calls } = await twoCalledUnhandled('san-phu-khoa', 'Phòng 9', [0, 0]);
    await Promise.all(calls.map((c) => status.onCalled(c)));
    await status.settled();
    expect(told()).toEqual(['near', 'called']);
    // A recall after that is a new call: told again, once.
    const recall = { ...calls[1]!, calledAt: new Date(Date.now() + 1000).toISOString() };
    await status.onCalled(recall);
    await status.settled();
    expect(told()).toEqual(['near', 'called', 'called']);
  });

  it('a call is told once when an earlier call’s handling saw it with a time before the call (a clock behind, or read before the call)', async () => {
    // Mine is called by an instance whose clock runs 5 s ahead of this one's (the same as this
    // instance taking its time before the call and reading the ticket after it). Handling the
    // first call finds mine called and tells it; handling mine must not take that notice for an
    // earlier call's and tell it again.
    const { status, told, calls } = await twoCalledUnhandled('noi-tong-quat', 'Phòng 3', [0, 5000]);
    await status.onCalled(calls[0]!);
    await status.settled();
    expect(told()).toEqual(['near', 'called']);
    await status.onCalled(calls[1]!);
    await status.settled();
    expect(told()).toEqual(['near', 'called']);
  });

  it('forgets a subscription the push service says is gone', async () => {
    const mine = await issue('tai-mui-hong');
    const sub = push.subscribe();
    push.gone(sub.id);
    const r = await server.app.services.ticketStatus.subscribe(
      { code: mine.code, channel: 'web-push', subscription: sub.json },
      'test',
    );
    expect(r.ok).toBe(true);
    await server.app.services.ticketStatus.settled();
    expect(push.rejected.some((x) => x.subscriptionId === sub.id && x.status === 410)).toBe(true);
    expect(await server.app.repositories.ticketStatus.subscriptionsOfTicket(mine.ticketId)).toEqual([]);
  });

  it('the adapter: a payload only the subscription can read, signed for the push service', async () => {
    const notifier = new WebPushNotifier({ ...vapid, subject: 'https://benhvien.example' }, noSleep, {
      timeoutMs: 5000,
      ttlSeconds: 60,
      ca: fs.readFileSync(push.caFile, 'utf8'),
    });
    const sub = push.subscribe();
    const before = push.messages.length;
    const r = await notifier.send(
      { pushJson: JSON.stringify(sub.json), phone: null, requestId: 'x' },
      sample('called'),
    );
    expect(r.ok && r.value.attempts).toBe(1);
    expect(push.messages[before]).toMatchObject({ subscriptionId: sub.id, ttl: '60', payload: sample('called') });
    // Signed with another key than the subscription was made for: a real push service refuses it.
    const strict = new PushServiceSimulator(vapid.publicKey);
    await strict.start();
    const other = new WebPushNotifier({ ...generateVapidKeys(), subject: 'mailto:a@b.example' }, noSleep, {
      timeoutMs: 5000,
      ttlSeconds: 60,
      ca: fs.readFileSync(strict.caFile, 'utf8'),
    });
    const s2 = strict.subscribe();
    const refused = await other.send(
      { pushJson: JSON.stringify(s2.json), phone: null, requestId: 'y' },
      sample('near'),
    );
    expect(refused.ok ? 'ok' : refused.error.code).toBe('notify-refused');
    expect(strict.rejected[0]?.status).toBe(401);
    await strict.stop();
    notifier.close();
    other.close();
  });
});

const sample = (kind: 'near' | 'called'): TicketNotification => ({
  kind,
  code: 'AAAABBBBCCCC',
  number: 'A012',
  ahead: kind === 'near' ? 2 : null,
  calledTo: kind === 'called' ? 'Phòng 3' : null,
  title: { vi: 'Mời số A012', en: 'Number A012' },
  body: { vi: 'Mời số A012 đến Phòng 3.', en: 'Number A012, please go to Phòng 3.' },
});

describe('Zalo ZNS adapter against its contract simulator', () => {
  const zns = new ZnsSimulator();
  const http = new HttpClient();
  beforeAll(() => zns.start());
  afterAll(async () => {
    http.close();
    await zns.stop();
  });
  const notifier = (kept: string[]) =>
    new ZaloZnsNotifier(
      http,
      {
        apiUrl: zns.url,
        oauthUrl: zns.url,
        appId: zns.appId,
        secretKey: zns.secretKey,
        refreshToken: zns.currentRefreshToken,
        templateNear: 'tpl-near',
        templateCalled: 'tpl-called',
        timeoutMs: 5000,
        onRefreshToken: (t) => kept.push(t),
      },
      noSleep,
    );

  it('refreshes the rotating token once, keeps the new refresh token, sends each tracking id once', async () => {
    const kept: string[] = [];
    const z = notifier(kept);
    const sends = await Promise.all([
      z.send({ pushJson: null, phone: '84912345678', requestId: 's1-near' }, sample('near')),
      z.send({ pushJson: null, phone: '84912345679', requestId: 's2-near' }, sample('near')),
    ]);
    expect(sends.map((s) => s.ok)).toEqual([true, true]);
    expect(z.refreshes).toBe(1);
    expect(kept).toEqual([zns.currentRefreshToken]);
    expect(zns.messages.map((m) => [m.phone, m.templateId, m.data['ticket_number'], m.data['people_ahead']])).toEqual([
      ['84912345678', 'tpl-near', 'A012', '2'],
      ['84912345679', 'tpl-near', 'A012', '2'],
    ]);
    // The access token is revoked early: one refresh (with the rotated refresh token) and the send again.
    zns.expireAccessTokens();
    const again = await z.send({ pushJson: null, phone: '84912345678', requestId: 's1-called' }, sample('called'));
    expect(again.ok).toBe(true);
    expect(z.refreshes).toBe(2);
    expect(kept.length).toBe(2);
    // Busy (-32): retried with backoff, then sent.
    zns.busyFor(2);
    const busy = await z.send({ pushJson: null, phone: '84912345678', requestId: 's3-near' }, sample('near'));
    expect(busy.ok && busy.value.attempts).toBe(3);
    zns.busyFor(5);
    const gaveUp = await z.send({ pushJson: null, phone: '84912345678', requestId: 's4-near' }, sample('near'));
    expect(gaveUp.ok ? 'ok' : gaveUp.error.code).toBe('notify-unavailable');
    zns.busyFor(0);
  });

  it('a number without Zalo is gone; a stale refresh token is refused without retrying', async () => {
    zns.phoneWithoutZalo('84987654321');
    const z = notifier([]);
    const gone = await z.send({ pushJson: null, phone: '84987654321', requestId: 'g' }, sample('near'));
    expect(gone.ok ? 'ok' : gone.error.code).toBe('notify-gone');
    const stale = new ZaloZnsNotifier(
      http,
      {
        apiUrl: zns.url,
        oauthUrl: zns.url,
        appId: zns.appId,
        secretKey: zns.secretKey,
        refreshToken: 'refresh-0',
        templateNear: 'a',
        templateCalled: 'b',
        timeoutMs: 5000,
      },
      noSleep,
    );
    const refused = await stale.send({ pushJson: null, phone: '84912345678', requestId: 'st' }, sample('near'));
    expect(refused.ok ? 'ok' : refused.error.code).toBe('notify-refused');
  });
});

describe('SMS adapter against its contract simulator', () => {
  const sms = new SmsSimulator();
  const http = new HttpClient();
  beforeAll(() => sms.start());
  afterAll(async () => {
    http.close();
    await sms.stop();
  });
  const notifier = (apiKey = sms.apiKey) =>
    new SmsNotifier(
      http,
      { url: sms.url, apiKey, brandname: 'BV CANTHO', hospitalName: 'BV Đa khoa Cần Thơ', timeoutMs: 5000 },
      noSleep,
    );

  it('retries 429 and 503, sends once per request id, in plain ASCII', async () => {
    sms.failWith(429, 503);
    const r = await notifier().send({ pushJson: null, phone: '84912345678', requestId: 'r1' }, sample('called'));
    expect(r.ok && r.value.attempts).toBe(3);
    expect(sms.messages).toEqual([
      { to: '84912345678', from: 'BV CANTHO', text: 'BV Da khoa Can Tho: Moi so A012 den Phong 3.', requestId: 'r1' },
    ]);
  });

  it('a wrong key is refused at once; an unreachable number is gone', async () => {
    const before = sms.attempts;
    const bad = await notifier('wrong').send({ pushJson: null, phone: '84912345678', requestId: 'r2' }, sample('near'));
    expect([bad.ok ? 'ok' : bad.error.code, sms.attempts - before]).toEqual(['notify-refused', 1]);
    sms.unreachableNumber('84900000000');
    const gone = await notifier().send({ pushJson: null, phone: '84900000000', requestId: 'r3' }, sample('near'));
    expect(gone.ok ? 'ok' : gone.error.code).toBe('notify-gone');
  });
});

describe('phone numbers for ZNS or SMS live only as long as the visit', () => {
  let server: RunningServer;
  let reception: string;
  const sms = new SmsSimulator();
  const { issue, watch } = harness(() => server);

  beforeAll(async () => {
    await sms.start();
    server = await startServer({
      DATA_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      NOTIFY_PHONE_CHANNEL: 'sms',
      SMS_URL: sms.url,
      SMS_API_KEY: sms.apiKey,
      STATUS_NOTIFY_PLACES_AHEAD: '0',
    });
    reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
  });
  afterAll(async () => {
    await server?.stop();
    await sms.stop();
  });

  it('stores the number sealed, texts when called, and erases it when the visit ends', async () => {
    const mine = await issue('nhi-khoa');
    const w = await watch(mine.code);
    expect(w.first.ok && w.first.value.notify.channels).toEqual(['sms']);
    const ack = await new Promise<Result<unknown>>((resolve) =>
      w.socket.emit('notify:subscribe', { code: mine.code, channel: 'sms', phone: '0912 345 678' }, resolve),
    );
    expect(ack.ok).toBe(true);
    const stored = await server.app.repositories.ticketStatus.rawPhones();
    expect(stored.length).toBe(1);
    expect(stored[0]).toMatch(/^enc:v1:k1:/u);
    expect(stored[0]).not.toContain('912345678');
    // Nobody ahead and N = 0: the "near" text goes at once.
    await until(() => sms.messages.length === 1);
    await api(server.url, reception, 'POST', '/api/queue/call-next', { serviceId: 'nhi-khoa', counter: 'Phòng 5' });
    await until(() => sms.messages.length === 2);
    expect(sms.messages.map((m) => m.to)).toEqual(['84912345678', '84912345678']);
    expect(sms.messages[1]!.text).toContain('Phong 5');
    await api(server.url, reception, 'POST', `/api/queue/tickets/${mine.ticketId}/complete`, {});
    await server.app.services.ticketStatus.settled();
    await until(async () => (await server.app.repositories.ticketStatus.rawPhones()).length === 0);
    // A Zalo opt-in is refused where the hospital offers SMS only.
    const other = await issue('nhi-khoa');
    const refused = await server.app.services.ticketStatus.subscribe(
      { code: other.code, channel: 'zalo-zns', phone: '0912345678' },
      'x',
    );
    expect(refused.ok ? 'ok' : refused.error.code).toBe('channel-not-offered');
    w.socket.close();
  });

  it('the end-of-day sweep erases numbers of past days', async () => {
    const t = await issue('tai-mui-hong');
    await server.app.services.ticketStatus.subscribe({ code: t.code, channel: 'sms', phone: '0987000111' }, 'x');
    await server.app.services.db.kysely.updateTable('notify_subscriptions').set({ day: '2001-01-01' }).execute();
    expect(await server.app.services.ticketStatus.sweep()).toBeGreaterThanOrEqual(1);
    expect(await server.app.repositories.ticketStatus.rawPhones()).toEqual([]);
  });
});
