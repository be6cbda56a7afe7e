/**
 * A simulated card terminal on the network, as a networked terminal is: it listens on a TCP port
 * and the kiosk's ECR link connects to it. The simulator speaks over whichever connection came last.
 */
import { createServer, type Socket } from 'node:net';
import { SimulatedCardTerminal, type SimulatedCardTerminalOptions, type TerminalPeerLink } from '@kiosk/device-agent';

export interface ListeningCardTerminal {
  terminal: SimulatedCardTerminal;
  /** The port it listens on (chosen by the system unless one was asked for). */
  port: number;
  /** Stops the terminal, drops the kiosk's connection and stops listening. */
  close(): Promise<void>;
}

export async function listeningCardTerminal(
  options: SimulatedCardTerminalOptions,
  port = 0,
): Promise<ListeningCardTerminal> {
  let socket: Socket | undefined;
  const listeners = new Set<(chunk: Uint8Array) => void>();
  const link: TerminalPeerLink = {
    send: (bytes) => void socket?.write(bytes),
    onReceive: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const server = createServer((s) => {
    socket = s;
    s.on('data', (chunk: Buffer) => {
      for (const l of listeners) l(new Uint8Array(chunk));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const terminal = new SimulatedCardTerminal(link, options);
  const address = server.address();
  return {
    terminal,
    port: typeof address === 'object' && address ? address.port : port,
    close: async () => {
      terminal.stop();
      socket?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
