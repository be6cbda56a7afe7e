/** The kiosk page talks only to its local device agent (loopback), never to the server directly. */
import type { AgentToKioskUiEvents, KioskUiToAgentEvents, Result } from '@kiosk/protocol';
import { SmallSocket } from '../lib/small-socket';

/** The page's link to its agent: the small socket.io client (lib/small-socket.ts), not socket.io-client. */
export type AgentSocket = SmallSocket<AgentToKioskUiEvents, KioskUiToAgentEvents>;

/**
 * The agent's loopback address: `?agent=` when given (development, tests), else the port the
 * server's kiosk configuration names (`KIOSK_AGENT_PORT`), else the agent's default 8731.
 */
export function agentUrl(location: Pick<Location, 'search'>, configuredPort?: number): string {
  const fromQuery = new URLSearchParams(location.search).get('agent');
  if (fromQuery && /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/u.test(fromQuery)) return fromQuery;
  return `http://127.0.0.1:${configuredPort ?? 8731}`;
}

const notConnected = {
  ok: false as const,
  error: { code: 'agent-offline', message: 'not connected', hint: 'try-again' },
};

/**
 * One websocket to the agent's default namespace, reconnecting within 2 s at most. Nothing is
 * queued while the link is down: a command then, or one whose answer the lost link took, is
 * answered `agent-offline` at once.
 */
export async function connectAgent(url: string): Promise<AgentSocket> {
  return new SmallSocket(url, { reconnectionDelayMaxMs: 2000, lostAnswer: () => [notConnected] });
}

/** Emits a command and resolves with its Result, or a timeout error. */
export function call<T>(
  socket: AgentSocket | undefined,
  emit: (socket: AgentSocket, ack: (r: Result<T>) => void) => void,
  timeoutMs = 15_000,
): Promise<Result<T>> {
  if (!socket?.connected) return Promise.resolve(notConnected);
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => resolve({ ok: false, error: { code: 'agent-timeout', message: 'no answer', hint: 'go-to-counter' } }),
      timeoutMs,
    );
    emit(socket, (r) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
}
