/**
 * A small client of the socket.io v5 / engine.io v4 protocol over one browser WebSocket: what the
 * kiosk page needs of its loopback device agent and nothing more (docs/decisions.md). One
 * namespace per socket (the URL's path, `/` by default), the websocket transport only (no long
 * polling, no upgrade), events with JSON arguments both ways, acknowledgements both ways, the
 * server's heartbeat (ping `2` → pong `3`; silence past pingInterval + pingTimeout drops the
 * link), and reconnection with exponential back-off and jitter.
 *
 * Unlike socket.io-client: nothing is queued while the link is down (an emit then is dropped and
 * counted, and its ack answered at once with `lostAnswer`); acks still pending when the link drops
 * are answered the same way, so a caller never waits for an answer that cannot come; binary
 * attachments are refused (the packet is ignored and counted); a server-side disconnect (`41`)
 * is followed by a reconnection like any lost link. Every frame received is checked: a malformed
 * one is counted and ignored, never thrown out of the message handler.
 */

/** What the socket needs of a WebSocket: the browser's, or `ws` in Node. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface SmallSocketOptions {
  /** The WebSocket constructor; the browser's global one by default. */
  WebSocket?: WebSocketConstructor;
  /** The server's engine.io path; socket.io's default `/socket.io/`. */
  path?: string;
  /** Sent with the namespace CONNECT packet (socket.io's `auth`): a JSON object. */
  auth?: Record<string, unknown>;
  /** Reconnect after a lost link or a failed attempt (default true); a CONNECT_ERROR stops it. */
  reconnection?: boolean;
  /** First back-off delay (default 1000 ms); doubles per failed attempt. */
  reconnectionDelayMs?: number;
  /** The back-off's cap, jitter included (default 5000 ms). */
  reconnectionDelayMaxMs?: number;
  /** Jitter: each delay is moved by up to this fraction either way (default 0.5). */
  randomizationFactor?: number;
  /** An attempt not connected to the namespace after this long is abandoned (default 20000 ms). */
  connectTimeoutMs?: number;
  /** The arguments an ack gets when its answer cannot come (link down or lost). */
  lostAnswer?: () => unknown[];
  /** Connect at once (default true); else call `connect()`. */
  autoConnect?: boolean;
}

/** The events the socket itself emits, as socket.io-client names them. */
export interface ReservedEvents {
  connect: [];
  disconnect: [reason: string];
  connect_error: [error: Error];
}

type Args<M, E> = E extends keyof M ? (M[E] extends (...args: infer A) => unknown ? A : never) : never;
type ListenArgs<M, E> = E extends keyof ReservedEvents ? ReservedEvents[E] : Args<M, E>;
type ListenName<M> = (keyof M & string) | keyof ReservedEvents;
type AnyListener = (...args: unknown[]) => void;

// ---- packets ----

/** socket.io packet types (socket.io-parser): binary ones (5, 6) are refused. */
export const PacketType = { connect: 0, disconnect: 1, event: 2, ack: 3, connectError: 4 } as const;

export type SocketPacket =
  | { type: 0; nsp: string; data?: Record<string, unknown> }
  | { type: 1; nsp: string }
  | { type: 2; nsp: string; id?: number; data: [string, ...unknown[]] }
  | { type: 3; nsp: string; id: number; data: unknown[] }
  | { type: 4; nsp: string; data: unknown };

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: 'binary' | 'malformed' };

const malformed = { ok: false, reason: 'malformed' } as const;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Decodes the text of one socket.io packet (an engine.io message without its `4`). Never throws. */
export function decodeSocketPacket(text: unknown): Decoded<SocketPacket> {
  if (typeof text !== 'string' || text.length === 0) return malformed;
  const type = text.charCodeAt(0) - 48;
  if (type === 5 || type === 6) return { ok: false, reason: 'binary' };
  if (type < 0 || type > 4) return malformed;
  let i = 1;
  let nsp = '/';
  if (text[i] === '/') {
    const comma = text.indexOf(',', i);
    const end = comma === -1 ? text.length : comma;
    nsp = text.slice(i, end);
    i = comma === -1 ? end : end + 1;
  }
  let digits = '';
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) digits += text[i++];
  if (digits.length > 15) return malformed;
  const id = digits === '' ? undefined : Number(digits);
  const rest = text.slice(i);
  const json = rest === '' ? undefined : parseJson(rest);
  if (json && !json.ok) return malformed;
  const data = json?.value;
  switch (type) {
    case 0:
      if (id !== undefined || (data !== undefined && !isObject(data))) return malformed;
      return { ok: true, value: data === undefined ? { type, nsp } : { type, nsp, data } };
    case 1:
      return id === undefined && data === undefined ? { ok: true, value: { type, nsp } } : malformed;
    case 2: {
      if (!Array.isArray(data) || typeof data[0] !== 'string') return malformed;
      const event = data as [string, ...unknown[]];
      return { ok: true, value: id === undefined ? { type, nsp, data: event } : { type, nsp, id, data: event } };
    }
    case 3:
      return id !== undefined && Array.isArray(data) ? { ok: true, value: { type, nsp, id, data } } : malformed;
    default:
      return id === undefined && data !== undefined ? { ok: true, value: { type: 4, nsp, data } } : malformed;
  }
}

/** Encodes one socket.io packet as socket.io-parser does for non-binary packets. */
export function encodeSocketPacket(packet: SocketPacket): string {
  const nsp = packet.nsp === '/' ? '' : `${packet.nsp},`;
  const id = 'id' in packet && packet.id !== undefined ? String(packet.id) : '';
  const data = 'data' in packet && packet.data !== undefined ? JSON.stringify(packet.data) : '';
  return `${packet.type}${nsp}${id}${data}`;
}

export interface EngineOpen {
  sid: string;
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

export type EngineFrame =
  | { kind: 'open'; open: EngineOpen }
  | { kind: 'close' }
  | { kind: 'ping'; data: string }
  | { kind: 'message'; data: string }
  | { kind: 'other' };

const positiveMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 3_600_000;

/** Decodes one engine.io v4 frame as the WebSocket delivers it. Never throws. */
export function decodeEngineFrame(data: unknown): Decoded<EngineFrame> {
  if (typeof data !== 'string') return { ok: false, reason: 'binary' };
  switch (data[0]) {
    case '0': {
      const json = parseJson(data.slice(1));
      if (!json.ok || !isObject(json.value)) return malformed;
      const { sid, pingInterval, pingTimeout } = json.value;
      if (typeof sid !== 'string' || !positiveMs(pingInterval) || !positiveMs(pingTimeout)) return malformed;
      return {
        ok: true,
        value: { kind: 'open', open: { sid, pingIntervalMs: pingInterval, pingTimeoutMs: pingTimeout } },
      };
    }
    case '1':
      return { ok: true, value: { kind: 'close' } };
    case '2':
      return { ok: true, value: { kind: 'ping', data: data.slice(1) } };
    case '4':
      return { ok: true, value: { kind: 'message', data: data.slice(1) } };
    case '3':
    case '5':
    case '6':
      return { ok: true, value: { kind: 'other' } };
    default:
      return malformed;
  }
}

/** Back-off before reconnection attempt `attempt` (0-based): doubling, ± jitter, capped. */
export function backoffMs(
  attempt: number,
  options: { baseMs: number; maxMs: number; randomizationFactor: number },
  random: () => number = Math.random,
): number {
  const doubled = options.baseMs * 2 ** Math.min(attempt, 30);
  const jitter = 1 + options.randomizationFactor * (2 * random() - 1);
  return Math.max(0, Math.min(options.maxMs, doubled * jitter));
}

// ---- the socket ----

/** Counters of what the socket refused or dropped, for diagnostics and tests. */
export interface SmallSocketStats {
  malformed: number;
  binaryRefused: number;
  droppedEmits: number;
  reconnects: number;
}

const defaultLostAnswer = () => [
  { ok: false, error: { code: 'agent-offline', message: 'the link was lost before the answer', hint: 'try-again' } },
];

/** One socket.io namespace over one WebSocket, typed like socket.io-client's `Socket<Listen, Emit>`. */
export class SmallSocket<Listen, Emit> {
  connected = false;
  /** The namespace session id the server gave (socket.io's `socket.id`). */
  id: string | undefined;
  readonly stats: SmallSocketStats = { malformed: 0, binaryRefused: 0, droppedEmits: 0, reconnects: 0 };

  private readonly engineUrl: string;
  private readonly nsp: string;
  private readonly listeners = new Map<string, { fn: AnyListener; once: boolean }[]>();
  private readonly acks = new Map<number, AnyListener>();
  private nextAckId = 0;
  private ws: WebSocketLike | undefined;
  private attempts = 0;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatMs = 0;

  constructor(
    url: string,
    private readonly options: SmallSocketOptions = {},
  ) {
    const parsed = new URL(url);
    const scheme = parsed.protocol === 'https:' || parsed.protocol === 'wss:' ? 'wss' : 'ws';
    const path = options.path ?? '/socket.io/';
    this.engineUrl = `${scheme}://${parsed.host}${path}?EIO=4&transport=websocket`;
    this.nsp = parsed.pathname === '' || parsed.pathname === '/' ? '/' : parsed.pathname.replace(/\/$/u, '');
    if (options.autoConnect ?? true) this.connect();
  }

  on<E extends ListenName<Listen>>(event: E, listener: (...args: ListenArgs<Listen, E>) => void): this {
    return this.add(event, listener as AnyListener, false);
  }

  once<E extends ListenName<Listen>>(event: E, listener: (...args: ListenArgs<Listen, E>) => void): this {
    return this.add(event, listener as AnyListener, true);
  }

  /** Removes one listener, every listener of an event, or every listener. */
  off<E extends ListenName<Listen>>(event?: E, listener?: (...args: ListenArgs<Listen, E>) => void): this {
    if (event === undefined) this.listeners.clear();
    else if (listener === undefined) this.listeners.delete(event);
    else {
      const list = this.listeners.get(event) ?? [];
      const at = list.findIndex((l) => l.fn === listener);
      if (at !== -1) list.splice(at, 1);
    }
    return this;
  }

  /**
   * Sends an event; a last argument that is a function is its ack. While the link is down nothing
   * is queued: the event is dropped (counted) and its ack answered with `lostAnswer` at once.
   */
  emit<E extends keyof Emit & string>(event: E, ...args: Args<Emit, E>): this {
    const list = [...(args as unknown[])];
    const ack = typeof list[list.length - 1] === 'function' ? (list.pop() as AnyListener) : undefined;
    const ws = this.ws;
    if (!this.connected || !ws) {
      this.stats.droppedEmits++;
      if (ack) queueMicrotask(() => this.answerLost(ack));
      return this;
    }
    let id: number | undefined;
    if (ack) {
      id = this.nextAckId++;
      this.acks.set(id, ack);
    }
    this.send(ws, { type: 2, nsp: this.nsp, id, data: [event, ...list] });
    return this;
  }

  /** Opens the link (again) after `close()`, or when created with `autoConnect: false`. */
  connect(): this {
    this.stopped = false;
    if (!this.ws && this.retryTimer === undefined) this.open();
    return this;
  }

  /** Leaves the namespace and closes the link for good (until `connect()`). */
  close(): this {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const ws = this.ws;
    if (ws && this.connected) this.send(ws, { type: 1, nsp: this.nsp });
    if (ws) this.lose(ws, 'io client disconnect');
    return this;
  }

  disconnect(): this {
    return this.close();
  }

  private add(event: string, fn: AnyListener, once: boolean): this {
    const list = this.listeners.get(event) ?? [];
    list.push({ fn, once });
    this.listeners.set(event, list);
    return this;
  }

  /** Calls the listeners; one that throws is reported without stopping the others or the socket. */
  private fire(event: string, args: unknown[]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (const l of [...list]) {
      if (l.once) this.off(event as ListenName<Listen>, l.fn as never);
      try {
        l.fn(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private answerLost(ack: AnyListener): void {
    try {
      ack(...(this.options.lostAnswer ?? defaultLostAnswer)());
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  private send(ws: WebSocketLike, packet: SocketPacket): void {
    try {
      ws.send(`4${encodeSocketPacket(packet)}`);
    } catch {
      // A socket closing under the send: its close event follows and reconnects.
    }
  }

  private open(): void {
    this.retryTimer = undefined;
    const Ws = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    let ws: WebSocketLike;
    try {
      if (!Ws) throw new Error('no WebSocket');
      ws = new Ws(this.engineUrl);
    } catch {
      this.fire('connect_error', [new Error('websocket error')]);
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onmessage = (event) => {
      if (this.ws === ws) this.receive(ws, event.data);
    };
    ws.onclose = () => {
      if (this.ws === ws) this.lose(ws, 'transport close');
    };
    ws.onerror = () => undefined; // the close event follows
    this.connectTimer = setTimeout(() => this.lose(ws, 'timeout'), this.options.connectTimeoutMs ?? 20_000);
  }

  private receive(ws: WebSocketLike, data: unknown): void {
    try {
      const frame = decodeEngineFrame(data);
      if (!frame.ok) {
        this.count(frame.reason);
        return;
      }
      const f = frame.value;
      if (f.kind === 'open') {
        this.heartbeatMs = f.open.pingIntervalMs + f.open.pingTimeoutMs;
        this.beat(ws);
        const auth = this.options.auth;
        this.send(ws, auth === undefined ? { type: 0, nsp: this.nsp } : { type: 0, nsp: this.nsp, data: auth });
      } else if (f.kind === 'ping') {
        this.beat(ws);
        ws.send(`3${f.data}`);
      } else if (f.kind === 'close') this.lose(ws, 'transport close');
      else if (f.kind === 'message') this.packet(ws, f.data);
    } catch {
      this.stats.malformed++;
    }
  }

  private count(reason: 'binary' | 'malformed'): void {
    if (reason === 'binary') this.stats.binaryRefused++;
    else this.stats.malformed++;
  }

  /** The server's heartbeat: no ping within pingInterval + pingTimeout means the link is gone. */
  private beat(ws: WebSocketLike): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => this.lose(ws, 'ping timeout'), this.heartbeatMs);
  }

  private packet(ws: WebSocketLike, text: string): void {
    const decoded = decodeSocketPacket(text);
    if (!decoded.ok) return this.count(decoded.reason);
    const p = decoded.value;
    if (p.nsp !== this.nsp) return void this.stats.malformed++;
    switch (p.type) {
      case 0: {
        const sid = p.data?.['sid'];
        if (typeof sid !== 'string' || this.connected) return void this.stats.malformed++;
        clearTimeout(this.connectTimer);
        this.connected = true;
        this.id = sid;
        this.attempts = 0;
        this.fire('connect', []);
        return;
      }
      case 4: {
        const message = isObject(p.data) && typeof p.data['message'] === 'string' ? p.data['message'] : String(p.data);
        // As socket.io-client: a refusal by the server is not retried until `connect()`.
        this.stopped = true;
        this.lose(ws, 'connect error', new Error(message));
        return;
      }
      case 1:
        this.lose(ws, 'io server disconnect');
        return;
      case 2: {
        if (!this.connected) return void this.stats.malformed++;
        const [event, ...args] = p.data;
        if (p.id !== undefined) args.push(this.ackFor(ws, p.id));
        this.fire(event, args);
        return;
      }
      case 3: {
        const ack = this.acks.get(p.id);
        if (!ack) return void this.stats.malformed++;
        this.acks.delete(p.id);
        try {
          ack(...p.data);
        } catch (error) {
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    }
  }

  /** The ack a server's event carries: answered once, on the link it came by. */
  private ackFor(ws: WebSocketLike, id: number): AnyListener {
    let sent = false;
    return (...args: unknown[]) => {
      if (sent || this.ws !== ws || !this.connected) return;
      sent = true;
      this.send(ws, { type: 3, nsp: this.nsp, id, data: args });
    };
  }

  /** The link is gone: answer pending acks, tell the listeners, and reconnect unless stopped. */
  private lose(ws: WebSocketLike, reason: string, refusal?: Error): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    clearTimeout(this.connectTimer);
    clearTimeout(this.heartbeatTimer);
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = () => undefined;
    try {
      ws.close();
    } catch {
      // already closed
    }
    const wasConnected = this.connected;
    this.connected = false;
    this.id = undefined;
    const pending = [...this.acks.values()];
    this.acks.clear();
    for (const ack of pending) this.answerLost(ack);
    if (wasConnected) this.fire('disconnect', [reason]);
    else if (reason !== 'io client disconnect') this.fire('connect_error', [refusal ?? new Error(reason)]);
    this.retry();
  }

  private retry(): void {
    if (this.stopped || !(this.options.reconnection ?? true) || this.retryTimer !== undefined) return;
    const delay = backoffMs(this.attempts++, {
      baseMs: this.options.reconnectionDelayMs ?? 1000,
      maxMs: this.options.reconnectionDelayMaxMs ?? 5000,
      randomizationFactor: this.options.randomizationFactor ?? 0.5,
    });
    this.retryTimer = setTimeout(() => {
      this.stats.reconnects++;
      this.open();
    }, delay);
  }
}
