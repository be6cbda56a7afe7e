/**
 * One client flooding, in its own process so the benchmark's /healthz probe does not share its
 * event loop: `count` socket commands emitted at once on one socket, or `count` HTTP requests over
 * `connections` keep-alive connections of one session. Bounded in count; answers a tally of the
 * outcomes (ok, or the error code) to its parent.
 */
import { io } from 'socket.io-client';

export type FloodCommand =
  | {
      kind: 'socket';
      url: string;
      auth: Record<string, string>;
      event: string;
      count: number;
    }
  | { kind: 'http'; url: string; token: string; count: number; connections: number };

export interface FloodResult {
  tally: Record<string, number>;
  ms: number;
}

async function socketFlood(c: Extract<FloodCommand, { kind: 'socket' }>): Promise<Record<string, number>> {
  const sock = io(c.url, { auth: c.auth, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('connect_error', reject);
  });
  const tally: Record<string, number> = {};
  // The server may cut the socket off: what is unanswered then counts as 'disconnected'.
  const cut = new Promise<string>((resolve) => sock.once('disconnect', () => resolve('disconnected')));
  await Promise.all(
    Array.from({ length: c.count }, async () => {
      const k = await Promise.race([
        new Promise<string>((resolve) =>
          sock
            .timeout(120_000)
            .emit(c.event, {}, (e: Error | null, r?: { ok: boolean; error?: { code: string } }) =>
              resolve(e ? 'client-timeout' : r?.ok ? 'ok' : (r?.error?.code ?? 'unknown')),
            ),
        ),
        cut,
      ]);
      tally[k] = (tally[k] ?? 0) + 1;
    }),
  );
  sock.close();
  return tally;
}

async function httpFlood(c: Extract<FloodCommand, { kind: 'http' }>): Promise<Record<string, number>> {
  const tally: Record<string, number> = {};
  let sent = 0;
  await Promise.all(
    Array.from({ length: c.connections }, async () => {
      while (sent < c.count) {
        sent += 1;
        try {
          const res = await fetch(c.url, { headers: { authorization: `Bearer ${c.token}` } });
          await res.arrayBuffer();
          const k = String(res.status);
          tally[k] = (tally[k] ?? 0) + 1;
        } catch {
          tally['network-error'] = (tally['network-error'] ?? 0) + 1;
        }
      }
    }),
  );
  return tally;
}

process.on('message', (c: FloodCommand) => {
  const started = performance.now();
  (c.kind === 'socket' ? socketFlood(c) : httpFlood(c)).then(
    (tally) => {
      process.send?.({ tally, ms: performance.now() - started } satisfies FloodResult);
      process.exit(0);
    },
    (e: unknown) => {
      process.send?.({ tally: { 'flood-failed': 1 }, ms: 0, error: String(e) });
      process.exit(1);
    },
  );
});
