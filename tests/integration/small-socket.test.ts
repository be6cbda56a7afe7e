/**
 * The kiosk page's small socket.io client (kiosk-ui/src/lib/small-socket.ts) against a real
 * socket.io 4 server on 127.0.0.1, with `ws` as its WebSocket (Node 20 has no global one):
 * connection with an auth payload, events and acks both ways, the server's heartbeat, a server
 * restart, acks the lost link took, malformed and binary frames, and a refused namespace. The
 * packet decoder's properties are in kiosk-ui/src/lib/small-socket.spec.ts.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { WebSocket, WebSocketServer } from 'ws';
import { SmallSocket, type SmallSocketOptions, type WebSocketConstructor } from '@kiosk/kiosk-ui';
import { freePort } from '../support/free-port';
import { until } from '../support/until';

interface ToClient {
  hello: (greeting: { text: string }) => void;
  question: (n: number, ack: (answer: number) => void) => void;
}
interface ToServer {
  note: (a: number, b: string) => void;
  ask: (n: number, ack: (r: { ok: boolean; value?: number }) => void) => void;
  hang: (ack: (r: unknown) => void) => void;
}

interface Running {
  io: Server;
  http: http.Server;
  sockets: ServerSocket[];
  notes: unknown[][];
  auths: unknown[];
}

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function startIo(port: number, options: { pingIntervalMs?: number; pingTimeoutMs?: number } = {}) {
  const server = http.createServer();
  const io = new Server(server, {
    serveClient: false,
    pingInterval: options.pingIntervalMs ?? 25_000,
    pingTimeout: options.pingTimeoutMs ?? 20_000,
  });
  const running: Running = { io, http: server, sockets: [], notes: [], auths: [] };
  io.on('connection', (socket) => {
    running.sockets.push(socket);
    running.auths.push(socket.handshake.auth);
    socket.on('note', (...args: unknown[]) => running.notes.push(args));
    socket.on('ask', (n: number, ack: (r: unknown) => void) => ack({ ok: true, value: n * 2 }));
    socket.on('hang', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const handle = { close: () => new Promise<void>((resolve) => void io.close(() => resolve())) };
  opened.push(handle);
  return { ...running, close: handle.close };
}

function client(port: number, options: SmallSocketOptions = {}, nsp = '') {
  const socket = new SmallSocket<ToClient, ToServer>(`http://127.0.0.1:${port}${nsp}`, {
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    reconnectionDelayMs: 50,
    reconnectionDelayMaxMs: 200,
    ...options,
  });
  opened.push(socket);
  const seen = { connects: 0, disconnects: [] as string[], errors: [] as string[] };
  socket.on('connect', () => seen.connects++);
  socket.on('disconnect', (reason) => seen.disconnects.push(reason));
  socket.on('connect_error', (e) => seen.errors.push(e.message));
  return { socket, seen };
}

/** The engine.io WebSocket under a server-side socket, to send frames socket.io would not. */
const rawOf = (s: ServerSocket) => (s.conn as unknown as { transport: { socket: WebSocket } }).transport.socket;

describe('the small socket.io client against socket.io 4', () => {
  it('connects with its auth payload, and events and acks go both ways', async () => {
    const port = await freePort();
    const srv = await startIo(port);
    const { socket } = client(port, { auth: { kiosk: 'k-01' } });
    await until(() => socket.connected && srv.sockets.length === 1, { what: 'the connection' });
    expect(srv.auths).toEqual([{ kiosk: 'k-01' }]);
    expect(socket.id).toBe(srv.sockets[0]?.id);

    const greetings: unknown[] = [];
    socket.on('hello', (g) => greetings.push(g));
    srv.sockets[0]?.emit('hello', { text: 'xin chào' });
    await until(() => expect(greetings).toEqual([{ text: 'xin chào' }]));

    socket.emit('note', 1, 'một');
    await until(() => expect(srv.notes).toEqual([[1, 'một']]));

    const answer = await new Promise((resolve) => socket.emit('ask', 21, resolve));
    expect(answer).toEqual({ ok: true, value: 42 });

    socket.on('question', (n, ack) => ack(n + 1));
    const reply = await srv.sockets[0]?.timeout(20_000).emitWithAck('question', 9);
    expect(reply).toBe(10);
  });

  it('answers the acks the lost link took, refuses emits while down, and reconnects after a server restart', async () => {
    const port = await freePort();
    const first = await startIo(port);
    const { socket, seen } = client(port);
    await until(() => socket.connected, { what: 'the first connection' });

    const pending = new Promise((resolve) => socket.emit('hang', resolve));
    await until(() => first.sockets.length === 1);
    await first.close();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'agent-offline' } });
    await until(() => expect(seen.disconnects).toHaveLength(1));
    expect(['transport close', 'io server disconnect']).toContain(seen.disconnects[0]);

    // Nothing is queued while the link is down: the ack is answered at once.
    expect(await new Promise((resolve) => socket.emit('ask', 1, resolve))).toMatchObject({ ok: false });
    expect(socket.stats.droppedEmits).toBe(1);

    const second = await startIo(port);
    await until(() => socket.connected && seen.connects === 2, { what: 'the connection to the restarted server' });
    expect(await new Promise((resolve) => socket.emit('ask', 4, resolve))).toEqual({ ok: true, value: 8 });
    expect(second.sockets).toHaveLength(1);
  });

  it('answers the server heartbeat, so the link outlives many ping timeouts', async () => {
    const port = await freePort();
    const srv = await startIo(port, { pingIntervalMs: 100, pingTimeoutMs: 150 });
    const { socket, seen } = client(port);
    await until(() => socket.connected && srv.sockets.length === 1);
    let pongs = 0;
    srv.sockets[0]?.conn.on('packet', (p: { type: string }) => {
      if (p.type === 'pong') pongs++;
    });
    // Twenty pings at 100 ms: well past the 150 ms the server waits for each pong.
    await until(() => pongs >= 20, { what: () => `20 pongs (seen ${pongs})` });
    expect(seen.connects).toBe(1);
    expect(seen.disconnects).toEqual([]);
    expect(socket.connected).toBe(true);
  });

  it('drops a link whose server falls silent past pingInterval + pingTimeout, and opens a new one', async () => {
    const port = await freePort();
    // An engine.io server that opens the link and then never pings.
    const wss = new WebSocketServer({ host: '127.0.0.1', port });
    opened.push({ close: () => new Promise((resolve) => wss.close(resolve)) });
    let links = 0;
    wss.on('connection', (ws) => {
      links++;
      ws.send(`0${JSON.stringify({ sid: `s${links}`, upgrades: [], pingInterval: 50, pingTimeout: 50 })}`);
      ws.on('message', (data) => {
        if (String(data) === '40') ws.send(`40${JSON.stringify({ sid: `n${links}` })}`);
      });
    });
    const { socket, seen } = client(port);
    await until(() => seen.disconnects.includes('ping timeout') && links >= 2, { what: 'a reconnection' });
    await until(() => socket.connected && seen.connects >= 2);
  });

  it('ignores malformed frames, refuses binary ones, and keeps working', async () => {
    const port = await freePort();
    const srv = await startIo(port);
    const { socket, seen } = client(port);
    await until(() => socket.connected && srv.sockets.length === 1);
    const server = srv.sockets[0];
    if (!server) throw new Error('no server socket');
    const raw = rawOf(server);
    for (const frame of [
      '',
      'z',
      '0{',
      '0{"sid":1}',
      '4',
      '49',
      '42',
      '42{',
      '42[1]',
      '43[1]',
      '4399["x"]',
      '4/other,["x"]',
      '41{"x":1}',
    ])
      raw.send(frame);
    raw.send(Buffer.from([4, 1, 2]));
    server.emit('hello', { text: 'attachment', blob: Buffer.from([1]) } as unknown as { text: string });
    const greetings: unknown[] = [];
    socket.on('hello', (g) => greetings.push(g));
    server.emit('hello', { text: 'after' });
    await until(() => expect(greetings).toEqual([{ text: 'after' }]));
    expect(socket.stats.malformed).toBeGreaterThanOrEqual(12);
    expect(socket.stats.binaryRefused).toBeGreaterThanOrEqual(2);
    expect(seen.disconnects).toEqual([]);
    expect(await new Promise((resolve) => socket.emit('ask', 3, resolve))).toEqual({ ok: true, value: 6 });
  });

  it('reports a namespace the server refuses and does not retry it', async () => {
    const port = await freePort();
    const srv = await startIo(port);
    srv.io.of('/locked').use((_socket, next) => next(new Error('not on a production agent')));
    const { socket, seen } = client(port, {}, '/locked');
    await until(() => expect(seen.errors).toEqual(['not on a production agent']));
    expect(socket.connected).toBe(false);
    expect(socket.stats.reconnects).toBe(0);
  });
});
