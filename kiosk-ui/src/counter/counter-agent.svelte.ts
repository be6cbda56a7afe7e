/**
 * The counter PC's own device agent (scanner, printer), when it runs one. Looked for once when the
 * page opens and then only when staff ask ("Kết nối thiết bị quầy"): a counter without an agent
 * is the common case and must not be probed every few seconds. A link that drops is not retried
 * either; staff reconnect on demand.
 */
import type { Socket } from 'socket.io-client';
import type {
  AgentFeatures,
  AgentToKioskUiEvents,
  CardKeyCommand,
  DeviceHealth,
  KioskUiToAgentEvents,
  PrintReport,
  Result,
  Ticket,
} from '@kiosk/protocol';

type AgentSocket = Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;

/** The agent's address: `?agent=http://127.0.0.1:PORT` (loopback only), else the default port. */
export { agentUrl as counterAgentUrl } from '../kiosk/agent-client';

export type CounterAgentState = 'connecting' | 'linked' | 'none' | 'lost';

export class CounterAgent {
  state = $state<CounterAgentState>('connecting');
  socket = $state<AgentSocket | undefined>(undefined);
  /** The agent's devices and optional steps, as it announces them on connection and on change. */
  devices = $state<DeviceHealth[]>([]);
  features = $state<AgentFeatures['features']>([]);

  constructor(private readonly url: string) {}

  /** One attempt to reach the agent (socket.io's own retries off). */
  async connect(): Promise<void> {
    this.socket?.close();
    this.state = 'connecting';
    const { io } = await import('socket.io-client');
    const socket: AgentSocket = io(this.url, { transports: ['websocket'], reconnection: false, timeout: 3000 });
    this.socket = socket;
    this.devices = [];
    this.features = [];
    socket.on('devices:changed', (devices) => {
      if (this.socket === socket) this.devices = devices;
    });
    socket.on('features:announced', ({ features }) => {
      if (this.socket === socket) this.features = features;
    });
    socket.once('connect', () => {
      if (this.socket === socket) this.state = 'linked';
    });
    socket.once('connect_error', () => {
      if (this.socket !== socket) return;
      this.state = 'none';
      socket.close();
    });
    socket.on('disconnect', () => {
      if (this.socket === socket && this.state === 'linked') this.state = 'lost';
    });
  }

  get linked(): boolean {
    return this.state === 'linked' && this.socket?.connected === true;
  }

  /** Prints on the counter's printer; the agent reports the outcome to the server as well. */
  print(ticketId: string, ticket: Ticket, timeoutMs = 20_000): Promise<Result<PrintReport>> {
    return this.ask<PrintReport>((s, ack) => s.emit('ticket:print', { ticketId, ticket }, ack), timeoutMs);
  }

  /** The key staff typed for the card on the counter's reader (kept by the agent for its session only). */
  setCardKey(command: CardKeyCommand): Promise<Result<null>> {
    return this.ask<null>((s, ack) => s.emit('card:set-key', command, ack));
  }

  /** The patient consented (staff confirmed it): the agent reads the card of this presentation. */
  readCard(readId: string): Promise<Result<null>> {
    return this.ask<null>((s, ack) => s.emit('card:read', { readId, consent: true }, ack));
  }

  /** The agent forgets the key, the chip reads and any consent given (the patient is done). */
  resetSession(): Promise<Result<null>> {
    return this.ask<null>((s, ack) => s.emit('session:reset', {}, ack));
  }

  private ask<T>(send: (socket: AgentSocket, ack: (r: Result<T>) => void) => void, timeoutMs = 10_000) {
    const socket = this.socket;
    if (!socket || !this.linked)
      return Promise.resolve<Result<T>>({ ok: false, error: { code: 'agent-offline', message: 'not connected' } });
    return new Promise<Result<T>>((resolve) => {
      const timer = setTimeout(
        () => resolve({ ok: false, error: { code: 'agent-timeout', message: 'no answer' } }),
        timeoutMs,
      );
      send(socket, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }
}
