import { io, type Socket } from 'socket.io-client';
import type { AgentToSimEvents, Result, SimToAgentEvents } from '@kiosk/protocol';
import { ports } from '../playwright.config';

export const kioskUrl = `/kiosk/?agent=http://127.0.0.1:${ports.agent}`;

/** The simulator's control link on the running agent. */
export async function simulator(): Promise<Socket<AgentToSimEvents, SimToAgentEvents>> {
  const socket: Socket<AgentToSimEvents, SimToAgentEvents> = io(`http://127.0.0.1:${ports.agent}/sim`, {
    transports: ['websocket'],
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export function expectOk<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}
