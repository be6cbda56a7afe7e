/**
 * Commands over socket.io, declared once and served one way. Each namespace has a command table
 * (`staffCommands`, `kioskUiCommands` …): event name → payload schema, tagged with the value its
 * ack carries. The typed event maps are derived from the tables, and `serveCommands` serves a
 * table: it validates each payload with the table's schema, runs the handler and answers the ack
 * exactly once with a Result. A handler that throws or rejects answers 'internal-error' and is
 * reported through `onError` (the caller logs it); nothing escapes to socket.io. With `limits`,
 * every command first takes a token from each of its buckets (the socket's, its session's …) and
 * counts against the commands still running on the socket; past either it is answered
 * 'rate-limited' at once, before its payload is even parsed.
 * Browser-safe: zod types only.
 */
import type { z } from 'zod';
import { err, parseWith, type Result } from './result';
import type { RateBucket } from './rate-limit';

export type Ack<T> = (result: Result<T>) => void;

/** A command's payload schema, tagged (in its type only) with the value its ack carries. */
export type CommandSchema<S extends z.ZodType = z.ZodType, R = unknown> = S & {
  readonly '~ack'?: (value: R) => void;
};

/** Tags a payload schema with the value its ack carries: `answers<QueueEntry[]>()(queueQuerySchema)`. */
export const answers =
  <R>() =>
  <S extends z.ZodType>(schema: S): CommandSchema<S, R> =>
    schema;

/** A namespace's commands: event name → tagged payload schema. */
export type CommandTable = Readonly<Record<string, CommandSchema<z.ZodType, never>>>;

/** The value a command's ack carries. */
export type AckValue<C> = C extends { readonly '~ack'?: (value: infer R) => void } ? R : never;

/** The socket.io event map of a command table: what a client emits, and the Result its ack gets. */
export type CommandEvents<T extends CommandTable> = {
  [K in keyof T]: (payload: z.input<T[K]>, ack: Ack<AckValue<T[K]>>) => void;
};

/** Serves one command: gets the validated payload, answers a Result. */
export type CommandHandler<C extends z.ZodType> = (
  payload: z.output<C>,
) => Promise<Result<AckValue<C>>> | Result<AckValue<C>>;

/** A handler for every command of a table. */
export type CommandHandlers<T extends CommandTable> = { [K in keyof T]: CommandHandler<T[K]> };

export interface CommandOptions {
  /** A handler threw or rejected (the ack already answered 'internal-error'), or the ack threw. */
  onError: (error: unknown, event: string) => void;
  /** The 'internal-error' answer's staff-facing message and patient-facing hint. */
  failure?: { message: string; hint?: string };
  /** Rate limits for this socket's commands, all of them together. */
  limits?: CommandLimits;
}

export interface CommandLimits {
  /** Each command takes a token from every bucket (one for this socket, one for its session …). */
  buckets?: readonly RateBucket[];
  /** Commands of this socket still running at once; one more is refused. */
  maxInFlight?: number;
  /** Told of each refusal (for a metric or a log line; no payload). */
  onLimited?: (event: string) => void;
  /**
   * A client that keeps sending after this many refusals in a row ignores 'rate-limited': `onFlood`
   * runs once (the caller disconnects the socket, so its queued packets are not even decoded).
   */
  floodAfter?: number;
  onFlood?: () => void;
}

/** What `cutOff` needs of a socket.io socket (server side). */
export interface FloodingSocket {
  disconnect(close: boolean): unknown;
  conn?: unknown;
}

/**
 * Disconnects a socket that ignores 'rate-limited' and drops its connection at once: a WebSocket
 * closed gracefully still reads and decodes, packet by packet, everything the client has already
 * sent, so the underlying WebSocket is terminated (answers not yet written are dropped with it).
 */
export function cutOff(socket: FloodingSocket): void {
  socket.disconnect(true);
  // engine.io's WebSocket transport keeps its `ws` socket as `transport.socket`; long polling is
  // bounded by maxHttpBufferSize per request already.
  const raw = (socket.conn as { transport?: { socket?: { terminate?: () => void } } } | undefined)?.transport?.socket;
  raw?.terminate?.();
}

/** The answer to a command refused by a rate limit. */
export const rateLimited = () => err('rate-limited', 'too many requests: slow down and try again');

/** Admits or refuses one command against a socket's limits; `done` when an admitted one settles. */
interface CommandGate {
  admit(event: string): boolean;
  done(): void;
}

function gateOf(limits: CommandLimits | undefined): CommandGate | undefined {
  if (!limits) return undefined;
  const buckets = limits.buckets ?? [];
  const max = limits.maxInFlight ?? Infinity;
  const floodAfter = limits.floodAfter ?? Infinity;
  let running = 0;
  let refusedInARow = 0;
  let flooded = false;
  return {
    admit(event) {
      // Every bucket is asked (no short-circuit), so a flood drains the session's bucket too.
      let allowed = running < max;
      for (const b of buckets) allowed = b.take() && allowed;
      if (!allowed) {
        refusedInARow += 1;
        try {
          limits.onLimited?.(event);
          if (refusedInARow >= floodAfter && !flooded) {
            flooded = true;
            limits.onFlood?.();
          }
        } catch {
          // A failing reporter must not turn into a throw inside socket.io.
        }
        return false;
      }
      refusedInARow = 0;
      running += 1;
      return true;
    },
    done() {
      running -= 1;
    },
  };
}

/** What `serveCommands` needs of a socket.io socket (any namespace, server or client side). */
export interface CommandSocket {
  on(event: never, listener: never): unknown;
}

const isResult = (value: unknown): value is Result<unknown> =>
  typeof value === 'object' &&
  value !== null &&
  ((value as { ok?: unknown }).ok === true ||
    ((value as { ok?: unknown }).ok === false && typeof (value as { error?: unknown }).error === 'object'));

/**
 * The socket.io listener for one command of a table. It answers the ack exactly once (a missing
 * ack function is tolerated) and never throws, whatever the payload or the handler does.
 */
export function commandListener<T extends CommandTable, E extends keyof T & string>(
  table: T,
  event: E,
  handler: CommandHandler<T[E]>,
  options: CommandOptions,
  gate: CommandGate | undefined = gateOf(options.limits),
): (...args: unknown[]) => void {
  const schema = table[event] as z.ZodType;
  const failure = options.failure ?? { message: 'the request could not be completed' };
  const report = (e: unknown) => {
    try {
      options.onError(e, event);
    } catch {
      // A failing reporter must not turn into a throw inside socket.io.
    }
  };
  return (...args: unknown[]) => {
    // socket.io passes the ack last: a command emitted without a payload arrives as (ack).
    const last = args[args.length - 1];
    const ack = args.length > 1 || typeof last === 'function' ? last : undefined;
    const payload = args.length > 1 || typeof last !== 'function' ? args[0] : undefined;
    if (gate && !gate.admit(event)) {
      if (typeof ack === 'function')
        try {
          (ack as Ack<unknown>)(rateLimited());
        } catch (e) {
          report(e);
        }
      return;
    }
    let answered = false;
    const reply = (r: Result<unknown>) => {
      if (answered) return;
      answered = true;
      gate?.done();
      if (typeof ack !== 'function') return;
      try {
        (ack as Ack<unknown>)(r);
      } catch (e) {
        report(e);
      }
    };
    const fail = (e: unknown) => {
      report(e);
      reply(err('internal-error', failure.message, failure.hint));
    };
    try {
      const parsed = parseWith(schema, payload ?? {});
      if (!parsed.ok) return reply(parsed);
      Promise.resolve(handler(parsed.value as z.output<T[E]>)).then((r) => {
        try {
          if (isResult(r)) reply(r);
          else fail(new Error(`${event}: the handler answered no Result`));
        } catch (e) {
          fail(e);
        }
      }, fail);
    } catch (e) {
      fail(e);
    }
  };
}

/** Registers a listener for every command of `table` on one socket. */
export function serveCommands<T extends CommandTable>(
  socket: CommandSocket,
  table: T,
  handlers: CommandHandlers<T>,
  options: CommandOptions,
): void {
  const gate = gateOf(options.limits);
  for (const event of Object.keys(table) as (keyof T & string)[])
    socket.on(event as never, commandListener(table, event, handlers[event], options, gate) as never);
}
