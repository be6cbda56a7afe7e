/** The kiosk page talks only to its local device agent (loopback), never to the server directly. */
import { io, type Socket } from 'socket.io-client';
import type { AgentToKioskUiEvents, KioskUiToAgentEvents, Result } from '@kiosk/protocol';

export type AgentSocket = Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;

export function agentUrl(location: Location): string {
  const fromQuery = new URLSearchParams(location.search).get('agent');
  if (fromQuery && /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/u.test(fromQuery)) return fromQuery;
  return 'http://127.0.0.1:8731';
}

export function connectAgent(url: string): AgentSocket {
  return io(url, { transports: ['websocket'], reconnectionDelayMax: 2000 });
}

/** Emits a command and resolves with its Result, or a timeout error. */
export function call<T>(emit: (ack: (r: Result<T>) => void) => void, timeoutMs = 15_000): Promise<Result<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => resolve({ ok: false, error: { code: 'agent-timeout', message: 'no answer', hint: 'go-to-counter' } }),
      timeoutMs,
    );
    emit((r) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
}
